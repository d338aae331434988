import MailComposer from 'nodemailer/lib/mail-composer';
import MimeNode from 'nodemailer/lib/mime-node';
import { encodeWord } from 'nodemailer/lib/mime-funcs';
import type Mail from 'nodemailer/lib/mailer';
import { messageSizeLimit } from '../../../preload/contract/account-rules.ts';
import { composeRequest, type ComposeRequest } from '../../../preload/contract/compose.ts';
import { errorOfIssues } from '../../../preload/contract/errors.ts';
import type { RecipientStatus } from '../../../preload/contract/outbox.ts';
import type { AccountsPort, SenderAccount } from '../../core/ports.ts';
import { randomBytes } from '../../core/random.ts';
import { AppError } from '../../errors/app-error.ts';
import { domainOf, parseMailbox, type Mailbox } from '../../mail/address.ts';
import { identityFor } from '../../mail/sending-identity.ts';
import type { QueueStore } from '../store/queue-store.ts';
import type { QueueRecord } from '../store/queue-record.ts';
import { boundedRecord } from '../store/record-bounds.ts';
import { attachedBytes, withAttachments } from './attachment-file.ts';
import { needsSmtpUtf8, newQueueId, randomHex } from './message-ids.ts';

// Their home is message-ids.ts; still reachable here for the modules that import them from here.
export { needsSmtpUtf8, newQueueId, NON_ASCII, randomHex } from './message-ids.ts';

/**
 * The request as the bridge's schema reads it: headless callers (the CLI) do not cross the bridge,
 * so they are checked here by the same schema, and refused with the same codes.
 */
export function parseComposeRequest(input: unknown): ComposeRequest {
  const parsed = composeRequest.safeParse(input);
  if (parsed.success) return parsed.data;
  const { code, message, field } = errorOfIssues(parsed.error);
  throw new AppError(code, message, field === undefined ? {} : { field });
}

function senderMailbox(request: ComposeRequest, account: SenderAccount): Mailbox {
  if (request.from === undefined) return { name: account.displayName, address: account.fromAddress };
  const from = parseMailbox(request.from, 'from');
  const match = identityFor(account, from.address);
  if (!match) {
    throw new AppError('invalid_address', `from: ${from.address} is not an address of this account.`, {
      field: 'from',
    });
  }
  return { name: from.name || match.displayName, address: from.address };
}

function recipientsOf(request: ComposeRequest): {
  mailboxes: Record<'to' | 'cc', Mailbox[]>;
  all: RecipientStatus[];
} {
  const mailboxes = { to: [] as Mailbox[], cc: [] as Mailbox[] };
  const all: RecipientStatus[] = [];
  const seen = new Set<string>();
  for (const kind of ['to', 'cc', 'bcc'] as const) {
    request[kind].forEach((text, i) => {
      const mailbox = parseMailbox(text, `${kind}.${i}`);
      if (kind !== 'bcc') mailboxes[kind].push(mailbox);
      // One envelope recipient per address, even when it is both To and Cc.
      if (seen.has(mailbox.address.toLowerCase())) return;
      seen.add(mailbox.address.toLowerCase());
      all.push({ address: mailbox.address, kind, state: 'pending' });
    });
  }
  if (all.length === 0) throw new AppError('no_recipients', 'Add at least one recipient.', { field: 'to' });
  return { mailboxes, all };
}

/**
 * Text that merely looks like an RFC 2047 encoded word ("=?utf-8?q?…?=") would be decoded by the
 * receiver into something else; encoding it ourselves makes it arrive exactly as typed.
 */
const literal = (text: string) => (text.includes('=?') ? encodeWord(text, 'Q', 52) : text);
const literalName = (m: Mailbox): Mailbox => ({ name: literal(m.name), address: m.address });

const display = (m: Mailbox) => (m.name ? `${m.name} <${m.address}>` : m.address);

/** The From field nodemailer would write for `m`, as one (possibly folded) line without its CRLF. */
function fromField(m: Mailbox): string {
  const headers = new MimeNode('text/plain').setHeader('From', literalName(m)).buildHeaders();
  return headers.split(/\r\n(?![ \t])/).find((field) => field.startsWith('From:')) ?? `From: ${m.address}`;
}

/** What a message takes from the account it goes out through: the sender it shows and sends as. */
export function senderOf(account: SenderAccount): { from: string; fromField: string; envelopeFrom: string } {
  const mailbox = { name: account.displayName, address: account.fromAddress };
  return {
    from: display(mailbox),
    fromField: fromField(mailbox),
    envelopeFrom: mailbox.address,
  };
}

/** The error for `size` bytes over the account's `limit`, if they are. */
function sizeError(what: string, size: number, limit: number | undefined): AppError | undefined {
  if (limit === undefined || size <= limit) return undefined;
  return new AppError('message_too_large', `${what} ${size} bytes; this account accepts at most ${limit}.`, {
    field: 'attachments',
  });
}

export interface ComposeContext {
  readonly accounts: AccountsPort;
  readonly store: QueueStore;
  readonly now: number;
  readonly undoSeconds: number;
}

/**
 * Validates a compose request and renders it once to RFC 5322 bytes on disk, attachments streamed
 * from their files. Returns the state record to commit; until it is saved the message does not exist.
 */
export async function composeMessage(request: ComposeRequest, context: ComposeContext): Promise<QueueRecord> {
  const account = context.accounts.find(request.accountId);
  if (!account) {
    throw new AppError('unknown_account', 'The account for this message does not exist.', {
      field: 'accountId',
    });
  }
  const from = senderMailbox(request, account);
  const replyTo = request.replyTo === undefined ? undefined : parseMailbox(request.replyTo, 'replyTo');
  const { mailboxes, all } = recipientsOf(request);

  const limit = messageSizeLimit(account);
  const id = newQueueId(context.now);
  const messageId = `<${randomHex()}@${domainOf(from.address)}>`;
  // Opened once, before the message is built: what is checked is what is read (see AttachmentFile).
  const sizeBytes = await withAttachments(
    request.attachments.map((a) => a.path),
    async (files) => {
      const over = sizeError('The attachments alone are', attachedBytes(files), limit);
      if (over) throw over;
      // baseBoundary: nodemailer reads it though its types omit it. Without it, the root MIME node
      // draws one from node:crypto (~15 µs a message at enqueue rates, issue 17); the pool is
      // cheaper. (The child nodes of a multipart message still draw one each, which goes unused.)
      const mail: Mail.Options & { baseBoundary: string } = {
        baseBoundary: randomBytes(8).toString('hex'),
        from: literalName(from),
        to: mailboxes.to.map(literalName),
        cc: mailboxes.cc.map(literalName),
        ...(replyTo ? { replyTo: literalName(replyTo) } : {}),
        subject: literal(request.subject),
        messageId,
        date: new Date(context.now),
        ...(request.text === undefined && request.html === undefined ? { text: '' } : {}),
        ...(request.text === undefined ? {} : { text: request.text }),
        ...(request.html === undefined ? {} : { html: request.html }),
        ...(request.inReplyTo ? { inReplyTo: request.inReplyTo } : {}),
        ...threadReferences(request),
        attachments: files.map((file) => file.mailAttachment()),
      };
      return context.store.writeBytes(id, new MailComposer(mail).compile().createReadStream());
    },
  );

  const over = sizeError('The message is', sizeBytes, limit);
  if (over) {
    await context.store.remove(id);
    throw over;
  }

  const now = new Date(context.now).toISOString();
  const sendAt =
    request.sendAt !== undefined && Date.parse(request.sendAt) > context.now ? request.sendAt : undefined;
  const undoUntil =
    sendAt === undefined && context.undoSeconds > 0
      ? new Date(context.now + context.undoSeconds * 1000).toISOString()
      : undefined;
  const addresses = [from.address, ...all.map((r) => r.address)];
  return boundedRecord({
    version: 1,
    id,
    messageId,
    accountId: account.id,
    from: display(from),
    envelopeFrom: from.address,
    subject: request.subject,
    recipients: all,
    state: sendAt ? 'scheduled' : 'queued',
    attempts: 0,
    createdAt: now,
    ...(sendAt ? { sendAt, nextAttemptAt: sendAt } : { nextAttemptAt: undoUntil ?? now }),
    ...(sendAt && request.lateLimitMinutes !== undefined
      ? { lateLimitMinutes: request.lateLimitMinutes }
      : {}),
    ...(undoUntil ? { undoUntil } : {}),
    sizeBytes,
    attachmentCount: request.attachments.length,
    onlineMsSpent: 0,
    needsSmtpUtf8: needsSmtpUtf8(addresses),
    // MailComposer writes 7-bit bodies (quoted-printable or base64) and encoded words; only an
    // address with a non-ASCII local part stays raw UTF-8 in the header.
    eightBitBody: false,
    utf8Header: needsSmtpUtf8([...addresses, ...(replyTo ? [replyTo.address] : [])]),
  });
}

/**
 * References for a reply: as given, or else the message replied to, the one thread id a mailto:
 * link's in-reply-to carries (RFC 5322 §3.6.4: the parent's References, when known, then its id).
 */
function threadReferences(request: ComposeRequest): Pick<Mail.Options, 'references'> {
  if (request.references && request.references.length > 0) return { references: request.references };
  return request.inReplyTo ? { references: [request.inReplyTo] } : {};
}
