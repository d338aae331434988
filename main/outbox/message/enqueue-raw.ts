import addressparser from 'nodemailer/lib/addressparser';
import { messageSizeLimit } from '../../../preload/contract/account-rules.ts';
import { MAX_RECIPIENTS, tooManyRecipients } from '../../../preload/contract/compose.ts';
import type { RecipientStatus } from '../../../preload/contract/outbox.ts';
import { HEADER_UNSAFE, MAX_LINE_LENGTH } from '../../../preload/contract/primitives.ts';
import type { AccountsPort, SenderAccount } from '../../core/ports.ts';
import { AppError } from '../../errors/app-error.ts';
import { assertMailboxList, domainOf, isLocalUserName, parseMailbox } from '../../mail/address.ts';
import { accountSendingAs } from '../../mail/sending-identity.ts';
import { saveOrRollBack } from './commit-message.ts';
import { needsSmtpUtf8, newQueueId, NON_ASCII, randomHex } from './message-ids.ts';
import { headerRecipients, localRecipient, unqualifiedSender } from './local-mail.ts';
import { AS_IS, contentNeeds, needsRework } from './content-needs.ts';
import type { QueueRecord } from '../store/queue-record.ts';
import { boundedRecord } from '../store/record-bounds.ts';
import type { QueueStore } from '../store/queue-store.ts';

/** A message someone else rendered (sendmail's stdin), to be queued and sent byte for byte. */
export interface RawMessageInput {
  readonly bytes: Uint8Array;
  /** The account to send through; when absent, the one owning the From address, else `defaultAccountId`. */
  readonly accountId?: string | undefined;
  readonly defaultAccountId?: string | undefined;
  /** Envelope recipients given besides the headers (sendmail's arguments). */
  readonly recipients: readonly string[];
  /** sendmail -t: To, Cc and Bcc are recipients too. */
  readonly recipientsFromHeaders: boolean;
  /** sendmail -f: MAIL FROM; the account's address when absent; '' or '<>' is the null reverse-path. */
  readonly envelopeFrom?: string | undefined;
  /** sendmail -F: the sender's name, for a From this adds or one that has no domain. */
  readonly fullName?: string | undefined;
  /** Where mail to a local user name (`root`) goes; without it such a recipient is refused. */
  readonly localMailAddress?: string | undefined;
}

/** All enqueueRaw asks of the accounts: `outbox sendmail` gives it the account list alone. */
export type RawMessageAccounts = Pick<AccountsPort, 'find' | 'list'>;

interface HeaderField {
  /** Lower-case field name. */
  readonly name: string;
  /** The field as it arrived, folding included (latin1, so bytes survive unchanged). */
  readonly raw: string;
  /** The unfolded value, decoded as UTF-8. */
  readonly value: string;
}

// RFC 5322 §3.6.8: a field name is printable ASCII except the colon.
const FIELD = /^([\x21-\x39\x3b-\x7e]+):/;
const NEWLINES = /\r\n|\r|\n/g;
// The empty line that ends the header section, whatever line endings the sender used.
const END_OF_HEAD = /^\r?\n|\r?\n\r?\n/;
// Bcc and Resent-Bcc name blind copies: removed from what is stored (RFC 5322 §3.6.3, §3.6.6).
const BLIND = new Set(['bcc', 'resent-bcc']);
/**
 * RFC 5322 §3.6 allows at most one of these. Two From fields show one sender and let DMARC judge
 * another (RFC 7489 §6.6.1); two Message-IDs make one message two to whoever threads or removes
 * duplicates. Refused rather than keeping one: which was meant is not ours to guess.
 */
const AT_MOST_ONCE = ['from', 'sender', 'message-id'];
const ENCODED_WORD = /=\?([^?\s]+)\?([bq])\?([^?\s]*)\?=/gi;

const bad = (message: string) => new AppError('invalid_input', message, { field: 'message' });

const utf8 = (latin1: string) => Buffer.from(latin1, 'latin1').toString('utf8');

/** RFC 2047 encoded words, for showing the subject in lists; the stored bytes keep the original. */
function decodeWords(text: string): string {
  const decode = (word: string, charset: string, kind: string, data: string): string => {
    const bytes =
      kind.toLowerCase() === 'b'
        ? Buffer.from(data, 'base64')
        : Buffer.from(
            data
              .replace(/_/g, ' ')
              .replace(/=([0-9a-f]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))),
            'latin1',
          );
    try {
      return new TextDecoder(charset).decode(bytes);
    } catch {
      // An unknown charset: show the word as it was written.
      return word;
    }
  };
  return text.replace(/\?=\s+=\?/g, '?==?').replace(ENCODED_WORD, decode);
}

/**
 * Splits the text into header fields and a body with CRLF line endings; refuses what is not a
 * message. In the body a lone CR or LF is a line ending; in the header section a lone CR is refused,
 * never made a line break: it would start a field the sender did not write (RFC 5322 §2.2).
 */
function splitMessage(text: string): { fields: HeaderField[]; body: string } {
  const end = END_OF_HEAD.exec(text);
  const head = end ? text.slice(0, end.index) : text.replace(/\r?\n$/, '');
  let body = end ? text.slice(end.index + end[0].length).replace(NEWLINES, '\r\n') : '';
  if (body !== '' && !body.endsWith('\r\n')) body += '\r\n';
  const fields: HeaderField[] = [];
  let current: { name: string; lines: string[] } | undefined;
  const close = () => {
    if (!current) return;
    const raw = current.lines.join('\r\n');
    const value = utf8(raw.slice(current.name.length + 1).replace(/\r\n/g, '')).trim();
    fields.push({ name: current.name.toLowerCase(), raw, value });
  };
  for (const [index, line] of head.split(/\r?\n/).entries()) {
    // An mbox separator ("From sha date", as git format-patch writes) is not a header; sendmail drops it.
    if (index === 0 && line.startsWith('From ')) continue;
    if (line.includes('\r')) {
      throw new AppError(
        'header_injection',
        `Header line ${index + 1} holds a carriage return that ends no line; it could start a header field of its own.`,
        { field: 'message' },
      );
    }
    if (line.length > MAX_LINE_LENGTH) {
      throw bad(`Header line ${index + 1} is longer than ${MAX_LINE_LENGTH} characters (RFC 5322 §2.1.1).`);
    }
    if (/^[ \t]/.test(line)) {
      if (!current) throw bad('The message starts with a continuation line, not a header.');
      current.lines.push(line);
      continue;
    }
    const name = FIELD.exec(line)?.[1];
    if (name === undefined) {
      throw bad(
        `Line ${index + 1} of the message is not a header field ("Name: value"), so it is not RFC 5322.`,
      );
    }
    close();
    current = { name, lines: [line] };
  }
  close();
  if (fields.length === 0) throw bad('The message has no header fields.');
  // An empty Message-ID names nothing: it is replaced like a missing one, never kept beside it.
  const named = fields.filter((f) => f.name !== 'message-id' || f.value !== '');
  for (const name of AT_MOST_ONCE) {
    const count = named.filter((f) => f.name === name).length;
    if (count > 1) {
      const shown = named.find((f) => f.name === name)?.raw.slice(0, name.length) ?? name;
      throw new AppError(
        'duplicate_header',
        `The message has ${count} ${shown} fields; RFC 5322 §3.6 allows one.`,
        { field: 'message' },
      );
    }
  }
  return { fields: named, body };
}

function addressesIn(fields: readonly HeaderField[], name: string): string[] {
  return fields.filter((f) => f.name === name).flatMap((f) => headerRecipients(f.value));
}

/** A From field for `address`; RFC 2047: a name outside ASCII travels as encoded words, never in quotes. */
async function fromLine(name: string, address: string): Promise<string> {
  if (!name) return `From: ${address}`;
  if (!NON_ASCII.test(name)) return `From: "${name.replace(/["\\]/g, '\\$&')}" <${address}>`;
  // Loaded for such a name only: nodemailer's MIME functions bring its MIME type table (issue 17).
  const { encodeWords } = await import('nodemailer/lib/mime-funcs');
  return `From: ${encodeWords(name)} <${address}>`;
}

/** The message as it goes out: lines over 998 octets re-encoded, by a module loaded only then. */
async function fitToSend(message: Buffer): Promise<Buffer> {
  if (!needsRework(message, AS_IS)) return message;
  const { fitForTransport } = await import('./transfer-encoding.ts');
  return fitForTransport(message, AS_IS);
}

/** RFC 5322 §3.3 date-time in UTC. */
function rfc5322Date(ms: number): string {
  return new Date(ms).toUTCString().replace(/GMT$/, '+0000');
}

function chooseAccount(
  input: RawMessageInput,
  fromAddress: string | undefined,
  accounts: RawMessageAccounts,
) {
  const find = (id: string | undefined): SenderAccount | undefined =>
    id === undefined ? undefined : accounts.find(id);
  if (input.accountId !== undefined) {
    const account = find(input.accountId);
    if (!account) throw new AppError('unknown_account', 'The account for this message does not exist.');
    return account;
  }
  const account =
    fromAddress === undefined
      ? find(input.defaultAccountId)
      : accountSendingAs(accounts.list(), fromAddress, input.defaultAccountId);
  if (!account) {
    throw new AppError(
      'unknown_account',
      'No account sends from this address and there is no default account.',
    );
  }
  return account;
}

/**
 * MAIL FROM for sendmail -f. '' and '<>' are the null reverse-path, MAIL FROM:<>, which bounces and
 * auto-replies use so that nothing answers them (RFC 5321 §4.5.5, RFC 3834 §3.3).
 */
function envelopeSender(given: string | undefined, account: SenderAccount): string {
  if (given === undefined) return account.fromAddress;
  if (given === '' || given === '<>') return '';
  // The user a job runs as (cron's -f root) has no domain: the account sends for it.
  return isLocalUserName(given) ? account.fromAddress : parseMailbox(given, 'envelopeFrom').address;
}

/** sendmail -F goes into a header: a line break there would add fields of the caller's choosing. */
function fullNameOf(input: RawMessageInput): string | undefined {
  if (input.fullName !== undefined && HEADER_UNSAFE.test(input.fullName)) {
    throw new AppError(
      'header_injection',
      `fullName: ${JSON.stringify(input.fullName)} must not contain line breaks or NUL characters.`,
      { field: 'fullName' },
    );
  }
  return input.fullName?.trim() || undefined;
}

/**
 * The envelope recipients: the arguments, plus with -t the To, Cc and Bcc fields, or the Resent-
 * ones when the message has any (RFC 5322 §3.6.6: they say whom this copy is resent to), as sendmail
 * and Postfix read them. Each address once; a local user name goes to the address for local mail.
 */
function envelopeRecipients(fields: readonly HeaderField[], input: RawMessageInput): RecipientStatus[] {
  const resent = fields.some((f) => f.name.startsWith('resent-')) ? 'resent-' : '';
  const kinds = new Map<string, RecipientStatus['kind']>();
  for (const kind of ['bcc', 'cc', 'to'] as const) {
    for (const address of [...addressesIn(fields, kind), ...addressesIn(fields, `resent-${kind}`)]) {
      kinds.set(address.toLowerCase(), kind);
    }
  }
  const sources = ['to', 'cc', 'bcc'].map((kind) => resent + kind);
  if (input.recipientsFromHeaders) {
    for (const f of fields.filter((f) => sources.includes(f.name))) {
      assertMailboxList(f.value, f.raw.slice(0, f.name.length));
    }
  }
  const fromHeaders = sources.flatMap((name) => addressesIn(fields, name));
  const wanted = [...(input.recipientsFromHeaders ? fromHeaders : []), ...input.recipients];
  const recipients: RecipientStatus[] = [];
  for (const [i, text] of wanted.entries()) {
    const { address } = parseMailbox(localRecipient(text, input.localMailAddress), `recipients.${i}`);
    if (recipients.some((r) => r.address.toLowerCase() === address.toLowerCase())) continue;
    // An argument that is in no header is a blind copy as far as the other recipients can tell.
    const kind = kinds.get(text.trim().toLowerCase()) ?? kinds.get(address.toLowerCase()) ?? 'bcc';
    recipients.push({ address, kind, state: 'pending' });
  }
  if (recipients.length > MAX_RECIPIENTS) {
    throw new AppError('too_many_recipients', tooManyRecipients(recipients.length), { field: 'recipients' });
  }
  if (recipients.length === 0) {
    throw new AppError(
      'no_recipients',
      'The message has no recipients: give addresses as arguments, or use -t.',
      {
        field: 'recipients',
      },
    );
  }
  return recipients;
}

export interface RawContext {
  readonly accounts: RawMessageAccounts;
  readonly store: QueueStore;
  readonly now: number;
}

/**
 * Validates a complete RFC 5322 message and queues it durably, in the same format as composed mail,
 * so the deliverer sends these bytes verbatim. Line endings become CRLF; Bcc and Resent-Bcc fields
 * are removed from the stored bytes (their addresses stay in the envelope); Message-ID, Date and
 * From are added when missing, as sendmail does. Returns the committed record.
 */
export async function enqueueRaw(input: RawMessageInput, context: RawContext): Promise<QueueRecord> {
  const bytes = Buffer.from(input.bytes);
  if (bytes.length === 0) throw bad('The message is empty.');
  if (bytes.includes(0)) throw bad('The message contains NUL bytes.');
  const { fields, body } = splitMessage(bytes.toString('latin1'));
  const header = (name: string) => fields.find((f) => f.name === name);

  const fromField = header('from');
  const local = fromField && unqualifiedSender(fromField.value);
  const fromMailbox = fromField && !local ? addressparser(fromField.value, { flatten: true })[0] : undefined;
  if (fromField && !local && !fromMailbox?.address) {
    throw bad(`From: ${JSON.stringify(fromField.value)} is not an e-mail address.`);
  }
  const fullName = fullNameOf(input);
  const account = chooseAccount(input, fromMailbox?.address, context.accounts);
  const recipients = envelopeRecipients(fields, input);
  const envelopeFrom = envelopeSender(input.envelopeFrom, account);

  const domain = domainOf(fromMailbox?.address ?? account.fromAddress);
  const added: string[] = [];
  let messageId = header('message-id')?.value;
  // RFC 5322 §3.6.4: a msg-id has no folding white space, so it fits on one line.
  if (messageId !== undefined && messageId.length > MAX_LINE_LENGTH) {
    throw bad(`The Message-ID is longer than ${MAX_LINE_LENGTH} characters (RFC 5322 §2.1.1).`);
  }
  if (!messageId) {
    messageId = `<${randomHex()}@${domain}>`;
    added.push(`Message-ID: ${messageId}`);
  }
  if (!header('date')) added.push(`Date: ${rfc5322Date(context.now)}`);
  // A From the sender left out, or one with no domain, is the account's address; the name is the
  // one written (cron's "(Cron Daemon)"), else -F's, else the account's.
  const name = local?.name || fullName || account.displayName;
  const ownFrom = await fromLine(name, account.fromAddress);
  if (ownFrom.length > MAX_LINE_LENGTH) {
    throw bad(`The From field would be longer than ${MAX_LINE_LENGTH} characters: give a shorter name.`);
  }
  const ownDisplay = name ? `${name} <${account.fromAddress}>` : account.fromAddress;
  const fromDisplay = fromMailbox && fromField ? fromField.value : ownDisplay;
  if (!fromField) added.push(ownFrom);
  const latin1 = (line: string) => Buffer.from(line, 'utf8').toString('latin1');
  const kept = fields
    .filter((f) => !BLIND.has(f.name))
    .map((f) => (f === fromField && local ? latin1(ownFrom) : f.raw));
  const head = [...kept, ...added.map(latin1)];
  // Lines over 998 octets would be refused by the server for good: re-encoded now, once.
  const stored = await fitToSend(Buffer.from(`${head.join('\r\n')}\r\n\r\n${body}`, 'latin1'));

  const limit = messageSizeLimit(account);
  if (limit !== undefined && stored.length > limit) {
    throw new AppError(
      'message_too_large',
      `The message is ${stored.length} bytes; this account accepts at most ${limit}.`,
    );
  }

  const id = newQueueId(context.now);
  const now = new Date(context.now).toISOString();
  const record: QueueRecord = boundedRecord({
    version: 1,
    id,
    messageId,
    accountId: account.id,
    from: fromDisplay,
    envelopeFrom,
    subject: decodeWords(header('subject')?.value ?? ''),
    recipients,
    state: 'queued',
    attempts: 0,
    createdAt: now,
    nextAttemptAt: now,
    sizeBytes: await context.store.writeBytes(id, stored),
    attachmentCount: 0,
    onlineMsSpent: 0,
    needsSmtpUtf8: needsSmtpUtf8([envelopeFrom, ...recipients.map((r) => r.address)]),
    ...contentNeeds(stored),
  });
  await saveOrRollBack(context.store, record);
  return record;
}
