import { z } from 'zod';
import type { QueueItem, QueueState } from '../../../preload/contract/outbox.ts';
import { storedError, storedErrorInfo } from '../../errors/stored-error.ts';
import { storedSchema, type StoredFormat } from '../../files/versioned.ts';
import { storedId, storedTime } from '../../files/stored-fields.ts';
import { storedRecipient } from '../../sent/sent-record.ts';
import { lazySchema } from '../../../preload/contract/lazy-schema.ts';

/** Each `put` carries its record's format, so segments written by different builds can mix. */
export const QUEUE_RECORD_FORMAT: StoredFormat = { name: 'queued messages', version: 1, migrations: {} };

/**
 * A message's state as the queue log stores it (in each `put`): what the bridge shows plus what
 * delivery needs. Never holds a secret; `sending` never reaches disk (after a crash a message with no
 * hand-over mark is simply due again). The queue's own format, not the bridge's `queueItem`: a change
 * to the contract must not make queued messages unreadable; a change here is a new format.
 */
export const queueRecord = lazySchema(() =>
  z.object({
    version: z.literal(QUEUE_RECORD_FORMAT.version),
    id: storedId,
    messageId: z.string(),
    accountId: z.string(),
    from: z.string(),
    subject: z.string(),
    recipients: z.array(storedRecipient),
    state: z.enum([
      'queued',
      'scheduled',
      'deferred',
      'held',
      'needs_attention',
      'unconfirmed',
      'failed',
      'sent',
    ]),
    attempts: z.number().int().nonnegative(),
    createdAt: storedTime,
    sendAt: storedTime.optional(),
    /**
     * "Don't send if more than N minutes late": a scheduled message whose first attempt would come
     * later than this after `sendAt` is held instead (delivery/late-limit.ts).
     */
    lateLimitMinutes: z.number().int().positive().optional(),
    nextAttemptAt: storedTime.optional(),
    /** Until this time the message can be taken back with undo. */
    undoUntil: storedTime.optional(),
    lastReply: z.string().optional(),
    lastError: storedError.optional(),
    attachmentCount: z.number().int().nonnegative(),
    /** The bare sender address for MAIL FROM; '' is the null reverse-path, MAIL FROM:<> (sendmail -f '<>'). */
    envelopeFrom: z.literal('').or(z.string().min(3)),
    sizeBytes: z.number().int().positive(),
    /**
     * Time spent online trying, for the retry lifetime: wall time from the first attempt to the last,
     * less what the delivering processes saw offline (see delivery/online-time.ts). Records from
     * before that counted only time inside a delivering process, so theirs may be short.
     */
    onlineMsSpent: z.number().nonnegative(),
    /** When the last attempt ended, the start of the next stretch of online time to count. */
    lastTriedAt: storedTime.optional(),
    /** Some address has a non-ASCII local part, so the server must offer SMTPUTF8. */
    needsSmtpUtf8: z.boolean(),
    /**
     * What the stored bytes need, read from them at enqueue (RFC 6152, RFC 6532): 8-bit bytes in the
     * body, raw UTF-8 in the header section. Absent in records written before it existed: delivery
     * then reads the bytes to find out.
     */
    eightBitBody: z.boolean().optional(),
    utf8Header: z.boolean().optional(),
    /** Replaces the stored message's From field as it goes out: it moved to another account. */
    fromField: z.string().max(4096).optional(),
    /** The stored bytes' size, when the From field makes what goes out (`sizeBytes`) differ. */
    storedSizeBytes: z.number().int().positive().optional(),
    /**
     * SHA-256 (hex) of the stored bytes when they sit in a file of their own, recorded as they were
     * written: the file is checked against it before a byte of it is sent (inline bytes have their
     * frame's CRC). Absent in records written before it existed.
     */
    bodySha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
  }),
);
export type QueueRecord = z.infer<typeof queueRecord>;

/** A record as read back from the log, in any format this build knows. */
export const queueRecordOnDisk = lazySchema(() => storedSchema(QUEUE_RECORD_FORMAT, queueRecord));

/**
 * What crosses the bridge: the record without its internal fields. `state` may say more than the
 * disk (`sending`). A copy, not a parse: records are parsed once, as they are written or read, and
 * this runs for every item of every change event.
 */
/** One of a record's ISO 8601 times in ms since the epoch, as indexes keep them (100,000 strings cost). */
export const timeOf = (iso: string | undefined): number | undefined =>
  iso === undefined ? undefined : Date.parse(iso);

/** A time as a typed-array column keeps it, NaN for none: the time, or undefined. */
export const timeIn = (value: number): number | undefined => (Number.isNaN(value) ? undefined : value);

/** A time kept as a number, as a record's ISO 8601 string. */
export const isoOf = (time: number | undefined): string | undefined =>
  time === undefined ? undefined : new Date(time).toISOString();

export function toQueueItem(record: QueueRecord, state: QueueState = record.state): QueueItem {
  const {
    version,
    envelopeFrom,
    onlineMsSpent,
    lastTriedAt,
    needsSmtpUtf8,
    eightBitBody,
    utf8Header,
    fromField,
    storedSizeBytes,
    bodySha256,
    lastError,
    ...item
  } = record;
  return { ...item, state, ...(lastError ? { lastError: storedErrorInfo(lastError) } : {}) };
}
