import { describe, expect, test } from 'vitest';
import { quitPrompt, type QuitInput } from '../../../main/desktop/quit-prompt.ts';
import type { QueueSummary } from '../../../main/outbox/queue-summary.ts';
import { AT_1405, NOW, summaryOf, TOMORROW_0800, WHERE } from './desktop-fixture.ts';

function prompt(summary: Partial<QueueSummary>, state: Partial<QuitInput> = {}) {
  return quitPrompt({
    summary: summaryOf(summary),
    online: true,
    paused: false,
    deliverWhileClosed: false,
    now: NOW,
    ...WHERE,
    ...state,
  });
}

describe('what Quit says with mail waiting', () => {
  test.each([
    ['an empty queue', {}],
    ['only failed and held mail, which does not go by itself', { failed: 2, held: 1 }],
  ])('quits without asking: %s', (_, summary) => {
    expect(prompt(summary)).toBeUndefined();
  });

  test.each([
    [
      'three retrying at 14:05',
      { waiting: 3, nextAttemptAt: AT_1405 },
      {},
      '3 messages are waiting.',
      'The next attempt is at 14:05. If you quit, they go when Outbox runs again.',
    ],
    [
      'one retrying tomorrow',
      { waiting: 1, nextAttemptAt: TOMORROW_0800 },
      {},
      '1 message is waiting.',
      'The next attempt is tomorrow 08:00. If you quit, they go when Outbox runs again.',
    ],
    [
      'being sent now',
      { waiting: 2, nextAttemptAt: NOW },
      {},
      '2 messages are waiting.',
      'They are being sent now. If you quit, they go when Outbox runs again.',
    ],
    [
      'offline',
      { waiting: 2, nextAttemptAt: AT_1405 },
      { online: false },
      '2 messages are waiting.',
      'They go when the network is back. If you quit, they go when Outbox runs again.',
    ],
    [
      'paused',
      { waiting: 2 },
      { paused: true },
      '2 messages are waiting.',
      'Sending is paused. If you quit, they go when Outbox runs again.',
    ],
    [
      'one scheduled',
      { scheduled: 1, nextScheduledAt: TOMORROW_0800 },
      {},
      '1 message is scheduled for tomorrow 08:00.',
      'If you quit, they go when Outbox runs again.',
    ],
    [
      'waiting and scheduled',
      { waiting: 3, nextAttemptAt: AT_1405, scheduled: 2, nextScheduledAt: TOMORROW_0800 },
      {},
      '3 messages are waiting.',
      'The next attempt is at 14:05. 2 messages are scheduled, the first for tomorrow 08:00. If you quit, they go when Outbox runs again.',
    ],
    [
      'delivery while closed is on',
      { scheduled: 1, nextScheduledAt: TOMORROW_0800 },
      { deliverWhileClosed: true },
      '1 message is scheduled for tomorrow 08:00.',
      'Outbox will deliver them while it is closed.',
    ],
  ] as const)('%s', (_, summary, state, message, detail) => {
    expect(prompt(summary, state)).toMatchObject({ message, detail });
  });

  test('offers delivery while closed only when it is off', () => {
    const choices = (deliverWhileClosed: boolean) =>
      prompt({ waiting: 1 }, { deliverWhileClosed })?.buttons.map((b) => [b.choice, b.label]);
    expect(choices(false)).toEqual([
      ['keep-running', 'Keep running in the background'],
      ['deliver-while-closed', 'Deliver while Outbox is closed'],
      ['quit', 'Quit'],
    ]);
    expect(choices(true)).toEqual([
      ['keep-running', 'Keep running in the background'],
      ['quit', 'Quit'],
    ]);
  });

  test('closing the dialog keeps Outbox running', () => {
    expect(prompt({ waiting: 1 })?.cancel).toBe('keep-running');
  });
});
