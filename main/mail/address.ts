import addressparser from 'nodemailer/lib/addressparser';
import { addressParts, isValidAddress, mailboxAddressText } from '../../preload/contract/address.ts';
import { HEADER_UNSAFE } from '../../preload/contract/primitives.ts';
import { AppError } from '../errors/app-error.ts';

/**
 * Main's one module for e-mail addresses. The rule itself (what an address is) lives in the contract,
 * so the renderer checks by the same one; this adds what only main needs: mailbox parsing with
 * nodemailer's parser, and refusals as AppErrors naming the field.
 */

export interface Mailbox {
  readonly name: string;
  /** The address as it goes on the wire: local part as typed, domain in IDNA A-labels. */
  readonly address: string;
}

/**
 * `Name <local@domain>` or a bare address, exactly one: a comma must never smuggle in a second
 * recipient, nor a group a list of them.
 */
export function parseMailbox(text: string, field: string): Mailbox {
  // The same attack gets the same code from every door: sendmail's arguments too, not only the schema.
  if (HEADER_UNSAFE.test(text)) {
    throw new AppError(
      'header_injection',
      `${field}: ${JSON.stringify(text)} must not contain line breaks or NUL characters.`,
      { field },
    );
  }
  const parsed = addressparser(text);
  const only = parsed.length === 1 ? parsed[0] : undefined;
  const bad = (why: string) =>
    new AppError('invalid_address', `${field}: ${JSON.stringify(text)} ${why}.`, { field });
  if (!only || !('address' in only) || !only.address) throw bad('is not one e-mail address');
  // The parser makes the best of what it cannot place (spaces, quotes, stray brackets): unless the
  // text is the address or a name and the address between brackets, as typed, it would send to an
  // address nobody typed.
  const typed = mailboxAddressText(text);
  if (typed === undefined && !/[<>"]/.test(text)) {
    throw bad('is not one e-mail address: write a name as Name <address>');
  }
  const parts = typed === only.address ? addressParts(only.address) : undefined;
  if (!parts) throw bad('is not a valid e-mail address');
  return { name: only.name, address: `${parts.local}@${parts.domain}` };
}

/**
 * Refuses an address-list field (To, Cc, Bcc; RFC 5322 §3.4) with an entry that is not one mailbox
 * as `parseMailbox` takes it, so `To: a b@example.org` is not sent to b@example.org. Comments and
 * group names are not entries.
 */
export function assertMailboxList(value: string, field: string): void {
  for (const entry of listEntries(value)) {
    if (mailboxAddressText(entry) === undefined) {
      throw new AppError(
        'invalid_address',
        `${field}: ${JSON.stringify(entry)} is not one e-mail address: write a name as Name <address>.`,
        { field },
      );
    }
  }
}

/** The entries of an address list, split at commas and semicolons outside quotes and brackets. */
function listEntries(value: string): string[] {
  const entries: string[] = [];
  let current = '';
  let quoted = false;
  let bracketed = false;
  let comment = 0;
  for (let i = 0; i < value.length; i++) {
    const char = value.charAt(i);
    // A backslash quotes the next character, inside quotes and comments alike (RFC 5322 §3.2.1).
    const pair = char === '\\' ? char + value.charAt(++i) : char;
    if (comment > 0) {
      if (char === '(') comment++;
      else if (char === ')') comment--;
    } else if (quoted) {
      current += pair;
      quoted = char !== '"';
    } else if (char === '(') {
      comment = 1;
      current += ' ';
    } else if (!bracketed && (char === ',' || char === ';')) {
      entries.push(current);
      current = '';
    } else if (!bracketed && char === ':') {
      // What came before is a group's name (RFC 5322 §3.4: group = display-name ":" [list] ";").
      current = '';
    } else {
      quoted = char === '"';
      if (char === '<') bracketed = true;
      else if (char === '>') bracketed = false;
      current += pair;
    }
  }
  entries.push(current);
  return entries.map((entry) => entry.trim()).filter((entry) => entry !== '');
}

/** A bare address (no display name), as an account, alias or reply-to holds it. */
export function assertAddress(address: string, field: string): void {
  if (!isValidAddress(address)) {
    throw new AppError('invalid_address', `"${address}" is not an e-mail address like name@example.com.`, {
      field,
    });
  }
}

/** The domain of an address as written, lower case (DNS names are case-insensitive). */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

// POSIX's portable user name characters (IEEE Std 1003.1, 3.437), not starting with a hyphen; 32 is
// useradd's limit. Enough for what cron and scripts address: root, www-data, backup.
const LOCAL_USER = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/;

/** A user name of this machine with no domain (`root`), as cron and mail(1) address mail. */
export function isLocalUserName(text: string): boolean {
  return LOCAL_USER.test(text);
}
