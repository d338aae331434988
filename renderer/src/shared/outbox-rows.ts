import {
  compareOutboxItems,
  compareOutboxOrder,
  cursorOf,
  type OutboxCursor,
} from '../../../preload/contract/outbox-page.ts';
import type { QueueItem } from '../../../preload/contract/outbox.ts';

/**
 * Rows kept in the outbox screen's order (`compareOutboxItems`, the contract's) by binary search, so
 * a page or an event moves only what comes after its place instead of sorting the whole list again.
 */

/** Where `place` goes in `rows`: the index of the first row not before it. */
export function placeIn(rows: readonly QueueItem[], place: OutboxCursor): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const row = rows[middle];
    if (row && compareOutboxOrder(cursorOf(row), place) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Where `rows` hold `item`'s message, or -1. A message keeps its id and creation time for life (a
 * restored one gets a new id), so its place moves only with whether it is sending: both are looked at.
 */
export function indexIn(rows: readonly QueueItem[], item: Pick<QueueItem, 'id' | 'createdAt'>): number {
  for (const sending of [true, false]) {
    const index = placeIn(rows, { sending, createdAt: item.createdAt, id: item.id });
    if (rows[index]?.id === item.id) return index;
  }
  return -1;
}

/** The copy `rows` hold of `item`'s message (which may be newer than `item`). */
export function findIn(
  rows: readonly QueueItem[],
  item: Pick<QueueItem, 'id' | 'createdAt'>,
): QueueItem | undefined {
  return rows[indexIn(rows, item)];
}

/** Takes `item`'s copy out of `rows`, if they hold it where its order puts it. */
export function removeFrom(rows: QueueItem[], item: QueueItem): void {
  const index = placeIn(rows, cursorOf(item));
  if (rows[index]?.id === item.id) rows.splice(index, 1);
}

/**
 * Puts `run` (already in the screen's order) into `rows` at its places. Only the rows from the run's
 * first place on are rewritten: a page, which comes after every earlier page, is nearly an append.
 */
export function mergeInto(rows: QueueItem[], run: readonly QueueItem[]): void {
  const first = run[0];
  if (!first) return;
  const from = placeIn(rows, cursorOf(first));
  const tail = rows.splice(from).values();
  let next = tail.next();
  for (const item of run) {
    for (; !next.done && compareOutboxItems(next.value, item) < 0; next = tail.next()) rows.push(next.value);
    rows.push(item);
  }
  for (; !next.done; next = tail.next()) rows.push(next.value);
}
