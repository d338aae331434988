import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareOutboxItems } from '../../../preload/contract/outbox-page.ts';
import type { OutboxChanged, QueueItem, QueueState } from '../../../preload/contract/outbox.ts';
import { OutboxMirror } from '../../../renderer/src/shared/outbox-mirror.ts';
import { sampleItem } from '../../support/sample-item.ts';

const item = (id: string, state: QueueState = 'queued', attempts = 0, createdAt?: string): QueueItem =>
  sampleItem(id, { state, attempts, createdAt: createdAt ?? '2026-01-01T00:00:00.000Z' });

type Step = { page: QueueItem[] } | { event: OutboxChanged } | 'complete';

function replayRows(steps: readonly Step[]): readonly QueueItem[] {
  const mirror = new OutboxMirror();
  for (const step of steps) {
    if (step === 'complete') mirror.complete();
    else if ('page' in step) mirror.page(step.page);
    else mirror.change(step.event);
  }
  return mirror.snapshot();
}

function replay(steps: readonly Step[]): Record<string, string> {
  const rows = replayRows(steps);
  expect(rows).toEqual(rows.toSorted(compareOutboxItems));
  return Object.fromEntries(rows.map((each) => [each.id, each.state]));
}

const upsert = (...items: QueueItem[]): Step => ({ event: { upserted: items, removed: [], states: [] } });
const remove = (...ids: string[]): Step => ({ event: { upserted: [], removed: ids, states: [] } });
const restate = (id: string, state: QueueState): Step => ({
  event: { upserted: [], removed: [], states: [{ id, state }] },
});

describe('OutboxMirror: pages and events in the order they arrive', () => {
  it.each<{ name: string; steps: Step[]; expected: Record<string, string> }>([
    {
      name: 'pages add up',
      steps: [{ page: [item('a'), item('b')] }, { page: [item('c')] }, 'complete'],
      expected: { a: 'queued', b: 'queued', c: 'queued' },
    },
    {
      name: 'an event before the first page wins over the page (the page was read before it went out)',
      steps: [upsert(item('a', 'deferred', 1)), { page: [item('a'), item('b')] }, 'complete'],
      expected: { a: 'deferred', b: 'queued' },
    },
    {
      name: 'an event between pages wins over a later page’s older copy',
      steps: [{ page: [item('a')] }, upsert(item('b', 'sending')), { page: [item('b')] }, 'complete'],
      expected: { a: 'queued', b: 'sending' },
    },
    {
      name: 'a removal between pages is not undone by a later page',
      steps: [{ page: [item('a')] }, remove('b'), { page: [item('b'), item('c')] }, 'complete'],
      expected: { a: 'queued', c: 'queued' },
    },
    {
      name: 'a removal before the first page is not undone by it',
      steps: [remove('a'), { page: [item('a'), item('b')] }, 'complete'],
      expected: { b: 'queued' },
    },
    {
      name: 'a message queued while pages come (above the cursor: no page brings it)',
      steps: [{ page: [item('a')] }, upsert(item('new')), { page: [item('b')] }, 'complete'],
      expected: { a: 'queued', new: 'queued', b: 'queued' },
    },
    {
      name: 'an event after a page updates that page’s copy',
      steps: [{ page: [item('a')] }, upsert(item('a', 'failed', 3)), 'complete'],
      expected: { a: 'failed' },
    },
    {
      name: 'once complete, events alone change it (a message removed then queued again)',
      steps: [{ page: [item('a')] }, 'complete', remove('a'), upsert(item('a', 'queued'))],
      expected: { a: 'queued' },
    },
    {
      name: 'a state alone changes the copy held (its account was paused)',
      steps: [{ page: [item('a'), item('b')] }, restate('a', 'held'), 'complete'],
      expected: { a: 'held', b: 'queued' },
    },
    {
      name: 'a state given before the page that brings the message is the page copy’s',
      steps: [restate('a', 'held'), { page: [item('a'), item('b')] }, 'complete'],
      expected: { a: 'held', b: 'queued' },
    },
    {
      name: 'a whole copy after a state wins over it, and a later page’s older copy does not',
      steps: [restate('a', 'held'), upsert(item('a', 'deferred', 1)), { page: [item('a')] }, 'complete'],
      expected: { a: 'deferred' },
    },
    {
      name: 'a state for a message not in the list once every page is in adds nothing',
      steps: [{ page: [item('a')] }, 'complete', restate('b', 'held')],
      expected: { a: 'queued' },
    },
  ])('$name', ({ steps, expected }) => {
    expect(replay(steps)).toEqual(expected);
  });
});

/** The rules above the simple way (every copy in a map, sorted at the end), to hold the mirror to. */
function reference(steps: readonly Step[]): QueueItem[] {
  const items = new Map<string, QueueItem>();
  let named: Set<string> | undefined = new Set();
  /** States given for messages no event gave whole, while pages come. */
  const given = new Map<string, QueueState>();
  for (const step of steps) {
    if (step === 'complete') {
      named = undefined;
      given.clear();
    } else if ('page' in step) {
      for (const each of step.page) {
        const state = given.get(each.id);
        if (!named?.has(each.id)) items.set(each.id, state === undefined ? each : { ...each, state });
      }
    } else {
      const { upserted, removed, states } = step.event;
      const whole = new Set([...upserted.map((each) => each.id), ...removed]);
      for (const each of upserted) {
        items.set(each.id, each);
        named?.add(each.id);
        given.delete(each.id);
      }
      for (const { id, state } of states) {
        if (whole.has(id)) continue;
        if (named && !named.has(id)) given.set(id, state);
        const held = items.get(id);
        if (held) items.set(id, { ...held, state });
      }
      for (const id of removed) {
        items.delete(id);
        named?.add(id);
        given.delete(id);
      }
    }
  }
  return [...items.values()].sort(compareOutboxItems);
}

/** Few ids and times, so messages often share a creation time and come back in other states. */
const anItem = fc
  .record({
    id: fc.integer({ min: 0, max: 30 }),
    state: fc.constantFrom<QueueState>('queued', 'sending', 'deferred', 'failed'),
    second: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ id, state, second }) =>
    item(`m${String(id)}`, state, 0, `2026-01-01T00:00:0${String(second)}.000Z`),
  );
/** A page is in the screen's order, as the core answers. */
const aPage = fc
  .array(anItem, { maxLength: 12 })
  .map((items): Step => ({ page: items.toSorted(compareOutboxItems) }));
/** Up to more messages than the mirror splices out one by one, so both ways of removing are taken. */
const anEvent = fc
  .record({
    upserted: fc.array(anItem, { maxLength: 24 }),
    removed: fc.array(
      anItem.map((each) => each.id),
      { maxLength: 30 },
    ),
    states: fc.array(
      anItem.map(({ id, state }) => ({ id, state })),
      { maxLength: 12 },
    ),
  })
  .map((event): Step => ({ event }));

describe('OutboxMirror: the rows in the screen’s order', () => {
  it('holds what the rules say, in the contract’s order, whatever the pages and events', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(aPage, anEvent, fc.constant<Step>('complete')), { maxLength: 30 }),
        (steps) => {
          expect(replayRows(steps)).toEqual(reference(steps));
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a batch naming many messages at once (more than are taken out one by one)', () => {
    const ids = Array.from({ length: 60 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    const steps: Step[] = [
      { page: ids.map((id) => item(id)).toSorted(compareOutboxItems) },
      remove(...ids.filter((_, i) => i % 3 === 0)),
      upsert(...ids.filter((_, i) => i % 3 === 1).map((id) => item(id, 'sending'))),
    ];
    const rows = replayRows(steps);
    expect(rows).toEqual(reference(steps));
    expect(rows).toHaveLength(40);
  });

  it('a snapshot handed out does not change with what comes after', () => {
    const mirror = new OutboxMirror();
    mirror.page([item('b'), item('a')]);
    const first = mirror.snapshot();
    mirror.change({ upserted: [item('c'), item('a', 'sending')], removed: ['b'], states: [] });
    mirror.page([item('d', 'queued', 0, '2025-12-31T00:00:00.000Z')]);
    expect(first.map((each) => each.id)).toEqual(['b', 'a']);
    expect(mirror.snapshot().map((each) => each.id)).toEqual(['a', 'c', 'd']);
  });
});

/** What happens in main while the renderer loads the list: the queue changes, pages are read. */
type MainStep =
  | { readonly kind: 'put'; readonly item: QueueItem }
  | { readonly kind: 'remove'; readonly id: string }
  | { readonly kind: 'restate'; readonly id: string; readonly state: QueueState }
  | { readonly kind: 'read page' }
  | { readonly kind: 'deliver page' };

const aMainStep: fc.Arbitrary<MainStep> = fc.oneof(
  anItem.map((item) => ({ kind: 'put' as const, item })),
  anItem.map(({ id }) => ({ kind: 'remove' as const, id })),
  anItem.map(({ id, state }) => ({ kind: 'restate' as const, id, state })),
  fc.constant({ kind: 'read page' as const }),
  fc.constant({ kind: 'deliver page' as const }),
);

describe('OutboxMirror against the queue it mirrors', () => {
  it('ends as main’s queue is, whatever changed while pages were read and on their way', () => {
    fc.assert(
      fc.property(
        fc.array(anItem, { maxLength: 12 }),
        fc.array(aMainStep, { maxLength: 40 }),
        (before, steps) => {
          // Main's queue: what it held when the renderer subscribed (told by no event), split into
          // pages of up to 3 messages, each page read at one moment and answered later, in order;
          // every change after that told at once, as the feed tells it.
          const truth = new Map(before.map((item) => [item.id, item]));
          const unread = chunks([...truth.keys()], 3);
          const readPage = () =>
            (unread.shift() ?? []).flatMap((id) => truth.get(id) ?? []).toSorted(compareOutboxItems);
          const mirror = new OutboxMirror();
          const onTheirWay: QueueItem[][] = [];
          const tell = (event: Partial<OutboxChanged>) => {
            mirror.change({ upserted: [], removed: [], states: [], ...event });
          };
          for (const step of steps) {
            if (step.kind === 'put') {
              truth.set(step.item.id, step.item);
              tell({ upserted: [step.item] });
            } else if (step.kind === 'remove') {
              truth.delete(step.id);
              tell({ removed: [step.id] });
            } else if (step.kind === 'restate') {
              const held = truth.get(step.id);
              if (!held) continue;
              truth.set(step.id, { ...held, state: step.state });
              tell({ states: [{ id: step.id, state: step.state }] });
            } else if (step.kind === 'read page') {
              onTheirWay.push(readPage());
            } else {
              const page = onTheirWay.shift();
              if (page) mirror.page(page);
            }
          }
          // The pages still on their way, then the rest, read now.
          for (const page of onTheirWay) mirror.page(page);
          while (unread.length > 0) mirror.page(readPage());
          mirror.complete();
          expect(mirror.snapshot()).toEqual([...truth.values()].toSorted(compareOutboxItems));
        },
      ),
      { numRuns: 3000 },
    );
  });
});

function chunks<T>(values: readonly T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(values.length / size) }, (_, i) =>
    values.slice(i * size, i * size + size),
  );
}
