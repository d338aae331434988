import {
  compareOutboxItems,
  compareOutboxOrder,
  countOutbox,
  cursorOf,
  type OutboxCounts,
  type OutboxCursor,
  type OutboxPage,
} from '../../preload/contract/outbox-page.ts';
import type { QueueItem } from '../../preload/contract/outbox.ts';

export interface PageRequest {
  readonly cursor?: OutboxCursor | undefined;
  readonly limit: number;
}

/**
 * What the list's order and counts need of a message (no record is read for it); a page reads
 * the rest for its own rows only.
 */
export type OutboxRow = Pick<QueueItem, 'id' | 'accountId' | 'state' | 'createdAt'>;

/** The queue as read once: in the screen's order, and its counts. */
export interface OrderedQueue<Row extends OutboxRow = QueueItem> {
  readonly rows: readonly Row[];
  readonly counts: OutboxCounts;
}

export function orderQueue<Row extends OutboxRow>(rows: readonly Row[]): OrderedQueue<Row> {
  return { rows: rows.toSorted(compareOutboxItems), counts: countOutbox(rows) };
}

/** The first row strictly after `cursor` (a binary search: the rows are in order). */
function startAfter(rows: readonly OutboxRow[], cursor: OutboxCursor): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const row = rows[middle];
    if (row && compareOutboxOrder(cursorOf(row), cursor) <= 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * The `limit` rows after `cursor` as `itemOf` makes them (a row whose message is gone by then is
 * left out), where the next page starts, and the queue's counts.
 */
export function pageOf<Row extends OutboxRow>(
  queue: OrderedQueue<Row>,
  request: PageRequest,
  itemOf: (row: Row) => QueueItem | undefined,
): OutboxPage {
  const start = request.cursor ? startAfter(queue.rows, request.cursor) : 0;
  const rows = queue.rows.slice(start, start + request.limit);
  const last = rows.at(-1);
  return {
    items: rows.flatMap((row) => itemOf(row) ?? []),
    ...(last && start + request.limit < queue.rows.length ? { next: cursorOf(last) } : {}),
    counts: queue.counts,
  };
}

/** One page over `items` (the whole queue, in any order), read now. Pure. */
export const outboxPage = (items: readonly QueueItem[], request: PageRequest): OutboxPage =>
  pageOf(orderQueue(items), request, (item) => item);

/** How long the pages after a first one may come from its reading of the queue. */
const REUSE_MS = 5_000;

/**
 * Pages for the window. A first page reads the queue's rows afresh; the pages after it come from
 * that reading while it is recent, so loading 100,000 sorts them a few times, not a hundred. Each
 * page reads the items of its own rows only (`itemOf`), as they are now. The reading's order may
 * be older than the queue by then, which the renderer allows for: it subscribed to
 * `outbox:changed` before asking the first page, and an event wins over a page (outbox-mirror.ts).
 * The reading is let go with the last page.
 */
export class OutboxPager<Row extends OutboxRow = QueueItem> {
  private reading: { queue: OrderedQueue<Row>; readAt: number } | undefined;
  private readonly read: () => readonly Row[];
  private readonly itemOf: (row: Row) => QueueItem | undefined;
  private readonly now: () => number;

  constructor(
    read: () => readonly Row[],
    itemOf: (row: Row) => QueueItem | undefined,
    now: () => number = Date.now,
  ) {
    this.read = read;
    this.itemOf = itemOf;
    this.now = now;
  }

  page(request: PageRequest): OutboxPage {
    const now = this.now();
    if (!request.cursor || !this.reading || now - this.reading.readAt > REUSE_MS)
      this.reading = { queue: orderQueue(this.read()), readAt: now };
    const page = pageOf(this.reading.queue, request, this.itemOf);
    if (!page.next) this.reading = undefined;
    return page;
  }
}
