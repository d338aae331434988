import { describe, expect, test } from 'vitest';
import {
  HIDDEN_ARG,
  loginItemSettings,
  showsTray,
  startsHidden,
  whenAllWindowsClosed,
} from '../../../main/desktop/background-policy.ts';

describe('running with the window closed', () => {
  test.each([
    ['linux', true, 'stay'],
    ['linux', false, 'quit'],
    ['win32', true, 'stay'],
    ['win32', false, 'quit'],
    // macOS apps keep running with their windows closed, whatever the setting.
    ['darwin', true, 'stay'],
    ['darwin', false, 'stay'],
  ] as const)('%s, keep running %s: the last window closed means %s', (platform, keep, action) => {
    expect(whenAllWindowsClosed(platform, keep)).toBe(action);
  });

  test.each([
    [['/opt/Outbox/outbox'], false, false],
    [['/opt/Outbox/outbox', HIDDEN_ARG], false, true],
    [['/opt/Outbox/outbox', 'mailto:a@example.org'], false, false],
    [['/Applications/Outbox.app/Contents/MacOS/Outbox'], true, true],
  ] as const)('started with %j (opened at login: %s) shows no window: %s', (argv, atLogin, hidden) => {
    expect(startsHidden(argv, atLogin)).toBe(hidden);
  });

  test.each([
    [true, false, true],
    [false, false, false],
    // Started hidden with the setting off: the tray is the only way back to the window.
    [false, true, true],
    [true, true, true],
  ] as const)('keep running %s, started hidden %s: tray %s', (keep, hidden, tray) => {
    expect(showsTray(keep, hidden)).toBe(tray);
  });

  test('the login item starts Outbox with the hidden argument', () => {
    expect(loginItemSettings(true)).toEqual({ openAtLogin: true, args: [HIDDEN_ARG] });
    expect(loginItemSettings(false)).toEqual({ openAtLogin: false, args: [HIDDEN_ARG] });
  });
});
