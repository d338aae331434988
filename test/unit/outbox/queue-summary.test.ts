import { describe, expect, test } from 'vitest';
import { summarizeQueue, type SummarizedMessage } from '../../../main/outbox/queue-summary.ts';

const at = (minute: number) => Date.UTC(2026, 11, 4, 10, minute);

describe('the queue in a few numbers', () => {
  test('an empty queue', () => {
    const none = { waiting: 0, scheduled: 0, failed: 0, held: 0 };
    expect(summarizeQueue([])).toEqual({ ...none, nextAttemptAt: undefined, nextScheduledAt: undefined });
  });

  test('counts each state where the user looks for it and finds the earliest times', () => {
    const messages: SummarizedMessage[] = [
      { state: 'queued', nextAttemptAt: at(30) },
      { state: 'deferred', nextAttemptAt: at(5) },
      { state: 'sending' },
      { state: 'scheduled', sendAt: at(50) },
      { state: 'scheduled', sendAt: at(40) },
      { state: 'failed' },
      { state: 'held' },
      { state: 'needs_attention' },
      { state: 'unconfirmed' },
      { state: 'sent' },
    ];
    expect(summarizeQueue(messages)).toEqual({
      waiting: 3,
      scheduled: 2,
      failed: 1,
      held: 3,
      nextAttemptAt: at(5),
      nextScheduledAt: at(40),
    });
  });

  test('reads a generator once, keeping nothing', () => {
    function* many() {
      for (let i = 0; i < 1000; i++) yield { state: 'deferred' as const, nextAttemptAt: at(i % 60) };
    }
    expect(summarizeQueue(many())).toMatchObject({ waiting: 1000, nextAttemptAt: at(0) });
  });
});
