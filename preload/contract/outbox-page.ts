import { z } from 'zod';
import { id, isoTime } from './primitives.ts';
import { queueItem, queueState, type QueueItem, type QueueState } from './outbox.ts';

/**
 * Where a page of the outbox list ends: the last row's place in the list's order. A place, not an
 * offset, so messages added or removed before it do not shift the next page.
 */
export const outboxCursor = z.object({ sending: z.boolean(), createdAt: isoTime, id });
export type OutboxCursor = z.infer<typeof outboxCursor>;

export const outboxPageRequest = z
  .object({ cursor: outboxCursor.optional(), limit: z.number().int().min(1).max(1000).default(200) })
  .default({ limit: 200 });

export const outboxCounts = z.object({
  /** Messages in the queue, whatever their state. */
  total: z.number().int().nonnegative(),
  byState: z.partialRecord(queueState, z.number().int().nonnegative()),
  /** Per account, its messages not yet sent. */
  unsentByAccount: z.record(z.string(), z.number().int().nonnegative()),
});
export type OutboxCounts = z.infer<typeof outboxCounts>;

/** A stretch of the list in the outbox screen's order, and the whole queue's counts. */
export const outboxPage = z.object({
  items: z.array(queueItem),
  /** Ask with this for the rows after these; absent on the last page. */
  next: outboxCursor.optional(),
  counts: outboxCounts,
});
export type OutboxPage = z.infer<typeof outboxPage>;

export const cursorOf = (item: Pick<QueueItem, 'state' | 'createdAt' | 'id'>): OutboxCursor => ({
  sending: item.state === 'sending',
  createdAt: item.createdAt,
  id: item.id,
});

/**
 * The outbox screen's order: what is sending now on top, then newest first; the id breaks ties so
 * the order is total and a cursor names one place in it.
 */
export function compareOutboxOrder(a: OutboxCursor, b: OutboxCursor): number {
  if (a.sending !== b.sending) return a.sending ? -1 : 1;
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt ? -1 : 1;
  return a.id === b.id ? 0 : a.id > b.id ? -1 : 1;
}

/** The same order between two messages (sorting 100,000 makes no cursor objects). */
export function compareOutboxItems(
  a: Pick<QueueItem, 'state' | 'createdAt' | 'id'>,
  b: Pick<QueueItem, 'state' | 'createdAt' | 'id'>,
): number {
  const sending = a.state === 'sending';
  if (sending !== (b.state === 'sending')) return sending ? -1 : 1;
  if (a.createdAt !== b.createdAt) return a.createdAt > b.createdAt ? -1 : 1;
  return a.id === b.id ? 0 : a.id > b.id ? -1 : 1;
}

export function countOutbox(items: Iterable<Pick<QueueItem, 'state' | 'accountId'>>): OutboxCounts {
  const byState: Partial<Record<QueueState, number>> = {};
  // A Map, not an object: an account id is data and must not reach an object's prototype.
  const unsent = new Map<string, number>();
  let total = 0;
  for (const item of items) {
    total++;
    byState[item.state] = (byState[item.state] ?? 0) + 1;
    if (item.state !== 'sent') unsent.set(item.accountId, (unsent.get(item.accountId) ?? 0) + 1);
  }
  return { total, byState, unsentByAccount: Object.fromEntries(unsent) };
}
