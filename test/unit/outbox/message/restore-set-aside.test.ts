import { describe, expect, it } from 'vitest';
import { restoredRecord } from '../../../../main/outbox/message/restore-set-aside.ts';
import type { QueueRecord } from '../../../../main/outbox/store/queue-record.ts';
import { sampleRecord } from '../../../support/sample-record.ts';

const now = Date.parse('2026-06-01T12:00:00.000Z');
const nowIso = new Date(now).toISOString();
const lastError = { code: 'server_deferred', message: 'Try later.' } as const;

describe('restoredRecord: the state a restored message re-enters the queue in', () => {
  const cases: [name: string, extra: Partial<QueueRecord>, expected: Partial<QueueRecord>][] = [
    [
      'deferred: queued and due now',
      { state: 'deferred', nextAttemptAt: '2026-06-02T00:00:00.000Z', lastError },
      { state: 'queued', nextAttemptAt: nowIso },
    ],
    [
      'held: queued (the account says whether it is held)',
      { state: 'held' },
      { state: 'queued', nextAttemptAt: nowIso },
    ],
    [
      'scheduled for later: keeps its time',
      { state: 'scheduled', sendAt: '2026-07-01T00:00:00.000Z' },
      { state: 'scheduled', nextAttemptAt: '2026-07-01T00:00:00.000Z' },
    ],
    [
      'scheduled for a time gone by: due now',
      { state: 'scheduled', sendAt: '2026-05-01T00:00:00.000Z' },
      { state: 'queued', nextAttemptAt: nowIso },
    ],
    [
      'unconfirmed: stays so, never sent again silently',
      { state: 'unconfirmed', lastError },
      { state: 'unconfirmed', lastError },
    ],
    [
      'failed: stays so, for the user to retry',
      { state: 'failed', lastError },
      { state: 'failed', lastError },
    ],
  ];
  it.each(cases)('%s', (_name, extra, expected) => {
    const record = sampleRecord('old', { attempts: 2, undoUntil: nowIso, ...extra });
    const restored = restoredRecord(record, 'new', now);
    expect(restored).toMatchObject({ ...expected, id: 'new', attempts: 2, messageId: record.messageId });
    expect(restored.undoUntil).toBeUndefined();
    if (expected.state === 'queued') expect(restored.lastError).toBeUndefined();
  });
});
