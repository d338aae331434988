import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { EntityDecoderOptions } from 'fast-xml-parser';
import { asciiDomain, serverHost } from '../../preload/contract/address.ts';
import { AppError } from '../errors/app-error.ts';
import type { ClientConfig, OutgoingServerEntry } from './discovery-ports.ts';
import { hostFor } from './outgoing-server.ts';

/**
 * The largest client configuration read. The largest file of Thunderbird's ISPDB (mail.com) is under
 * 9 KB; a domain's own file has no reason to be ten times that.
 */
export const MAX_CLIENT_CONFIG_BYTES = 100 * 1024;

/** Thunderbird's client configuration format (https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat). */
const ROOT = 'clientConfig';
const SOCKET_TYPES: readonly OutgoingServerEntry['socketType'][] = ['SSL', 'STARTTLS', 'plain'];
/** Longer than any real value: keeps hostile text out of the data and the messages. */
const MAX_FIELD_LENGTH = 320;

const refuse = (why: string): never => {
  throw new AppError('autoconfig_invalid', `The mail server settings file ${why}.`);
};

/** Input quoted in a message: as JSON shows it (line breaks escaped), and short. */
const quote = (text: string) => JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}…` : text);

/**
 * Reads the outgoing servers of a Thunderbird client configuration (an ISPDB file or a domain's
 * own autoconfig file) and refuses, with `autoconfig_invalid`, anything else: a text over
 * MAX_CLIENT_CONFIG_BYTES, text that is not well-formed XML, any DOCTYPE or other markup
 * declaration (a configuration never needs one, and entities are how XML bombs and external
 * entities get in), a root other than `clientConfig`, no `emailProvider`, or no usable SMTP server.
 *
 * Only the first `emailProvider` is read, and in it only `domain`, `displayName` and the
 * `outgoingServer type="smtp"` entries, in document order (the provider's preference).
 * An outgoingServer with an unusable field (a hostname that is not a host, a port outside 1–65535
 * or missing, an unknown or missing socketType, no authentication, a user name with control
 * characters, a field given twice) is dropped and the others kept; the configuration is refused
 * only when none is left, and the message says why each was dropped. A `domain` that is not a host
 * name is dropped likewise, and a `displayName` holding a placeholder. A missing `username` is kept
 * as "" (Thunderbird then uses the incoming server's user name). A hostname may be a template on
 * %EMAILDOMAIN% (`mail.%EMAILDOMAIN%`), filled in by serversFor (outgoing-server.ts).
 */
export function parseClientConfig(xml: string): ClientConfig {
  if (xml.length > MAX_CLIENT_CONFIG_BYTES || Buffer.byteLength(xml, 'utf8') > MAX_CLIENT_CONFIG_BYTES) {
    refuse(`is larger than ${MAX_CLIENT_CONFIG_BYTES / 1024} KB`);
  }
  refuseDeclarations(xml);
  // Its successor, fast-xml-validator, is not a dependency; fast-xml-parser 5 still ships this one.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const wellFormed = XMLValidator.validate(xml);
  if (wellFormed !== true) {
    refuse(`is not well-formed XML (line ${wellFormed.err.line}: ${short(wellFormed.err.msg)})`);
  }
  const provider = emailProviderOf(parseTree(xml));
  const id = attribute(provider, 'id') ?? '';
  const displayName = singleText(provider, 'displayName');
  const domains = [...new Set(textsOf(provider, 'domain').flatMap((d) => asciiDomain(d) ?? []))];
  const outgoing = outgoingServers(provider);
  return {
    id: plainText(id) ? id : '',
    ...(typeof displayName === 'string' && isName(displayName) ? { displayName } : {}),
    domains,
    outgoing,
  };
}

/** An element as the parser gives it: attributes under `@`, text under `#text`, children in arrays. */
type XmlElement = Readonly<Record<string, unknown>>;

const TEXT = '#text';
const ATTRIBUTE = '@';

/**
 * Entities: only XML's five and character references are known, and they are decoded in one pass
 * (nothing decoded is decoded again, so nothing expands). A document that declares entities never
 * gets this far (refuseDeclarations); should the parser meet a DOCTYPE anyway, it is refused here.
 */
const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);
const entityDecoder: EntityDecoderOptions = {
  setExternalEntities: () => undefined,
  addInputEntities: () => refuse('declares a DOCTYPE, which a client configuration never needs'),
  reset: () => undefined,
  setXmlVersion: () => undefined,
  decode: (text) =>
    text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z_:][\w.:-]*);/gi, (whole, name: string) => {
      if (!name.startsWith('#'))
        return PREDEFINED.get(name) ?? refuse(`uses an undeclared entity ${quote(whole)}`);
      const code =
        name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code <= 0x10ffff ? String.fromCodePoint(code) : refuse(`has an invalid character reference`);
    }),
};

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTRIBUTE,
  textNodeName: TEXT,
  alwaysCreateTextNode: true,
  // Every element is a list, so a repeated one (several domains, servers, methods) reads the same.
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  entityDecoder,
  maxNestedTags: 20,
});

/**
 * XML 1.0 §2.8: a DOCTYPE can only stand in the prolog, before the root element. Anything there
 * that starts with `<!` but is not a comment is a declaration, refused before the parser reads it.
 */
function refuseDeclarations(xml: string): void {
  let at = xml.startsWith('\ufeff') ? 1 : 0;
  for (;;) {
    while (at < xml.length && ' \t\r\n'.includes(xml.charAt(at))) at++;
    if (xml.startsWith('<?', at)) at = endOf(xml, '?>', at);
    else if (xml.startsWith('<!--', at)) at = endOf(xml, '-->', at + 4);
    else if (xml.startsWith('<!', at))
      refuse('declares a DOCTYPE or entities, which a client configuration never needs');
    else return;
  }
}

/** Just after `end` from `from` on; the whole text when it never comes (the validator says why). */
function endOf(xml: string, end: string, from: number): number {
  const found = xml.indexOf(end, from);
  return found < 0 ? xml.length : found + end.length;
}

const short = (message: string) => (message.length > 120 ? `${message.slice(0, 120)}…` : message);

function parseTree(xml: string): XmlElement {
  try {
    return parser.parse(xml) as XmlElement;
  } catch (error) {
    if (error instanceof AppError) throw error;
    return refuse(
      `is not well-formed XML (${short(error instanceof Error ? error.message : String(error))})`,
    );
  }
}

function emailProviderOf(document: XmlElement): XmlElement {
  const roots = Object.keys(document);
  if (roots.length > 1 || children(document, ROOT).length > 1) refuse('has more than one root element');
  const root = children(document, ROOT)[0];
  if (root === undefined) {
    return refuse(
      `is not a client configuration: its root element is <${short(roots[0] ?? '')}>, not <${ROOT}>`,
    );
  }
  refuseMisplacedDeclarations(root);
  return children(root, 'emailProvider')[0] ?? refuse('has no <emailProvider>');
}

/** The parser reads `<!ENTITY …>` inside an element as an element named `!ENTITY`: refused too. */
function refuseMisplacedDeclarations(element: XmlElement): void {
  for (const name of Object.keys(element)) {
    if (name.startsWith('!'))
      refuse(`contains a markup declaration <${short(name)}>, which a client configuration never needs`);
    for (const child of children(element, name)) refuseMisplacedDeclarations(child);
  }
}

function children(element: XmlElement, name: string): XmlElement[] {
  const value = Object.hasOwn(element, name) ? element[name] : undefined;
  return Array.isArray(value)
    ? value.filter((v): v is XmlElement => typeof v === 'object' && v !== null)
    : [];
}

function textOf(element: XmlElement): string {
  const text = element[TEXT];
  return typeof text === 'string' ? text : '';
}

function attribute(element: XmlElement, name: string): string | undefined {
  const value = element[`${ATTRIBUTE}${name}`];
  return typeof value === 'string' ? value : undefined;
}

const textsOf = (element: XmlElement, name: string) => children(element, name).map(textOf);

const TWICE = Symbol('twice');

/** The one text of a field; undefined when absent, TWICE when given more than once. */
function singleText(element: XmlElement, name: string): string | undefined | typeof TWICE {
  const texts = textsOf(element, name);
  if (texts.length > 1) return TWICE;
  return texts[0];
}

/** A name to show as it is: one with a placeholder (upstream has `%EMAILDOMAIN%`) is left out. */
const isName = (text: string) => text !== '' && !text.includes('%') && plainText(text);

/** No control characters (a line break in a user name would end an SMTP command), and not too long. */
function plainText(text: string): boolean {
  return text.length <= MAX_FIELD_LENGTH && !/\p{Cc}/u.test(text);
}

function outgoingServers(provider: XmlElement): OutgoingServerEntry[] {
  const smtp = children(provider, 'outgoingServer').filter((server) => attribute(server, 'type') === 'smtp');
  const read = smtp.map(outgoingServer);
  const usable = read.filter((entry): entry is OutgoingServerEntry => typeof entry !== 'string');
  if (usable.length > 0) return usable;
  if (read.length === 0) return refuse('has no outgoing (SMTP) server');
  const reasons = read.map((why, i) => `server ${i + 1}: ${typeof why === 'string' ? why : ''}`);
  return refuse(`has no usable outgoing (SMTP) server: ${reasons.join('; ')}`);
}

/**
 * A hostname as stored: a host (IDNA, lower case), or a template on %EMAILDOMAIN% kept as written
 * when it makes a host of any domain (serversFor fills it in).
 */
function hostTemplate(hostname: string): string | undefined {
  if (!hostname.includes('%')) return serverHost(hostname);
  return hostFor(hostname, 'example.com') === undefined ? undefined : hostname;
}

const SERVER_FIELDS = ['hostname', 'port', 'socketType', 'username'] as const;

/** One outgoingServer, or why it cannot be used. */
function outgoingServer(server: XmlElement): OutgoingServerEntry | string {
  const [hostname, port, socketType, username] = SERVER_FIELDS.map((name) => singleText(server, name));
  const twice = SERVER_FIELDS.find((name) => singleText(server, name) === TWICE);
  if (twice !== undefined) return `<${twice}> is given more than once`;
  if (typeof hostname !== 'string') return 'it has no hostname';
  const host = plainText(hostname) ? hostTemplate(hostname) : undefined;
  if (host === undefined) return `hostname ${quote(hostname)} is not a host name`;
  if (typeof port !== 'string') return 'it has no port';
  const number = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
  if (!(number >= 1 && number <= 65535)) return `port ${quote(port)} is not a number from 1 to 65535`;
  const socket = SOCKET_TYPES.find((type) => type === socketType);
  if (socket === undefined) {
    return typeof socketType === 'string'
      ? `socketType ${quote(socketType)} is not SSL, STARTTLS or plain`
      : 'it has no socketType';
  }
  const user = typeof username === 'string' ? username : '';
  if (!plainText(user)) return `username ${quote(user)} has a control character or is too long`;
  const authentication = textsOf(server, 'authentication').filter(
    (method) => method !== '' && plainText(method),
  );
  if (authentication.length === 0) return 'it has no authentication method';
  return { hostname: host, port: number, socketType: socket, username: user, authentication };
}
