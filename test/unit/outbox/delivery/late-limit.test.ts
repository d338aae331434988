import { describe, expect, it } from 'vitest';
import { missedSchedule } from '../../../../main/outbox/delivery/late-limit.ts';
import type { QueueRecord } from '../../../../main/outbox/store/queue-record.ts';
import { sampleRecord } from '../../../support/sample-record.ts';

const MIN = 60_000;
const sendAt = '2026-12-24T08:00:00.000Z';
const at = Date.parse(sendAt);

const scheduled = (extra: Partial<QueueRecord> = {}) =>
  sampleRecord('m1', { state: 'scheduled', sendAt, nextAttemptAt: sendAt, ...extra });

describe('a scheduled message that is overdue when delivery resumes', () => {
  it.each([
    ['on time, limit set', scheduled({ lateLimitMinutes: 30 }), at, 'goes'],
    ['overdue, no limit: it goes at once', scheduled(), at + 600 * MIN, 'goes'],
    ['overdue within its limit', scheduled({ lateLimitMinutes: 30 }), at + 29 * MIN, 'goes'],
    ['exactly at its limit', scheduled({ lateLimitMinutes: 30 }), at + 30 * MIN, 'goes'],
    ['past its limit', scheduled({ lateLimitMinutes: 30 }), at + 30 * MIN + 1, 'held'],
    ['days past its limit', scheduled({ lateLimitMinutes: 1 }), at + 3 * 1440 * MIN, 'held'],
    // A retry after a deferral is the server's delay, not a missed schedule.
    [
      'deferred after its first try',
      scheduled({ lateLimitMinutes: 1, state: 'deferred' }),
      at + 90 * MIN,
      'goes',
    ],
    [
      'queued (sent now, never scheduled)',
      sampleRecord('m1', { lateLimitMinutes: 1 }),
      at + 90 * MIN,
      'goes',
    ],
  ] as const)('%s: %s', (_name, record, now, expected) => {
    const outcome = missedSchedule(record, now);
    expect(outcome === undefined ? 'goes' : 'held').toBe(expected);
  });

  it('holds it with a schedule_missed error and a notice, counting no attempt', () => {
    const record = scheduled({ lateLimitMinutes: 30 });
    const outcome = missedSchedule(record, at + 95 * MIN);
    expect(outcome?.account).toEqual({ kind: 'none' });
    expect(outcome?.next).toEqual({
      kind: 'save',
      record: {
        ...record,
        state: 'held',
        nextAttemptAt: undefined,
        lastError: {
          code: 'schedule_missed',
          message:
            'Not sent: it was to go at 2026-12-24T08:00:00.000Z, and would have gone 95 minutes late (you allowed 30 minutes). Send it now or cancel it.',
        },
      },
    });
    expect(outcome?.notice).toMatchObject({ kind: 'failed', title: 'Scheduled message held' });
  });
});
