import { z } from 'zod';
import type { SentRecord } from '../../preload/contract/outbox.ts';
import { storedId, storedTime } from '../files/stored-fields.ts';
import { type StoredFormat, storedSchema } from '../files/versioned.ts';
import { lazySchema } from '../../preload/contract/lazy-schema.ts';

// The sent log's own format, not the bridge's `sentRecord`: a change to the contract must never
// make what is on disk unreadable. A change here is a new format (see docs/outbox-queue.md).

export const storedRecipient = lazySchema(() =>
  z.object({
    address: z.string(),
    kind: z.enum(['to', 'cc', 'bcc']),
    state: z.enum(['pending', 'accepted', 'rejected', 'deferred']),
    /** The server's reply for this recipient, verbatim. */
    reply: z.string().optional(),
  }),
);

/** A delivered message: one line of the sent log, and the `sent` of the queue log's removal entry. */
export const storedSentRecord = lazySchema(() =>
  z.object({
    id: storedId,
    messageId: z.string(),
    accountId: z.string(),
    from: z.string(),
    subject: z.string(),
    sentAt: storedTime,
    recipients: z.array(storedRecipient),
    sizeBytes: z.number().int().nonnegative(),
    attempts: z.number().int().nonnegative(),
    /**
     * The user took it out as sent (`queue mark-sent`): the connection broke after the server had
     * the whole message and before it answered, so no server confirmed it. Format 2.
     */
    markedSent: z.literal(true).optional(),
  }),
);

/**
 * Version 1 lines were written without a `version` field. Version 2 adds `markedSent`: a format 1
 * record has none (builds before it recorded a mark-sent as any other sent message), so the step
 * changes nothing but the version, and a build that reads only format 1 refuses format 2 rather
 * than drop the mark when it copies a removal on.
 */
export const SENT_RECORD_FORMAT: StoredFormat = {
  name: 'sent log',
  version: 2,
  migrations: { 1: (document) => document },
  unversioned: 1,
};

/** A stored sent record in any format this build knows, upgraded to today's. */
export const sentRecordOnDisk = lazySchema(() => storedSchema(SENT_RECORD_FORMAT, storedSentRecord));

/** A sent record as stored: in today's format, with its version. */
export function toStoredSentRecord(record: SentRecord): Record<string, unknown> {
  return { version: SENT_RECORD_FORMAT.version, ...record };
}
