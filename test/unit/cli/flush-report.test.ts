import { describe, expect, it } from 'vitest';
import type { Account } from '../../../preload/contract/accounts.ts';
import type { QueueItem, QueueState } from '../../../preload/contract/outbox.ts';
import { flushReport, lockHolderText } from '../../../main/cli/flush-report.ts';
import { toQueueItem } from '../../../main/outbox/store/queue-record.ts';
import { sampleRecord } from '../../support/sample-record.ts';

const item = (id: string, state: QueueState, accountId = 'work'): QueueItem =>
  toQueueItem(sampleRecord(id, { accountId }), state);

const account = (id: string, extra: Partial<Account> = {}): Account =>
  ({ id, label: id, attention: undefined, ...extra }) as Account;

const work = account('work');

describe('flushReport', () => {
  it.each<[string, QueueItem[], Account[], number]>([
    ['nothing left', [], [work], 0],
    ['held (paused) and failed only', [item('a', 'held'), item('b', 'failed')], [work], 0],
    ['scheduled for later', [item('a', 'scheduled')], [work], 0],
    ['deferred by the server', [item('a', 'deferred'), item('b', 'held')], [work], 75],
    ['unconfirmed, and deferred', [item('a', 'unconfirmed'), item('b', 'deferred')], [work], 76],
    ['held for an account that is gone', [item('a', 'held', 'gone'), item('b', 'unconfirmed')], [work], 78],
    [
      'an account that needs attention',
      [item('a', 'needs_attention'), item('b', 'unconfirmed')],
      [account('work', { attention: { code: 'auth_failed', message: 'Sign-in refused.' } })],
      78,
    ],
  ])('%s: exit %i', (_what, left, accounts, exitCode) => {
    expect(flushReport(0, left, accounts).exitCode).toBe(exitCode);
  });

  it('counts what is left by state and says what to run for each thing that needs the user', () => {
    const report = flushReport(
      5,
      [
        item('a', 'unconfirmed'),
        item('b', 'needs_attention'),
        item('c', 'held', 'gone'),
        item('d', 'queued'),
      ],
      [account('work', { label: 'Work', attention: { code: 'auth_failed', message: 'Sign-in refused.' } })],
    );
    expect(report.summary).toBe(
      'Delivered 5; still in the outbox: 1 unconfirmed, 1 needs_attention, 1 held, 1 queued.',
    );
    expect(report.hints).toEqual([
      'account "Work" needs attention: Sign-in refused. Its mail waits until it is fixed; see "outbox accounts test Work".',
      '1 message waits for an account that no longer exists (c): run "outbox queue move ID --account NAME".',
      '1 message may have been delivered: the connection broke after the server took the message (a). Check with a recipient, then run "outbox queue resend ID" or "outbox queue mark-sent ID".',
    ]);
  });
});

describe('flushReport on scheduled mail held for being late', () => {
  it('says which and what to run, and does not fail the flush', () => {
    const held = (id: string): QueueItem => ({
      ...item(id, 'held'),
      lastError: { code: 'schedule_missed', message: 'Not sent: too late.' },
    });
    const report = flushReport(1, [held('a'), held('b'), item('c', 'held')], [work]);
    expect(report.exitCode).toBe(0);
    expect(report.hints).toEqual([
      '2 messages held, as they would have gone later than you allowed (a, b): run "outbox queue retry ID" to send anyway, or "outbox queue cancel ID".',
    ]);
  });
});

describe("flushReport on Microsoft's refusals", () => {
  const blocked = (code: 'basic_auth_unsupported' | 'smtp_auth_disabled', message: string) =>
    flushReport(
      0,
      [item('a', 'needs_attention')],
      [account('work', { label: 'Work', attention: { code, message } })],
    );

  it('a password Microsoft no longer takes: exit 78, and sign in with Microsoft rather than test again', () => {
    const report = blocked(
      'basic_auth_unsupported',
      'Microsoft no longer accepts a password for this account.',
    );
    expect(report.exitCode).toBe(78);
    expect(report.hints).toEqual([
      'account "Work" needs attention: Microsoft no longer accepts a password for this account. Its mail waits until it is fixed; run "outbox accounts edit Work --oauth", then "outbox accounts signin Work", to sign in with Microsoft.',
    ]);
  });

  it('SMTP AUTH turned off by the tenant: exit 78, and test again once the admin has enabled it', () => {
    const report = blocked('smtp_auth_disabled', 'An admin must enable Authenticated SMTP.');
    expect(report.exitCode).toBe(78);
    expect(report.hints).toEqual([
      'account "Work" needs attention: An admin must enable Authenticated SMTP. Its mail waits until it is fixed; see "outbox accounts test Work".',
    ]);
  });
});

describe('lockHolderText', () => {
  it('names the holder the lock records, and stays generic for a lock without one', () => {
    expect(lockHolderText({ pid: 7, role: 'app' })).toBe('the app is delivering');
    expect(lockHolderText({ pid: 7, role: 'queue-flush' })).toBe(
      'another outbox process (queue flush, pid 7) is delivering',
    );
    expect(lockHolderText({ pid: 7, role: 'accounts' })).toBe(
      'another outbox process (an accounts command, pid 7) is changing the accounts',
    );
    expect(lockHolderText({ pid: 7, role: undefined })).toBe('another Outbox process (pid 7) is delivering');
  });
});
