import { z } from 'zod';
import { errorCodes } from './errors.ts';
import { id, isoTime } from './primitives.ts';
import { lazySchema } from './lazy-schema.ts';

export const bridgeError = lazySchema(() =>
  z.object({
    code: z.enum(errorCodes),
    message: z.string(),
    field: z.string().optional(),
  }),
);

/**
 * queued: waiting for its first attempt (or inside the undo window, see `undoUntil`)
 * scheduled: send later, not before `sendAt`
 * sending: being handed to the server now
 * deferred: a temporary failure; retried at `nextAttemptAt`
 * held: kept back by the user (paused account, or kept when its account was deleted)
 * needs_attention: waiting for the user to fix the account (credentials, certificate)
 * unconfirmed: the server had the whole message but never answered; never resent automatically
 * failed: permanently refused, or gave up after the retry lifetime
 * sent: every recipient accepted or rejected (moves to the sent log)
 */
export const queueStates = [
  'queued',
  'scheduled',
  'sending',
  'deferred',
  'held',
  'needs_attention',
  'unconfirmed',
  'failed',
  'sent',
] as const;
export const queueState = lazySchema(() => z.enum(queueStates));
export type QueueState = z.infer<typeof queueState>;

export const recipientKind = lazySchema(() => z.enum(['to', 'cc', 'bcc']));
export const recipientState = lazySchema(() => z.enum(['pending', 'accepted', 'rejected', 'deferred']));

export const recipientStatus = lazySchema(() =>
  z.object({
    address: z.string(),
    kind: recipientKind,
    state: recipientState,
    /** The server's reply for this recipient, verbatim up to 512 bytes (RFC 5321 §4.5.3.1.5), then clipped. */
    reply: z.string().optional(),
  }),
);
export type RecipientStatus = z.infer<typeof recipientStatus>;

export const progress = lazySchema(() =>
  z.object({
    id,
    bytesSent: z.number().int().nonnegative(),
    bytesTotal: z.number().int().nonnegative(),
  }),
);
export type Progress = z.infer<typeof progress>;

export const queueItem = lazySchema(() =>
  z.object({
    id,
    messageId: z.string(),
    accountId: z.string(),
    from: z.string(),
    subject: z.string(),
    recipients: z.array(recipientStatus),
    state: queueState,
    attempts: z.number().int().nonnegative(),
    createdAt: isoTime,
    sendAt: isoTime.optional(),
    /** Held rather than sent more than this many minutes after `sendAt`. */
    lateLimitMinutes: z.number().int().positive().optional(),
    nextAttemptAt: isoTime.optional(),
    /** Until this time the message can be taken back with undo. */
    undoUntil: isoTime.optional(),
    lastReply: z.string().optional(),
    lastError: bridgeError.optional(),
    sizeBytes: z.number().int().nonnegative(),
    attachmentCount: z.number().int().nonnegative(),
  }),
);
export type QueueItem = z.infer<typeof queueItem>;

/**
 * Pushed in batches: items that appeared or changed, ids that left the queue, and messages of which
 * only the shown state may have changed (their account was paused or resumed, came to need the
 * user or no longer does). Those go as a state each, not read from disk to be sent whole: resuming
 * an account with 100,000 queued would otherwise read and send all 100,000 (issue 17).
 */
export const outboxChanged = lazySchema(() =>
  z.object({
    upserted: z.array(queueItem),
    removed: z.array(id),
    states: z.array(z.object({ id, state: queueState })),
  }),
);
export type OutboxChanged = z.infer<typeof outboxChanged>;

export const sentRecord = lazySchema(() =>
  z.object({
    id,
    messageId: z.string(),
    accountId: z.string(),
    from: z.string(),
    subject: z.string(),
    sentAt: isoTime,
    recipients: z.array(recipientStatus),
    sizeBytes: z.number().int().nonnegative(),
    attempts: z.number().int().nonnegative(),
    /** Taken out as sent by the user (`mark-sent`), not confirmed by the server: see the sent log's format. */
    markedSent: z.literal(true).optional(),
  }),
);
export type SentRecord = z.infer<typeof sentRecord>;

export const byId = lazySchema(() => z.object({ id }));
export const sentQuery = lazySchema(() =>
  z.object({
    limit: z.number().int().min(1).max(1000).default(200),
    /** Paging: only records sent strictly before this time. */
    before: isoTime.optional(),
  }),
);

/**
 * Something the queue set aside in its quarantine folder rather than send or lose: a message it
 * could not read or trust, or a damaged stretch of the queue log. Named as far as it can be read.
 */
export const setAsideItem = lazySchema(() =>
  z.object({
    /** Stable handle for `restore`: the item's folder or file name under the quarantine folder. */
    key: z.string().min(1).max(255),
    /** The message, when its id could be read. */
    id: id.optional(),
    subject: z.string().optional(),
    /** Recipient addresses, when they could be read. */
    recipients: z.array(z.string()).optional(),
    /** Why it was set aside, as a person reads it. */
    reason: z.string(),
    /** Where its bytes are kept (absolute path), so nothing is lost even when it cannot be restored. */
    file: z.string(),
    setAsideAt: isoTime,
    /** Whether `restore` can bring it back: its state is readable and its bytes match their checksum. */
    restorable: z.boolean(),
  }),
);
export type SetAsideItem = z.infer<typeof setAsideItem>;

export const byKey = lazySchema(() => z.object({ key: setAsideItem.shape.key }));
