import { describe, expect, it } from 'vitest';
import { OutboxPager, outboxPage } from '../../../main/outbox/outbox-pages.ts';
import type { OutboxCursor } from '../../../preload/contract/outbox-page.ts';
import type { QueueItem, QueueState } from '../../../preload/contract/outbox.ts';

function item(id: string, minute: number, state: QueueState = 'queued', accountId = 'work'): QueueItem {
  return {
    id,
    messageId: `<${id}@example.org>`,
    accountId,
    from: 'ann@example.org',
    subject: id,
    recipients: [{ address: 'bob@example.com', kind: 'to', state: 'pending' }],
    state,
    attempts: 0,
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString(),
    sizeBytes: 100,
    attachmentCount: 0,
  };
}

const ids = (items: readonly QueueItem[]) => items.map((each) => each.id);

/** Every page in turn, the queue changed by `between` before each page after the first. */
function allPages(
  queue: QueueItem[],
  limit: number,
  between: (pageIndex: number, queue: QueueItem[]) => QueueItem[] = (_, q) => q,
): string[][] {
  const pages: string[][] = [];
  let cursor: OutboxCursor | undefined;
  let current = queue;
  do {
    if (pages.length > 0) current = between(pages.length, current);
    const page = outboxPage(current, { cursor, limit });
    pages.push(ids(page.items));
    cursor = page.next;
  } while (cursor);
  return pages;
}

describe('outboxPage', () => {
  it.each([
    {
      name: 'newest first',
      queue: [item('a', 1), item('b', 3), item('c', 2)],
      order: ['b', 'c', 'a'],
    },
    {
      name: 'sending on top, newest first among them',
      queue: [item('a', 1, 'sending'), item('b', 3), item('c', 2, 'sending'), item('d', 4, 'failed')],
      order: ['c', 'a', 'd', 'b'],
    },
    {
      name: 'the same time: the id decides, so the order is total',
      queue: [item('x1', 5), item('x3', 5), item('x2', 5)],
      order: ['x3', 'x2', 'x1'],
    },
    { name: 'an empty queue', queue: [], order: [] },
  ])('orders the list: $name', ({ queue, order }) => {
    const page = outboxPage(queue, { limit: 1000 });
    expect(ids(page.items)).toEqual(order);
    expect(page.next).toBeUndefined();
  });

  it.each([
    { count: 10, limit: 3, pages: [3, 3, 3, 1] },
    { count: 9, limit: 3, pages: [3, 3, 3] },
    { count: 2, limit: 3, pages: [2] },
    { count: 1000, limit: 1000, pages: [1000] },
    { count: 1001, limit: 1000, pages: [1000, 1] },
  ])('pages through $count messages $limit at a time', ({ count, limit, pages }) => {
    const queue = Array.from({ length: count }, (_, i) => item(`m${String(i).padStart(4, '0')}`, i % 7));
    const seen = allPages(queue, limit);
    expect(seen.map((page) => page.length)).toEqual(pages);
    expect(seen.flat()).toEqual(ids(outboxPage(queue, { limit: count }).items));
  });

  // Between two pages, the queue moves on. Whatever changed before the cursor is the renderer's
  // events' business; a page must neither skip nor repeat a message that stayed where it was.
  it.each([
    {
      name: 'newer messages added (they land above the cursor)',
      change: (q: QueueItem[]) => [...q, item('new1', 50), item('new2', 51)],
      expected: ['m9', 'm8', 'm7', 'm6', 'm5', 'm4', 'm3', 'm2', 'm1', 'm0'],
    },
    {
      name: 'an older message added (it lands below the cursor and comes in a later page)',
      change: (q: QueueItem[]) => (q.some((x) => x.id === 'old') ? q : [...q, item('old', -5)]),
      expected: ['m9', 'm8', 'm7', 'm6', 'm5', 'm4', 'm3', 'm2', 'm1', 'm0', 'old'],
    },
    {
      name: 'the last row of the previous page removed (the cursor is a place, not a row)',
      change: (q: QueueItem[]) => q.filter((x) => x.id !== 'm7'),
      expected: ['m9', 'm8', 'm7', 'm6', 'm5', 'm4', 'm3', 'm2', 'm1', 'm0'],
    },
    {
      name: 'rows already paged removed (an offset would skip as many)',
      change: (q: QueueItem[]) => q.filter((x) => x.id !== 'm9' && x.id !== 'm8'),
      expected: ['m9', 'm8', 'm7', 'm6', 'm5', 'm4', 'm3', 'm2', 'm1', 'm0'],
    },
    {
      name: 'a row not yet paged removed',
      change: (q: QueueItem[]) => q.filter((x) => x.id !== 'm2'),
      expected: ['m9', 'm8', 'm7', 'm6', 'm5', 'm4', 'm3', 'm1', 'm0'],
    },
    {
      name: 'a row not yet paged starts sending (it jumps above the cursor)',
      change: (q: QueueItem[]) => q.map((x) => (x.id === 'm1' ? { ...x, state: 'sending' as const } : x)),
      expected: ['m9', 'm8', 'm7', 'm6', 'm5', 'm4', 'm3', 'm2', 'm0'],
    },
  ])('$name', ({ change, expected }) => {
    const queue = Array.from({ length: 10 }, (_, i) => item(`m${i}`, i));
    expect(allPages(queue, 3, (_, q) => change(q)).flat()).toEqual(expected);
  });

  it('counts the whole queue on every page: by state, in all, unsent per account', () => {
    const queue = [
      item('a', 1, 'queued', 'work'),
      item('b', 2, 'failed', 'work'),
      item('c', 3, 'sent', 'work'),
      item('d', 4, 'queued', 'home'),
      item('e', 5, 'held', '__proto__'),
    ];
    const counts = { total: 5, byState: { queued: 2, failed: 1, sent: 1, held: 1 } };
    const first = outboxPage(queue, { limit: 2 });
    expect(first.counts).toMatchObject(counts);
    expect(first.counts.unsentByAccount).toEqual(
      Object.fromEntries([
        ['work', 2],
        ['home', 1],
        ['__proto__', 1],
      ]),
    );
    expect(outboxPage(queue, { cursor: first.next, limit: 2 }).counts).toMatchObject(counts);
  });
});

describe('OutboxPager', () => {
  /** A queue of 10 and a clock the test moves; counts the reads of the queue. */
  function pager() {
    const clock = { now: 0 };
    const queue = Array.from({ length: 10 }, (_, i) => item(`m${i}`, i));
    const reads = { count: 0 };
    const read = () => {
      reads.count++;
      return queue;
    };
    const items = { count: 0 };
    const itemOf = (row: QueueItem) => {
      items.count++;
      return row;
    };
    return { clock, queue, reads, items, pager: new OutboxPager(read, itemOf, () => clock.now) };
  }

  it('reads the queue for a first page, and serves the pages after it from that reading', () => {
    const t = pager();
    const first = t.pager.page({ limit: 4 });
    t.queue.push(item('later', 99));
    const second = t.pager.page({ cursor: first.next, limit: 4 });
    const third = t.pager.page({ cursor: second.next, limit: 4 });
    expect([first, second, third].map((page) => ids(page.items))).toEqual([
      ['m9', 'm8', 'm7', 'm6'],
      ['m5', 'm4', 'm3', 'm2'],
      ['m1', 'm0'],
    ]);
    expect(third.counts.total).toBe(10);
    expect(t.reads.count).toBe(1);
  });

  it('makes the items of a page’s own rows only', () => {
    const t = pager();
    const first = t.pager.page({ limit: 4 });
    expect(t.items.count).toBe(4);
    t.pager.page({ cursor: first.next, limit: 3 });
    expect(t.items.count).toBe(7);
  });

  it('leaves out a row whose message is gone by the time its page is made', () => {
    const clock = { now: 0 };
    const queue = Array.from({ length: 5 }, (_, i) => item(`m${i}`, i));
    const pager = new OutboxPager(
      () => queue,
      (row) => (row.id === 'm3' ? undefined : row),
      () => clock.now,
    );
    const page = pager.page({ limit: 3 });
    expect(ids(page.items)).toEqual(['m4', 'm2']);
    expect(page.next).toEqual(expect.objectContaining({ id: 'm2' }));
    expect(page.counts.total).toBe(5);
  });

  it.each([
    { name: 'a first page again', step: (t: ReturnType<typeof pager>) => t.pager.page({ limit: 4 }) },
    {
      name: 'a later page once the reading is over 5 s old',
      step: (t: ReturnType<typeof pager>, next?: OutboxCursor) => {
        t.clock.now += 5_001;
        return t.pager.page({ cursor: next, limit: 4 });
      },
    },
    {
      name: 'a later page after the last page let the reading go',
      step: (t: ReturnType<typeof pager>, next?: OutboxCursor) => {
        t.pager.page({ limit: 100 });
        return t.pager.page({ cursor: next, limit: 4 });
      },
    },
  ])('reads afresh for $name', ({ step }) => {
    const t = pager();
    const first = t.pager.page({ limit: 4 });
    const readsBefore = t.reads.count;
    t.queue.push(item('new', -1));
    const page = step(t, first.next);
    expect(page.counts.total).toBe(11);
    expect(t.reads.count).toBeGreaterThan(readsBefore);
  });
});
