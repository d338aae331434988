/**
 * Run as a child process by the keychain tests, in an environment whose keychain is broken on
 * purpose (no Secret Service, or a locked keyring). Tries to save a password through the real
 * accounts code (with `read-first`, reading the one saved before in the given settings folder
 * first) and prints what happened as JSON: the errors, the account, the settings file.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { AppError } from '../../main/errors/app-error.ts';
import { accountDraft, accountsHarness, removeTempSettings, settingsIn } from './accounts-fixtures.ts';

const [secret = '', mode = '', settingsDir = ''] = process.argv.slice(2);
if (mode === 'lock') {
  execFileSync('gdbus', [
    'call',
    '--session',
    '--dest',
    'org.freedesktop.secrets',
    '--object-path',
    '/org/freedesktop/secrets',
    '--method',
    'org.freedesktop.Secret.Service.Lock',
    "['/org/freedesktop/secrets/collection/login']",
  ]);
}

// `read-first` opens the settings of an account whose password an earlier session saved.
const harness = accountsHarness(settingsDir ? { settings: settingsIn(settingsDir) } : {});
const [existing] = await harness.call('accounts:list', undefined);
const created = existing ?? (await harness.call('accounts:create', accountDraft()));
const fileBefore = fs.readFileSync(harness.settings.file, 'utf8');
const failure = async (work: () => Promise<unknown>) => {
  try {
    await work();
    return undefined;
  } catch (caught) {
    return caught instanceof AppError ? caught.toErrorInfo() : String(caught);
  }
};
// As delivery does before anything is saved: a keychain that cannot be reached must say so here too.
const readError =
  mode === 'read-first' ? await failure(() => harness.service.endpoint(created.id)) : undefined;
const error = await failure(() => harness.call('accounts:setPassword', { id: created.id, secret }));
process.stdout.write(
  JSON.stringify({
    readError,
    error,
    accounts: await harness.call('accounts:list', undefined),
    fileUnchanged: fs.readFileSync(harness.settings.file, 'utf8') === fileBefore,
    file: fs.readFileSync(harness.settings.file, 'utf8'),
  }),
);
removeTempSettings();
