/**
 * Run as a child process by the keychain tests, in an environment whose keychain is broken on
 * purpose (no Secret Service, or a locked keyring). Tries to save a password through the real
 * accounts code and prints what happened as JSON: the error, the account, the settings file.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { AppError } from '../../main/errors/app-error.ts';
import { accountDraft, accountsHarness, removeTempSettings } from './accounts-fixtures.ts';

const [secret = '', mode = ''] = process.argv.slice(2);
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

const harness = accountsHarness();
const created = await harness.call('accounts:create', accountDraft());
const fileBefore = fs.readFileSync(harness.settings.file, 'utf8');
let error: unknown;
try {
  await harness.call('accounts:setPassword', { id: created.id, secret });
} catch (caught) {
  error = caught;
}
process.stdout.write(
  JSON.stringify({
    error: error instanceof AppError ? error.toBridge() : String(error),
    accounts: await harness.call('accounts:list', undefined),
    fileUnchanged: fs.readFileSync(harness.settings.file, 'utf8') === fileBefore,
    file: fs.readFileSync(harness.settings.file, 'utf8'),
  }),
);
removeTempSettings();
