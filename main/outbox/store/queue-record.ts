import { z } from 'zod';
import { isoTime } from '../../../preload/contract/primitives.ts';
import { queueItem, queueState, type QueueItem, type QueueState } from '../../../preload/contract/outbox.ts';

/**
 * A message's state as the queue log stores it (in each `put`): what the bridge shows plus what
 * delivery needs. Never holds a secret; `sending` never reaches disk (after a crash a message with no
 * hand-over mark is simply due again).
 */
export const queueRecord = queueItem.extend({
  version: z.literal(1),
  state: queueState.exclude(['sending']),
  /** The bare sender address for MAIL FROM; '' is the null reverse-path, MAIL FROM:<> (sendmail -f '<>'). */
  envelopeFrom: z.literal('').or(z.string().min(3)),
  sizeBytes: z.number().int().positive(),
  /** Time spent online trying, for the retry lifetime (hours offline never count). */
  onlineMsSpent: z.number().nonnegative(),
  /** When the last attempt ended, the start of the next stretch of online time to count. */
  lastTriedAt: isoTime.optional(),
  /** Some address has a non-ASCII local part, so the server must offer SMTPUTF8. */
  needsSmtpUtf8: z.boolean(),
  /** Replaces the stored message's From field as it goes out: it moved to another account. */
  fromField: z.string().max(4096).optional(),
  /** The stored bytes' size, when the From field makes what goes out (`sizeBytes`) differ. */
  storedSizeBytes: z.number().int().positive().optional(),
});
export type QueueRecord = z.infer<typeof queueRecord>;

/**
 * What crosses the bridge: the record without its internal fields. `state` may say more than the
 * disk (`sending`). A copy, not a parse: records are parsed once, as they are written or read, and
 * this runs for every item of every change event.
 */
export function toQueueItem(record: QueueRecord, state: QueueState = record.state): QueueItem {
  const {
    version,
    envelopeFrom,
    onlineMsSpent,
    lastTriedAt,
    needsSmtpUtf8,
    fromField,
    storedSizeBytes,
    ...item
  } = record;
  return { ...item, state };
}
