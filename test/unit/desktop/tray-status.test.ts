import { describe, expect, test } from 'vitest';
import { trayView, type TrayInput } from '../../../main/desktop/tray-status.ts';
import type { QueueSummary } from '../../../main/outbox/queue-summary.ts';
import { AT_1405, NOW, summaryOf, TOMORROW_0800, WHERE } from './desktop-fixture.ts';

function view(summary: Partial<QueueSummary>, state: Partial<TrayInput> = {}) {
  return trayView({
    summary: summaryOf(summary),
    paused: false,
    online: true,
    now: NOW,
    ...WHERE,
    ...state,
  });
}

describe('what the tray shows', () => {
  test.each([
    ['an empty queue', {}, {}, 'idle', 'Nothing to send'],
    [
      'one message retrying later',
      { waiting: 1, nextAttemptAt: AT_1405 },
      {},
      'waiting',
      '1 message waiting, next attempt at 14:05',
    ],
    [
      'three messages, the next tomorrow',
      { waiting: 3, nextAttemptAt: TOMORROW_0800 },
      {},
      'waiting',
      '3 messages waiting, next attempt tomorrow 08:00',
    ],
    [
      'messages due now',
      { waiting: 2, nextAttemptAt: NOW - 1 },
      {},
      'waiting',
      '2 messages waiting, sending now',
    ],
    [
      'offline',
      { waiting: 2, nextAttemptAt: AT_1405 },
      { online: false },
      'offline',
      'Offline · 2 messages waiting',
    ],
    [
      'paused',
      { waiting: 2, nextAttemptAt: AT_1405 },
      { paused: true },
      'paused',
      'Sending paused · 2 messages waiting',
    ],
    ['paused with nothing', {}, { paused: true }, 'paused', 'Sending paused'],
    ['offline with nothing to send', {}, { online: false }, 'idle', 'Nothing to send'],
    [
      'one scheduled',
      { scheduled: 1, nextScheduledAt: TOMORROW_0800 },
      {},
      'waiting',
      '1 scheduled for tomorrow 08:00',
    ],
    [
      'several scheduled, the first later today',
      { scheduled: 4, nextScheduledAt: AT_1405 },
      {},
      'waiting',
      '4 scheduled, the first for 14:05',
    ],
    [
      'failed and held beside waiting',
      { waiting: 1, nextAttemptAt: AT_1405, failed: 2, held: 1 },
      {},
      'attention',
      '1 message waiting, next attempt at 14:05 · 2 failed · 1 waits for you',
    ],
    ['failed while paused', { failed: 1 }, { paused: true }, 'attention', 'Sending paused · 1 failed'],
    ['held, several', { held: 3 }, {}, 'attention', '3 wait for you'],
  ] as const)('%s', (_, summary, state, icon, status) => {
    const shown = view(summary, state);
    expect(shown.icon).toBe(icon);
    expect(shown.tooltip).toBe(`Outbox: ${status}`);
    expect(shown.menu[0]).toEqual({ kind: 'status', label: status });
  });

  test('a date further away is said with its weekday', () => {
    const later = Date.UTC(2026, 11, 7, 9, 30);
    expect(view({ waiting: 1, nextAttemptAt: later }).tooltip).toBe(
      'Outbox: 1 message waiting, next attempt Mon 7 Dec, 09:30',
    );
  });

  test("times follow the user's locale and time zone", () => {
    const shown = view(
      { scheduled: 1, nextScheduledAt: TOMORROW_0800 },
      { locale: 'de-DE', timeZone: 'Europe/Berlin' },
    );
    expect(shown.tooltip).toBe('Outbox: 1 scheduled for morgen 09:00');
  });

  test.each([
    [false, 'pause', 'Pause all sending'],
    [true, 'resume', 'Resume sending'],
  ] as const)('the menu when paused is %s', (paused, command, label) => {
    const commands = view({}, { paused }).menu.flatMap((item) =>
      item.kind === 'command' ? [[item.command, item.label, item.enabled]] : [],
    );
    expect(commands).toEqual([
      ['open', 'Open Outbox', true],
      ['compose', 'New message', true],
      [command, label, true],
      ['quit', 'Quit Outbox', true],
    ]);
  });
});
