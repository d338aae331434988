import fs from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { describe, expect, it } from 'vitest';
import { SettingsJsonFile } from '../../../main/cli/settings-json-file.ts';
import { tempHomes } from './run-cli.ts';

const newHome = tempHomes();

/** conf as the tests and electron-store (the app) open the same file. */
function confOn(dir: string): Conf {
  return new Conf({ cwd: dir, configName: 'config', projectName: 'Outbox' });
}

describe('the CLI settings file', () => {
  it('is written byte for byte as conf writes it, and each reads what the other wrote', async () => {
    const [ours, theirs] = [await newHome(), await newHome()];
    const value = { version: 2, accounts: [{ id: 'a', label: 'Wörk' }], defaultId: 'a' };
    new SettingsJsonFile(ours).set('accounts', value);
    confOn(theirs).set('accounts', value);
    const read = (dir: string) => fs.readFileSync(path.join(dir, 'config.json'), 'utf8');
    expect(read(ours)).toBe(read(theirs));

    confOn(ours).set('app', { undoSeconds: 5 });
    const file = new SettingsJsonFile(ours);
    expect(file.get('app')).toEqual({ undoSeconds: 5 });
    expect(file.get('accounts')).toEqual(value);
  });

  it('is owner-only whatever the umask, and leaves no temporary file', async () => {
    const dir = await newHome();
    const previous = process.umask(0);
    try {
      new SettingsJsonFile(dir).set('app', { notifications: false });
    } finally {
      process.umask(previous);
    }
    expect(fs.statSync(path.join(dir, 'config.json')).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(dir)).toEqual(['config.json']);
  });

  it('refuses a file that is not the settings object, at open', async () => {
    const dir = await newHome();
    fs.writeFileSync(path.join(dir, 'config.json'), '[]');
    expect(() => new SettingsJsonFile(dir)).toThrow('a list, not the settings object');
  });
});
