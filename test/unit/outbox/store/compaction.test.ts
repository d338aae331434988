import { describe, expect, it } from 'vitest';
import { keepsRemoval, mostlyDead, REMOVAL_GRACE_MS } from '../../../../main/outbox/store/compaction.ts';
import type { DecodedFrame } from '../../../../main/outbox/store/queue-log-format.ts';
import { QueueView } from '../../../../main/outbox/store/queue-view.ts';
import { sampleRecord } from '../../../support/sample-record.ts';

const put = (id: string, rev: number, body?: number): DecodedFrame => ({
  entry: { op: 'put', rev, record: sampleRecord(id) },
  at: 0,
  ...(body === undefined ? {} : { body: { offset: body, length: 10 } }),
});
const del = (id: string, rev: number): DecodedFrame => ({ entry: { op: 'del', id, rev }, at: 0 });
const writer: DecodedFrame = { entry: { op: 'writer', pid: 1 }, at: 0 };

describe('mostlyDead: whether an own retired segment is worth copying out', () => {
  // Segment `a` is the retired one; `b` is where newer frames went.
  const rows: { why: string; frames: [string, DecodedFrame][]; dead: boolean }[] = [
    { why: 'a segment not in the view', frames: [], dead: true },
    { why: 'a segment with no message frame', frames: [['a', writer]], dead: true },
    {
      why: 'one of two messages live there (half)',
      frames: [
        ['a', put('m1', 1)],
        ['a', put('m2', 1)],
        ['b', del('m2', 2)],
      ],
      dead: true,
    },
    {
      why: 'two of three messages live there',
      frames: [
        ['a', put('m1', 1)],
        ['a', put('m2', 1)],
        ['a', put('m3', 1)],
        ['b', del('m3', 2)],
      ],
      dead: false,
    },
    {
      why: 'newer states elsewhere, bytes still there',
      frames: [
        ['a', put('m1', 1, 100)],
        ['a', put('m2', 1, 200)],
        ['b', put('m1', 2)],
        ['b', put('m2', 2)],
      ],
      dead: false,
    },
    {
      why: 'newer states elsewhere, bytes in files of their own',
      frames: [
        ['a', put('m1', 1)],
        ['a', put('m2', 1)],
        ['b', put('m1', 2)],
        ['b', put('m2', 2)],
      ],
      dead: true,
    },
    {
      why: 'the same state copied elsewhere still counts where it was',
      frames: [
        ['a', put('m1', 1)],
        ['a', put('m2', 1)],
        ['b', put('m1', 1)],
        ['b', put('m2', 1)],
      ],
      dead: false,
    },
    {
      why: 'three of four messages gone',
      frames: [
        ['a', put('m1', 1)],
        ['a', put('m2', 1)],
        ['a', put('m3', 1)],
        ['a', put('m4', 1)],
        ['b', del('m1', 2)],
        ['b', del('m2', 2)],
        ['b', del('m3', 2)],
      ],
      dead: true,
    },
  ];
  it.each(rows)('$why: $dead', ({ frames, dead }) => {
    const view = new QueueView();
    for (const [segment, frame] of frames) view.apply(segment, frame);
    expect(mostlyDead(view, 'a')).toBe(dead);
  });
});

describe('keepsRemoval: whether a removal is copied out of the segments being reclaimed', () => {
  const now = 10 * REMOVAL_GRACE_MS;
  const rows: { why: string; heldElsewhere: boolean; removedAt: number | undefined; kept: boolean }[] = [
    { why: 'an older frame elsewhere, no time', heldElsewhere: true, removedAt: undefined, kept: true },
    { why: 'an older frame elsewhere, long ago', heldElsewhere: true, removedAt: 0, kept: true },
    { why: 'nothing older, no time', heldElsewhere: false, removedAt: undefined, kept: false },
    { why: 'nothing older, a second ago', heldElsewhere: false, removedAt: now - 1000, kept: true },
    {
      why: 'nothing older, just inside the grace',
      heldElsewhere: false,
      removedAt: now - REMOVAL_GRACE_MS + 1,
      kept: true,
    },
    {
      why: 'nothing older, grace just over',
      heldElsewhere: false,
      removedAt: now - REMOVAL_GRACE_MS,
      kept: false,
    },
    { why: 'nothing older, long ago', heldElsewhere: false, removedAt: 0, kept: false },
  ];
  it.each(rows)('$why: $kept', ({ heldElsewhere, removedAt, kept }) => {
    expect(keepsRemoval(heldElsewhere, removedAt, now)).toBe(kept);
  });
});
