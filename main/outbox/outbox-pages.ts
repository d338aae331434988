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

/** The queue as read once: in the screen's order, and its counts. */
export interface OrderedQueue {
  readonly rows: readonly QueueItem[];
  readonly counts: OutboxCounts;
}

export function orderQueue(items: readonly QueueItem[]): OrderedQueue {
  return { rows: items.toSorted(compareOutboxItems), counts: countOutbox(items) };
}

/** The first row strictly after `cursor` (a binary search: the rows are in order). */
function startAfter(rows: readonly QueueItem[], cursor: OutboxCursor): number {
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

/** The `limit` rows after `cursor`, where the next page starts, and the queue's counts. */
export function pageOf(queue: OrderedQueue, request: PageRequest): OutboxPage {
  const start = request.cursor ? startAfter(queue.rows, request.cursor) : 0;
  const rows = queue.rows.slice(start, start + request.limit);
  const last = rows.at(-1);
  return {
    items: rows,
    ...(last && start + request.limit < queue.rows.length ? { next: cursorOf(last) } : {}),
    counts: queue.counts,
  };
}

/** One page over `items` (the whole queue, in any order), read now. Pure. */
export const outboxPage = (items: readonly QueueItem[], request: PageRequest): OutboxPage =>
  pageOf(orderQueue(items), request);

/** How long the pages after a first one may come from its reading of the queue. */
const REUSE_MS = 5_000;

/**
 * Pages for the window. A first page reads the queue afresh; the pages after it come from that
 * reading while it is recent, so loading 100,000 reads and sorts them a few times, not a hundred.
 * Their rows may be older than the queue by then, which the renderer allows for: it subscribed to
 * `outbox:changed` before asking the first page, and an event wins over a page (outbox-mirror.ts).
 * The reading is let go with the last page.
 */
export class OutboxPager {
  private reading: { queue: OrderedQueue; readAt: number } | undefined;
  private readonly read: () => readonly QueueItem[];
  private readonly now: () => number;

  constructor(read: () => readonly QueueItem[], now: () => number = Date.now) {
    this.read = read;
    this.now = now;
  }

  page(request: PageRequest): OutboxPage {
    const now = this.now();
    if (!request.cursor || !this.reading || now - this.reading.readAt > REUSE_MS)
      this.reading = { queue: orderQueue(this.read()), readAt: now };
    const page = pageOf(this.reading.queue, request);
    if (!page.next) this.reading = undefined;
    return page;
  }
}
