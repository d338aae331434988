import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as keytar from '@napi-rs/keyring/keytar.js';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KEYCHAIN_SERVICE } from '../../../main/accounts/credentials.ts';
import { osKeychain } from '../../../main/accounts/os-keychain.ts';
import {
  accountDraft,
  accountsHarness,
  requireSecretService,
  removeTempSettings,
} from '../../support/accounts-fixtures.ts';

afterAll(removeTempSettings);

const PASSWORD = 'pa55-Wörd-only-in-the-keychain';
const PROBE = path.resolve('test/support/accounts-keychain-probe.ts');

/**
 * What `secret-tool` finds, bypassing our code; undefined when nothing. The keyring crate files
 * keytar's "account" under the Secret Service attribute `username`.
 */
function secretTool(account: string): string | undefined {
  const result = spawnSync('secret-tool', ['lookup', 'service', KEYCHAIN_SERVICE, 'username', account], {
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout : undefined;
}

beforeAll(requireSecretService);

describe('passwords live in the system keychain only', () => {
  test('saved, readable through the keychain, never in the settings file or anything the bridge returns; gone with the account', async () => {
    const { call, service, settings, events } = accountsHarness();
    const created = await call('accounts:create', accountDraft());
    const returned: unknown[] = [created];

    const withPassword = await call('accounts:setPassword', { id: created.id, secret: PASSWORD });
    returned.push(withPassword, await call('accounts:list', undefined));
    expect(withPassword.hasPassword).toBe(true);

    expect(secretTool(created.id)).toBe(PASSWORD);
    await expect(keytar.getPassword(KEYCHAIN_SERVICE, created.id)).resolves.toBe(PASSWORD);
    // The outbox gets it only inside main, to open a connection.
    await expect(service.endpoint(created.id)).resolves.toMatchObject({
      auth: { user: 'ada@example.com', pass: PASSWORD },
    });

    returned.push(await call('accounts:update', { id: created.id, patch: { label: 'Work mail' } }));
    returned.push(events.map((event) => event.payload));
    expect(JSON.stringify(returned)).not.toContain(PASSWORD);
    expect(fs.readFileSync(settings.file, 'utf8')).not.toContain(PASSWORD);
    expect(fs.readFileSync(settings.file, 'utf8')).toContain('"hasPassword": true');

    await call('accounts:delete', { id: created.id, queued: { action: 'hold' } });
    expect(secretTool(created.id)).toBeUndefined();
    await expect(keytar.getPassword(KEYCHAIN_SERVICE, created.id)).resolves.toBeNull();
  });

  test('the DKIM key is a secret too: filed as <id>:dkim, removed with the account', async () => {
    const { call, settings } = accountsHarness();
    const { id } = await call(
      'accounts:create',
      accountDraft({ dkim: { domain: 'example.com', selector: 's1' } }),
    );
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const account = await call('accounts:setDkimKey', { id, secret: pem });
    expect(account.hasDkimKey).toBe(true);
    expect(secretTool(`${id}:dkim`)).toBe(pem);
    const body = pem.split('\n')[1] ?? '';
    expect(fs.readFileSync(settings.file, 'utf8')).not.toContain(body);
    expect(JSON.stringify(account)).not.toContain(body);

    await call('accounts:delete', { id, queued: { action: 'hold' } });
    expect(secretTool(`${id}:dkim`)).toBeUndefined();
  });

  test('clearing the password removes it from the keychain', async () => {
    const { call, service } = accountsHarness();
    const { id } = await call('accounts:create', accountDraft());
    await call('accounts:setPassword', { id, secret: PASSWORD });
    const cleared = await call('accounts:clearPassword', { id });
    expect(cleared.hasPassword).toBe(false);
    expect(secretTool(id)).toBeUndefined();
    await expect(service.endpoint(id)).rejects.toMatchObject({ code: 'auth_required' });
  });
});

describe('a saved password goes only where it was given for', () => {
  test('changing the server, port, security or user name forgets it; other edits keep it', async () => {
    const { call, service } = accountsHarness();
    const { id } = await call('accounts:create', accountDraft());
    await call('accounts:setPassword', { id, secret: PASSWORD });
    expect((await call('accounts:update', { id, patch: { label: 'Work mail' } })).hasPassword).toBe(true);
    expect(secretTool(id)).toBe(PASSWORD);
    const moves = [
      { host: 'smtp.elsewhere.example' },
      { port: 2525 },
      { security: 'tls' },
      { username: 'someone' },
    ] as const;
    for (const patch of moves) {
      await call('accounts:setPassword', { id, secret: PASSWORD });
      const moved = await call('accounts:update', { id, patch });
      expect({ patch, hasPassword: moved.hasPassword, inKeychain: secretTool(id) }).toEqual({
        patch,
        hasPassword: false,
        inKeychain: undefined,
      });
      await expect(service.endpoint(id)).rejects.toMatchObject({ code: 'auth_required' });
    }
    await call('accounts:delete', { id, queued: { action: 'hold' } });
  });
});

describe('deleting an account whose password the keychain will not give up', () => {
  test('refused before its queued mail is touched: nothing held, the account and its password stay', async () => {
    // The real keychain, except that it refuses deletes as a locked collection does.
    const keychain = {
      ...osKeychain,
      deletePassword: () => Promise.reject(new Error('Cannot delete: the collection is locked')),
    };
    const { call, queue } = accountsHarness({ keychain, pending: {} });
    const work = await call('accounts:create', accountDraft());
    await call('accounts:setPassword', { id: work.id, secret: PASSWORD });
    queue.pending[work.id] = 3;
    await expect(call('accounts:delete', { id: work.id, queued: { action: 'hold' } })).rejects.toMatchObject({
      code: 'keychain_locked',
    });
    expect(queue.calls).toEqual([]);
    expect(await call('accounts:list', undefined)).toMatchObject([{ id: work.id, hasPassword: true }]);
    expect(secretTool(work.id)).toBe(PASSWORD);
    await osKeychain.deletePassword(KEYCHAIN_SERVICE, work.id);
  });
});

describe('a keychain that cannot be used is an error, never a plaintext fallback', () => {
  function probe(env: NodeJS.ProcessEnv, args: string[], command = process.execPath) {
    const output = execFileSync(command, args, {
      env,
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(output) as {
      readError?: { code: string; message: string };
      error: { code: string; message: string };
      accounts: { hasPassword: boolean }[];
      fileUnchanged: boolean;
      file: string;
    };
  }

  test('no Secret Service: keychain_unavailable with an instruction; nothing saved anywhere', () => {
    const result = probe({ ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/outbox-bus' }, [
      PROBE,
      PASSWORD,
    ]);
    expect(result.error.code).toBe('keychain_unavailable');
    expect(result.error.message).toMatch(/Secret Service/);
    expect(result.error.message).toMatch(/Start .* and try again/);
    expect(result.accounts.map((account) => account.hasPassword)).toEqual([false]);
    expect(result.fileUnchanged).toBe(true);
    expect(result.file).not.toContain(PASSWORD);
  });

  test('no Secret Service when reading a saved password: an error, never "no password", and no save elsewhere', async () => {
    const saved = accountsHarness();
    const account = await saved.call('accounts:create', accountDraft());
    await saved.call('accounts:setPassword', { id: account.id, secret: PASSWORD });
    const env = { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/outbox-bus' };
    const result = probe(env, [PROBE, 'typed-in-again', 'read-first', saved.settings.dir]);
    expect([result.readError?.code, result.error.code]).toEqual([
      'keychain_unavailable',
      'keychain_unavailable',
    ]);
    expect(result.accounts.map((a) => a.hasPassword)).toEqual([true]);
    expect(result.fileUnchanged).toBe(true);
    // Once the keychain is back, the password is the one it always had.
    await expect(saved.service.endpoint(account.id)).resolves.toMatchObject({
      auth: { pass: PASSWORD },
    });
    await saved.call('accounts:delete', { id: account.id, queued: { action: 'hold' } });
  });

  test('a locked keyring: keychain_locked with an instruction; the account is left as it was', () => {
    // A keyring session of its own, so locking it does not disturb the other tests.
    const env = { ...process.env };
    delete env.OUTBOX_TEST_SESSION;
    const result = probe(
      env,
      ['test/run-with-services.sh', process.execPath, PROBE, PASSWORD, 'lock'],
      'bash',
    );
    expect(result.error.code).toBe('keychain_locked');
    expect(result.error.message).toMatch(/Unlock it/);
    expect(result.accounts.map((account) => account.hasPassword)).toEqual([false]);
    expect(result.fileUnchanged).toBe(true);
    expect(result.file).not.toContain(PASSWORD);
  });
});
