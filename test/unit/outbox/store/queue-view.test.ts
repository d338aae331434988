import { describe, expect, it } from 'vitest';
import {
  decodeFrames,
  encodeFrame,
  type DecodedFrame,
  type LogEntry,
} from '../../../../main/outbox/store/queue-log-format.ts';
import type { QueueRecord } from '../../../../main/outbox/store/queue-record.ts';
import { QueueView, type ViewEntry } from '../../../../main/outbox/store/queue-view.ts';
import { sampleRecord } from '../../../support/sample-record.ts';

const record = sampleRecord;
/** The segments holding an entry's state. */
const holdersOf = (entry: ViewEntry | undefined) => new Set(entry?.holderNames());
/** What an entry says, as plain data (an entry reads the index's columns). */
const fieldsOf = (entry: ViewEntry | undefined) =>
  entry && {
    rev: entry.rev,
    live: entry.live && {
      state: entry.live.state,
      accountId: entry.live.accountId,
      attempts: entry.live.attempts,
      createdAt: entry.live.createdAt,
      storedSize: entry.live.storedSize,
      nextAttemptAt: entry.live.nextAttemptAt,
      sendAt: entry.live.sendAt,
      lastTriedAt: entry.live.lastTriedAt,
    },
    delivered: entry.delivered,
    removedAt: entry.removedAt,
    record: entry.record,
    sent: entry.sent,
    frame: entry.frame,
    holders: holdersOf(entry),
    bodies: entry.bodies(),
  };

const put = (rev: number, rec: QueueRecord, body?: { offset: number; length: number }): DecodedFrame => ({
  entry: { op: 'put', rev, record: rec },
  at: 0,
  ...(body ? { body } : {}),
});
const del = (id: string, rev: number): DecodedFrame => ({ entry: { op: 'del', id, rev }, at: 0 });

/** A fresh view with the frames applied in this order; returns what each apply reported. */
function applied(frames: readonly (readonly [string, DecodedFrame])[]): {
  view: QueueView;
  changes: unknown[];
} {
  const view = new QueueView();
  const changes = frames.map(([segment, frame]) => view.apply(segment, frame));
  return { view, changes };
}

const SENT = {
  id: 'x',
  messageId: '<x@example.org>',
  accountId: 'work',
  from: 'me@example.org',
  subject: 'x',
  sentAt: '2026-01-01T10:00:00.000Z',
  recipients: [],
  sizeBytes: 100,
  attempts: 1,
};

describe('queue view', () => {
  it('lets a delivery outcome win over a same-revision change made elsewhere, in either order', () => {
    const outcome = record('a', { attempts: 1, state: 'deferred' });
    const elsewhere = record('a', { state: 'queued', subject: 'zzz sorts last' });
    for (const frames of [
      [['s1', put(2, outcome)] as const, ['s2', put(2, elsewhere)] as const],
      [['s2', put(2, elsewhere)] as const, ['s1', put(2, outcome)] as const],
    ]) {
      expect(applied(frames).view.record('a')).toEqual(outcome);
    }
  });

  it('keeps the sent record when two removals meet, in either order', () => {
    const sent = { op: 'del', id: 'a', rev: 2, sent: { ...SENT, id: 'a' } } as const;
    const withSent: DecodedFrame = { entry: sent, at: 0 };
    for (const frames of [
      [['s1', withSent] as const, ['s2', del('a', 2)] as const],
      [['s2', del('a', 2)] as const, ['s1', withSent] as const],
    ]) {
      expect(applied(frames).view.entries.get('a')?.sent?.id).toBe('a');
    }
  });

  it('reads the writer and seal frames of a segment as decoded from disk', () => {
    const bytes = Buffer.concat([
      encodeFrame({ op: 'writer', pid: 77, started: '999' }),
      encodeFrame({ op: 'put', rev: 1, record: record('a') }, Buffer.from('bytes')),
      encodeFrame({ op: 'seal' }),
    ]);
    const view = new QueueView();
    const changes = decodeFrames(bytes).frames.map((frame) => view.apply('seg', frame));
    expect(changes).toEqual([undefined, 'a', undefined]);
    expect(view.segments.get('seg')).toMatchObject({ writer: { pid: 77, started: '999' }, sealed: true });
    expect(view.bodiesOf('a')).toHaveLength(1);
    expect(view.body('a')).toMatchObject({ segment: 'seg', length: 5 });
    expect(holdersOf(view.entries.get('a'))).toEqual(new Set(['seg']));
    expect(view.records()).toEqual([record('a')]);
  });

  it('takes the higher revision, in either order', () => {
    const older = put(1, record('a', { state: 'queued' }));
    const newer = put(2, record('a', { state: 'held' }));

    const forward = applied([
      ['s1', older],
      ['s2', newer],
    ]);
    expect(forward.changes).toEqual(['a', 'a']);
    expect(forward.view.record('a')?.state).toBe('held');
    expect(holdersOf(forward.view.entries.get('a'))).toEqual(new Set(['s2']));
    expect(forward.view.nextRev('a')).toBe(3);

    const backward = applied([
      ['s2', newer],
      ['s1', older],
    ]);
    expect(backward.changes).toEqual(['a', undefined]);
    expect(backward.view.record('a')?.state).toBe('held');
    expect(holdersOf(backward.view.entries.get('a'))).toEqual(new Set(['s2']));
    expect(backward.view.nextRev('a')).toBe(3);
  });

  it('keeps a removal over any put, whatever its revision and in either order', () => {
    const body = { offset: 40, length: 100 };
    for (const [putRev, delRev] of [
      [1, 2],
      [5, 1],
      [3, 3],
    ] as const) {
      const p = put(putRev, record('a'), body);
      const d = del('a', delRev);

      const putFirst = applied([
        ['s1', p],
        ['s2', d],
      ]);
      expect(putFirst.changes).toEqual(['a', 'a']);
      expect(putFirst.view.record('a')).toBeUndefined();
      expect(putFirst.view.records()).toEqual([]);
      expect(putFirst.view.entries.get('a')).toMatchObject({ rev: delRev, live: undefined });
      expect(putFirst.view.bodiesOf('a')).toEqual([]);

      const delFirst = applied([
        ['s2', d],
        ['s1', p],
      ]);
      expect(delFirst.changes).toEqual(['a', undefined]);
      expect(delFirst.view.record('a')).toBeUndefined();
      expect(delFirst.view.records()).toEqual([]);
      expect(delFirst.view.entries.get('a')).toMatchObject({ rev: delRev, live: undefined });
      for (const { view } of [putFirst, delFirst])
        expect(holdersOf(view.entries.get('a'))).toEqual(new Set(['s2']));
    }
  });

  it('agrees on one winner between two different states with the same revision, in either order', () => {
    const held = put(2, record('a', { state: 'held' }));
    const failed = put(2, record('a', { state: 'failed', attempts: 1 }));

    const one = applied([
      ['s1', held],
      ['s2', failed],
    ]);
    const other = applied([
      ['s2', failed],
      ['s1', held],
    ]);
    const winner = one.view.record('a');
    expect(winner).toBeDefined();
    expect(other.view.record('a')).toEqual(winner);
    // Only the segment holding the winning state holds it.
    const holders = holdersOf(one.view.entries.get('a'));
    expect(holders).toEqual(new Set([winner?.state === 'held' ? 's1' : 's2']));
    expect(holdersOf(other.view.entries.get('a'))).toEqual(holders);
    // Exactly one of the two orders saw the second frame change the state.
    expect([one.changes[1], other.changes[1]].filter((c) => c === 'a')).toHaveLength(1);
  });

  it('takes an identical state from another segment as a relocated copy, not a change', () => {
    const view = new QueueView();
    const original = record('a');
    expect(view.apply('old', put(1, original, { offset: 30, length: 100 }))).toBe('a');
    const entry = fieldsOf(view.entries.get('a'));

    // The compactor's copy: same revision, same state, its own copy of the bytes.
    expect(view.apply('new', put(1, record('a'), { offset: 500, length: 100 }))).toBeUndefined();
    expect({ ...fieldsOf(view.entries.get('a')), holders: undefined, bodies: undefined }).toEqual({
      ...entry,
      holders: undefined,
      bodies: undefined,
    });
    expect(holdersOf(view.entries.get('a'))).toEqual(new Set(['old', 'new']));
    expect(view.record('a')).toBe(original);
    // The newest place first: the old one is the one compaction reclaims.
    expect(view.bodiesOf('a')).toEqual([
      { segment: 'new', offset: 500, length: 100 },
      { segment: 'old', offset: 30, length: 100 },
    ]);
    expect(view.body('a')).toEqual({ segment: 'new', offset: 500, length: 100 });
    expect(view.segments.get('new')?.ids?.has('a')).toBe(true);

    // A copied removal relocates the same way.
    view.apply('old', del('b', 4));
    expect(view.apply('new', del('b', 4))).toBeUndefined();
    expect(view.entries.get('b')).toMatchObject({ rev: 4, live: undefined });
    expect(holdersOf(view.entries.get('b'))).toEqual(new Set(['old', 'new']));

    // A newer state is held only where it was written, whatever held the older one.
    expect(view.apply('newest', put(2, record('a', { state: 'held' })))).toBe('a');
    expect(holdersOf(view.entries.get('a'))).toEqual(new Set(['newest']));
    expect(view.bodiesOf('a')).toHaveLength(2);
  });

  it('forgets, when a segment is dropped, a tombstone held only there and a body reference into it', () => {
    const view = new QueueView();
    // A removal read only from `gone`.
    view.apply('gone', put(1, record('removed')));
    view.apply('gone', del('removed', 2));
    // A removal that was copied to `kept`.
    view.apply('gone', del('copied', 3));
    view.apply('kept', del('copied', 3));
    // A live message whose newest state was copied to `kept` without its bytes: they stay in `gone`.
    view.apply('gone', put(1, record('live'), { offset: 10, length: 100 }));
    view.apply('kept', put(1, record('live')));
    // A live message whose bytes were copied along.
    view.apply('gone', put(1, record('moved'), { offset: 200, length: 100 }));
    view.apply('kept', put(1, record('moved'), { offset: 20, length: 100 }));
    // A live message read only from `gone`: removal is never inferred, only read from a `del`.
    view.apply('gone', put(2, record('only-there', { state: 'held' })));
    expect(view.entries.has('removed')).toBe(true);
    expect(view.bodiesOf('live')).toEqual([{ segment: 'gone', offset: 10, length: 100 }]);

    view.dropSegment('gone');

    expect(view.segments.has('gone')).toBe(false);
    expect(view.entries.has('removed')).toBe(false);
    expect(view.nextRev('removed')).toBe(1);
    expect(view.entries.get('copied')).toMatchObject({ rev: 3, live: undefined });
    expect(holdersOf(view.entries.get('copied'))).toEqual(new Set(['kept']));
    expect(view.record('live')).toEqual(record('live'));
    expect(holdersOf(view.entries.get('live'))).toEqual(new Set(['kept']));
    expect(view.bodiesOf('live')).toEqual([]);
    expect(view.body('live')).toBeUndefined();
    expect(view.bodiesOf('moved')).toEqual([{ segment: 'kept', offset: 20, length: 100 }]);
    expect(
      view
        .records()
        .map((r) => r.id)
        .sort(),
    ).toEqual(['live', 'moved', 'only-there']);
    expect(view.record('only-there')?.state).toBe('held');
    // Held nowhere any more, yet still live.
    expect(holdersOf(view.entries.get('only-there'))).toEqual(new Set());

    // Dropping a segment the view never saw changes nothing.
    view.dropSegment('never');
    expect(view.entries.size).toBe(4);
  });

  it('keeps what a compactor copied when the original segment is dropped, whichever of the two was read first', () => {
    const original = put(1, record('a'), { offset: 30, length: 100 });
    const copy = put(1, record('a'), { offset: 500, length: 100 });
    for (const order of [
      [
        ['orig', original],
        ['copy', copy],
      ],
      [
        ['copy', copy],
        ['orig', original],
      ],
    ] as const) {
      const { view } = applied([
        ...order,
        ['orig', del('b', 4)],
        ['copy', del('b', 4)],
        ['older', put(1, record('b'))],
      ]);
      expect(holdersOf(view.entries.get('a'))).toEqual(new Set(['orig', 'copy']));
      expect(holdersOf(view.entries.get('b'))).toEqual(new Set(['orig', 'copy']));

      view.dropSegment('orig');

      expect(view.record('a')).toEqual(record('a'));
      expect(holdersOf(view.entries.get('a'))).toEqual(new Set(['copy']));
      expect(view.bodiesOf('a')).toEqual([{ segment: 'copy', offset: 500, length: 100 }]);
      expect(view.body('a')).toEqual({ segment: 'copy', offset: 500, length: 100 });
      // The copied removal still stands over the older put.
      expect(view.entries.get('b')).toMatchObject({ rev: 4, live: undefined });
      expect(holdersOf(view.entries.get('b'))).toEqual(new Set(['copy']));
      expect(view.nextRev('b')).toBe(5);

      view.dropSegment('copy');
      expect(view.record('a')).toEqual(record('a'));
      expect(holdersOf(view.entries.get('a'))).toEqual(new Set());
      expect(view.bodiesOf('a')).toEqual([]);
      expect(view.entries.has('b')).toBe(false);
    }
  });

  it('keeps no reference to the bytes of a removed message, whichever of its frames is read first', () => {
    const permutations = <T>(items: readonly T[]): T[][] =>
      items.length <= 1
        ? [[...items]]
        : items.flatMap((item, i) =>
            permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]),
          );
    for (const [putRev, delRev] of [
      [1, 2],
      [5, 1],
      [3, 3],
    ] as const) {
      const original = ['s1', put(putRev, record('a'), { offset: 40, length: 100 })] as const;
      // The compactor's copy of the same state, with its own copy of the bytes.
      const copy = ['s3', put(putRev, record('a'), { offset: 900, length: 100 })] as const;
      const removal = ['s2', del('a', delRev)] as const;
      for (const frames of [
        [original, removal],
        [original, copy, removal],
      ]) {
        for (const order of permutations(frames)) {
          const { view } = applied(order);
          expect(view.record('a')).toBeUndefined();
          expect(view.entries.get('a')).toMatchObject({ rev: delRev, live: undefined });
          expect(view.bodiesOf('a')).toEqual([]);
          expect(view.body('a')).toBeUndefined();
          // Still none once the removal's own segment is gone and the tombstone with it.
          view.dropSegment('s2');
          expect(view.entries.has('a')).toBe(false);
          expect(view.bodiesOf('a')).toEqual([]);
        }
      }
    }
  });

  it('tells whether a segment outside a set still has a frame of a message', () => {
    const view = new QueueView();
    view.apply('a', put(1, record('m')));
    view.apply('b', del('m', 2));
    view.apply('c', put(1, record('other')));

    expect(view.heldElsewhere('m', new Set())).toBe(true);
    expect(view.heldElsewhere('m', new Set(['b']))).toBe(true);
    expect(view.heldElsewhere('m', new Set(['a']))).toBe(true);
    expect(view.heldElsewhere('m', new Set(['a', 'b']))).toBe(false);
    expect(view.heldElsewhere('m', new Set(['a', 'b', 'c']))).toBe(false);
    expect(view.heldElsewhere('unknown', new Set())).toBe(false);

    view.dropSegment('a');
    expect(view.heldElsewhere('m', new Set(['b']))).toBe(false);
  });

  it('gives every frame kind the same view whatever order the segments are read in', () => {
    const frames: [string, LogEntry][] = [
      ['s1', { op: 'put', rev: 1, record: record('x') }],
      ['s2', { op: 'put', rev: 2, record: record('x', { state: 'deferred', attempts: 1 }) }],
      ['s3', { op: 'put', rev: 2, record: record('x', { state: 'held' }) }],
      ['s1', { op: 'put', rev: 1, record: record('y') }],
      ['s2', { op: 'del', id: 'y', rev: 2 }],
      ['s3', { op: 'put', rev: 3, record: record('y', { state: 'held' }) }],
    ];
    const shuffled = [2, 0, 5, 4, 1, 3].flatMap((i) => frames.slice(i, i + 1));
    const states = [frames, [...frames].reverse(), shuffled]
      .map((order) => applied(order.map(([s, e]) => [s, { entry: e, at: 0 }] as const)).view)
      .map((view) => ({ x: view.record('x'), y: fieldsOf(view.entries.get('y')) }));
    expect(states[0]?.y).toMatchObject({ rev: 2, live: undefined });
    for (const state of states) expect(state).toEqual(states[0]);
  });

  it('lists live messages oldest first, those created in the same millisecond in the order first read', () => {
    const at = (iso: string) => ({ createdAt: iso });
    const view = new QueueView();
    view.apply('a', put(1, record('late', at('2026-01-01T12:00:00.000Z'))));
    view.apply('a', put(1, record('tie-b', at('2026-01-01T11:00:00.000Z'))));
    view.apply('a', put(1, record('gone', at('2026-01-01T09:00:00.000Z'))));
    view.apply('b', put(1, record('early', at('2026-01-01T10:00:00.000Z'))));
    view.apply('b', put(1, record('tie-a', at('2026-01-01T11:00:00.000Z'))));
    view.apply('b', del('gone', 2));

    expect([...view.liveIdsOldestFirst()]).toEqual(['early', 'tie-b', 'tie-a', 'late']);
  });

  it('reads no time for a message whose page of the index another message with a time made', () => {
    // The index makes a page of a time column only for a message with that time: a message
    // indexed before it, in the same page, must still read as having none.
    const view = new QueueView();
    view.apply('a', put(1, record('plain')));
    view.apply('a', put(1, record('scheduled', { sendAt: '2026-01-02T08:00:00.000Z', state: 'scheduled' })));
    view.apply('a', put(1, record('later')));

    expect(view.summary('plain')?.sendAt).toBeUndefined();
    expect(view.summary('later')?.sendAt).toBeUndefined();
    expect(view.summary('scheduled')?.sendAt).toBe(Date.parse('2026-01-02T08:00:00.000Z'));
    // A slot given back and taken by a new message starts with no time either.
    view.apply('a', del('scheduled', 2));
    view.dropSegment('a');
    view.apply('b', put(1, record('next')));
    expect(view.summary('next')?.sendAt).toBeUndefined();
  });

  it('keeps no per-segment ids in a view for one look, and what it read when a segment goes', () => {
    const view = new QueueView(undefined, { oneLook: true });
    view.apply('a', put(1, record('m')));
    view.apply('a', put(1, record('x')));
    view.apply('b', del('x', 2));
    // The deliverer copied m on and reclaimed a while the listing looked (verify reads again).
    view.apply('c', put(1, record('m')));
    view.dropSegment('a');

    expect(view.segments.get('b')?.ids).toBeUndefined();
    expect(view.segments.has('a')).toBe(false);
    expect([...view.liveIdsOldestFirst()]).toEqual(['m']);
    expect(view.record('m')).toEqual(record('m'));
    expect(view.has('x')).toBe(false);
    // What only compaction asks is refused rather than answered wrongly.
    expect(() => view.heldElsewhere('m', new Set())).toThrow(/read for one look/);
  });
});
