/**
 * The one rule for an e-mail address (an addr-spec, `local@domain`): account addresses, aliases,
 * senders and recipients, in main, the CLI and the renderer alike. Pure, so every process can use it.
 *
 * Decisions (RFC 5321 §4.1.2, RFC 5322 §3.4.1, RFC 6531 for non-ASCII):
 * - the local part is a Dot-string: atoms joined by single dots, so no leading, trailing or doubled
 *   dot; non-ASCII letters are atext (SMTPUTF8). Quoted local parts are refused: RFC 5321 §4.1.2
 *   asks hosts not to define such mailboxes, and a quoted "a b" cannot survive the header and
 *   envelope round trip every message takes here;
 * - the domain is a host name of at least two labels (IDN allowed, sent as IDNA A-labels). Address
 *   literals (`[1.2.3.4]`) and bare IP addresses are refused: mail goes through the account's server,
 *   which routes by name, and an all-numeric last label is no name (RFC 3696 §2);
 * - lengths per RFC 5321 §4.5.3.1: local part 64 octets, domain 253 characters (255 octets on the
 *   wire), label 63, and the whole path `<local@domain>` 256 octets, so the address at most 254.
 */

// RFC 1035 §2.3.1 and RFC 1123 §2.1: letters, digits and hyphens, no hyphen at either end, ≤ 63 octets.
const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** One or more DNS labels joined by dots, in ASCII: a host name's form, or a DKIM selector's. */
export function isDnsLabels(text: string): boolean {
  return text.split('.').every((label) => DNS_LABEL.test(label));
}

export const MAX_LOCAL_PART_OCTETS = 64;
export const MAX_DOMAIN_LENGTH = 253;
export const MAX_ADDRESS_OCTETS = 254;

// RFC 5322 §3.2.3 atext, plus any non-ASCII character but controls and spaces (RFC 6531 §3.3).
const ATOM = /^(?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]|(?![\p{Cc}\p{Z}])[^\0-\x7f])+$/u;
// What a domain may hold before IDNA: ASCII letter-digit-hyphen and dots, or non-ASCII text but
// controls, format characters and spaces, which IDNA would drop or map unseen (a zero-width space
// or a soft hyphen makes a name that reads as one host and connects to another).
const DOMAIN_TEXT = /^(?:[A-Za-z0-9.-]|(?![\p{Cc}\p{Cf}\p{Z}])[^\0-\x7f])+$/u;
const ASCII = /^[\0-\x7f]*$/;

const octets = (text: string) => new TextEncoder().encode(text).length;

/** IDNA ToASCII (UTS #46) as every WHATWG URL parser does it, in main and in the renderer alike. */
function idnaToAscii(domain: string): string | undefined {
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return undefined;
  }
}

/**
 * A host name in ASCII (IDNA A-labels, lower case), or undefined when it is not one: LDH labels
 * (`localhost` included), and no all-numeric last label, which would make "999.1.1.1" look like a
 * name (RFC 3696 §2). IP addresses are for the caller to allow.
 */
export function asciiHostName(name: string): string | undefined {
  if (!DOMAIN_TEXT.test(name)) return undefined;
  const ascii = ASCII.test(name) ? name.toLowerCase() : idnaToAscii(name);
  if (!ascii || ascii.length > MAX_DOMAIN_LENGTH) return undefined;
  const labels = ascii.split('.');
  if (/^\d+$/.test(labels.at(-1) ?? '')) return undefined;
  return isDnsLabels(ascii) ? ascii : undefined;
}

// RFC 791 dotted-quad, each part 0-255 without leading zeros (which some parsers read as octal).
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** An IPv6 literal without brackets (RFC 4291 §2.2). The URL parser judges it, after only hex, colons and dots. */
function isIpv6(text: string): boolean {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !text.includes(':')) return false;
  try {
    new URL(`http://[${text}]/`);
    return true;
  } catch {
    return false;
  }
}

/**
 * An SMTP server's host as it is stored and connected to: a host name in ASCII (IDNA A-labels, lower
 * case) or an IP address; undefined for anything else. Every character is checked before IDNA or
 * the URL parser see it, since both drop tabs and line breaks silently.
 */
export function serverHost(text: string): string | undefined {
  if (IPV4.test(text) || isIpv6(text)) return text;
  return asciiHostName(text);
}

/**
 * The domain of an address in the form the envelope and Message-ID need (IDNA, lower case), or
 * undefined when mail cannot be addressed to it: a host name of at least two labels.
 */
export function asciiDomain(domain: string): string | undefined {
  const ascii = asciiHostName(domain);
  return ascii?.includes('.') ? ascii : undefined;
}

export interface AddressParts {
  /** As typed: local parts are case-sensitive (RFC 5321 §2.4). */
  readonly local: string;
  /** IDNA A-labels, lower case. */
  readonly domain: string;
}

/** The parts of a bare address (`local@domain`, no display name), or undefined when it is not one. */
export function addressParts(address: string): AddressParts | undefined {
  const at = address.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = address.slice(0, at);
  if (octets(local) > MAX_LOCAL_PART_OCTETS || !local.split('.').every((atom) => ATOM.test(atom))) {
    return undefined;
  }
  const domain = asciiDomain(address.slice(at + 1));
  if (domain === undefined || octets(local) + 1 + domain.length > MAX_ADDRESS_OCTETS) return undefined;
  return { local, domain };
}

/** Whether `address` is one bare address mail can be sent from or to. */
export function isValidAddress(address: string): boolean {
  return addressParts(address) !== undefined;
}

/** The address as it goes on the wire: the local part as typed, the domain in ASCII lower case. */
export function normalAddress(address: string): string | undefined {
  const parts = addressParts(address);
  return parts && `${parts.local}@${parts.domain}`;
}

// RFC 5322 §3.4 name-addr: a display name (a quoted string, or words without brackets or quotes), then
// the address in angle brackets.
const NAME_ADDR = /^(?:"(?:[^"\\]|\\.)*"|[^<>"]*)\s*<([^<>]*)>$/;

/**
 * The address of one mailbox as typed, `addr` or `Name <addr>`, or undefined when the text is
 * neither. `a b@example.org` is neither: parsers take "a" as a display name and send to
 * b@example.org, an address nobody typed alone; a name goes before the address in angle brackets.
 */
export function mailboxAddressText(text: string): string | undefined {
  const typed = text.trim();
  const named = NAME_ADDR.exec(typed);
  if (named) return named[1]?.trim();
  return /[\s<>"]/.test(typed) || typed === '' ? undefined : typed;
}
