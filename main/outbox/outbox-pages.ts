import {
  compareOutboxItems,
  compareOutboxOrder,
  countOutbox,
  cursorOf,
  type OutboxCursor,
  type OutboxPage,
} from '../../preload/contract/outbox-page.ts';
import type { QueueItem } from '../../preload/contract/outbox.ts';

export interface PageRequest {
  readonly cursor?: OutboxCursor | undefined;
  readonly limit: number;
}

/**
 * One page of the outbox list over `items` (the whole queue, in any order): the `limit` rows that
 * come after `cursor` in the screen's order, where the next page starts, and the queue's counts.
 * Pure: whatever holds the queue (records today, an index later) hands its items in.
 */
export function outboxPage(items: readonly QueueItem[], request: PageRequest): OutboxPage {
  const { cursor, limit } = request;
  const after = cursor ? items.filter((item) => compareOutboxOrder(cursorOf(item), cursor) > 0) : [...items];
  const rows = after.sort(compareOutboxItems).slice(0, limit);
  const last = rows.at(-1);
  return {
    items: rows,
    ...(last && after.length > limit ? { next: cursorOf(last) } : {}),
    counts: countOutbox(items),
  };
}
