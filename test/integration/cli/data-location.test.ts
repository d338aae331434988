import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataLocation } from '../../../main/cli/data-location.ts';

describe("the CLI's default data folder is Electron's userData for Outbox", () => {
  it.each([
    ['linux', {}, '/home/ann/.config/Outbox'],
    ['linux', { XDG_CONFIG_HOME: '/xdg' }, '/xdg/Outbox'],
    ['freebsd', {}, '/home/ann/.config/Outbox'],
    ['darwin', {}, '/home/ann/Library/Application Support/Outbox'],
    [
      'win32',
      { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' },
      path.join('C:\\Users\\ann\\AppData\\Roaming', 'Outbox'),
    ],
    ['darwin', { OUTBOX_HOME: '/tmp/outbox-home' }, '/tmp/outbox-home'],
  ] as const)('%s %o → %s', (platform, env, expected) => {
    expect(dataLocation(env, platform, '/home/ann')).toBe(expected);
  });
});
