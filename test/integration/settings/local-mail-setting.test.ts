import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { afterEach, describe, expect, test } from 'vitest';
import { createAppSettings } from '../../../main/settings/app-settings.ts';

const FIXTURE_SETTINGS = path.resolve('test/fixtures/v1/config.json');
const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await fsp.rm(dir, { recursive: true, force: true });
});

/** The app settings over a copy of the version 1 settings file, which has no localMailAddress. */
async function settingsFromFixture() {
  const dir = await fsp.mkdtemp(path.join(tmpdir(), 'outbox-settings-'));
  dirs.push(dir);
  await fsp.copyFile(FIXTURE_SETTINGS, path.join(dir, 'config.json'));
  return createAppSettings(new Conf({ cwd: dir, projectName: 'outbox-test', configName: 'config' }));
}

describe('the address for local mail (an added setting with a default)', () => {
  test('settings saved before it existed keep their values and read it as empty', async () => {
    const settings = await settingsFromFixture();
    expect(settings.get()).toMatchObject({ undoSeconds: 0, localMailAddress: '' });
  });

  test('takes an address or empty, and refuses anything else without changing what is saved', async () => {
    const settings = await settingsFromFixture();
    expect(settings.update({ localMailAddress: ' ops@example.net ' }).localMailAddress).toBe(
      'ops@example.net',
    );
    expect(() => settings.update({ localMailAddress: 'root' })).toThrow(/e-mail address/);
    expect(settings.get()).toMatchObject({ undoSeconds: 0, localMailAddress: 'ops@example.net' });
    expect(settings.update({ localMailAddress: '' }).localMailAddress).toBe('');
  });
});
