import { describe, expect, it } from 'vitest';
import { PreparedFrames, type PreparedState } from '../../../../main/outbox/store/prepared-frames.ts';
import type { DecodedFrame } from '../../../../main/outbox/store/queue-log-format.ts';
import { sampleRecord } from '../../../support/sample-record.ts';

const SENT = {
  id: 'gone',
  messageId: '<gone@example.org>',
  accountId: 'work',
  from: 'me@example.org',
  subject: 'gone',
  recipients: [{ address: 'ann@example.net', kind: 'to' as const, state: 'accepted' as const }],
  sentAt: '2026-01-01T10:05:00.000Z',
  sizeBytes: 100,
  attempts: 1,
};

/** What a prepared state says, as plain data. */
const fieldsOf = (state: PreparedState) => ({
  id: state.id,
  rev: state.rev,
  live: state.live !== undefined,
  delivered: state.delivered,
  removedAt: state.removedAt,
  state: state.state,
  accountId: state.accountId,
  attempts: state.attempts,
  createdAt: state.createdAt,
  storedSize: state.storedSize,
  nextAttemptAt: state.nextAttemptAt,
  sendAt: state.sendAt,
  lastTriedAt: state.lastTriedAt,
  record: state.record,
  sent: state.sent,
  frame: state.frame,
  body: state.body,
});

const asState = (prepared: ReturnType<PreparedFrames['at']>): PreparedState => {
  if (prepared.op !== 'state') throw new Error(`not a state: ${prepared.op}`);
  return prepared;
};

describe('PreparedFrames', () => {
  const retried = sampleRecord('m1', {
    accountId: 'personal',
    state: 'deferred',
    attempts: 2,
    storedSizeBytes: 180,
    nextAttemptAt: '2026-01-01T11:00:00.000Z',
    sendAt: '2026-01-01T09:00:00.000Z',
    lastTriedAt: '2026-01-01T10:30:00.000Z',
  });
  const frames: DecodedFrame[] = [
    { entry: { op: 'writer', pid: 42 }, at: 0 },
    {
      entry: { op: 'put', rev: 3, record: retried },
      at: 40,
      header: { offset: 56, length: 400, crc: 0xdeadbeef },
      body: { offset: 456, length: 180 },
    },
    {
      entry: { op: 'del', id: 'gone', rev: 5, sent: SENT, at: 1_767_261_900_000 },
      at: 700,
      header: { offset: 716, length: 300, crc: 7 },
    },
    { entry: { op: 'put', rev: 1, record: sampleRecord('m2') }, at: 1100 },
  ];

  it('gives back what each frame says: a state as its summary and places, another entry as it is', () => {
    const batch = new PreparedFrames('seg-1');
    for (const frame of frames) batch.add(frame, false);
    expect(batch.size).toBe(4);
    expect(batch.at(0)).toEqual({ op: 'writer', pid: 42 });
    expect(fieldsOf(asState(batch.at(1)))).toEqual({
      id: 'm1',
      rev: 3,
      live: true,
      delivered: false,
      removedAt: undefined,
      state: 'deferred',
      accountId: 'personal',
      attempts: 2,
      createdAt: Date.parse('2026-01-01T10:00:00.000Z'),
      storedSize: 180,
      nextAttemptAt: Date.parse('2026-01-01T11:00:00.000Z'),
      sendAt: Date.parse('2026-01-01T09:00:00.000Z'),
      lastTriedAt: Date.parse('2026-01-01T10:30:00.000Z'),
      record: undefined,
      sent: undefined,
      frame: { segment: 'seg-1', offset: 56, length: 400, crc: 0xdeadbeef },
      body: { offset: 456, length: 180 },
    });
    expect(fieldsOf(asState(batch.at(2)))).toMatchObject({
      id: 'gone',
      rev: 5,
      live: false,
      delivered: true,
      removedAt: 1_767_261_900_000,
      sent: undefined,
      frame: { segment: 'seg-1', offset: 716, length: 300, crc: 7 },
      body: undefined,
    });
    // No header place: nothing to read it back from.
    expect(fieldsOf(asState(batch.at(3)))).toMatchObject({ id: 'm2', storedSize: 100, frame: undefined });
  });

  it('holds a record or a sent record only when asked to carry it', () => {
    const batch = new PreparedFrames('seg-1');
    for (const frame of frames) batch.add(frame, true);
    expect(asState(batch.at(1)).record).toBe(frames[1]?.entry.op === 'put' ? frames[1].entry.record : 0);
    expect(asState(batch.at(2)).sent).toEqual(SENT);
    batch.clear();
    expect(batch.size).toBe(0);
    batch.add(frames[3] as DecodedFrame, false);
    expect(asState(batch.at(0)).record).toBeUndefined();
  });

  it('keeps every frame of a batch larger than its first allocation, and starts afresh once cleared', () => {
    const batch = new PreparedFrames('seg-2');
    const ids = Array.from({ length: 1000 }, (_, index) => `m${index}`);
    for (const [index, id] of ids.entries()) {
      batch.add(
        {
          entry: { op: 'put', rev: index + 1, record: sampleRecord(id, { attempts: index % 7 }) },
          at: index * 10,
          header: { offset: index * 10 + 16, length: 5, crc: index },
        },
        false,
      );
    }
    const read = ids.map((_, index) => {
      const state = asState(batch.at(index));
      return [state.id, state.rev, state.attempts, state.frame?.crc];
    });
    expect(read).toEqual(ids.map((id, index) => [id, index + 1, index % 7, index]));
    batch.clear();
    batch.add({ entry: { op: 'del', id: 'm5', rev: 9 }, at: 0 }, false);
    expect(fieldsOf(asState(batch.at(0)))).toMatchObject({ id: 'm5', rev: 9, live: false, attempts: 0 });
  });
});
