import { spawnSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsListJson } from '../../../main/cli/json-output.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { localAccountArgs, makeHome, runCli } from './run-cli.ts';

const PASSWORD = 'correct horse battery staple';
let server: TestServer;
let home: string;

beforeAll(async () => {
  server = await startTestServer({ users: { 'me@example.org': PASSWORD } });
  home = await makeHome();
});
afterAll(async () => {
  await server.close();
  await fsp.rm(home, { recursive: true, force: true });
});

/**
 * What the real Secret Service holds for an account, bypassing our code; undefined when nothing.
 * The keyring crate files keytar's "account" under the attribute `username`.
 */
function keychainEntry(accountId: string): string | undefined {
  const result = spawnSync('secret-tool', ['lookup', 'service', 'Outbox', 'username', accountId], {
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout : undefined;
}

const addArgs = (label: string) =>
  localAccountArgs(label, 'me@example.org', server.port, [
    '--security',
    'none',
    '--allow-plaintext',
    '--password-stdin',
  ]);

describe('accounts', () => {
  it('add --password-stdin puts the password in the keychain only; test signs in with it; remove deletes it', async () => {
    const added = await runCli(home, addArgs('Mine'), `${PASSWORD}\n`);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const id = added.stdout.trim();

    expect(keychainEntry(id)).toBe(PASSWORD);
    const settings = await fsp.readFile(path.join(home, 'config.json'), 'utf8');
    expect(settings).toContain(id);
    expect(settings).not.toContain(PASSWORD);

    const listed = accountsListJson.parse(
      JSON.parse((await runCli(home, ['accounts', 'list', '--json'])).stdout),
    );
    expect(listed.accounts).toEqual([
      expect.objectContaining({ id, label: 'Mine', hasPassword: true, isDefault: true, paused: false }),
    ]);

    const test = await runCli(home, ['accounts', 'test', 'mine']);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/^ok\s+auth/m);
    expect(server.authAttempts).toContainEqual({ user: 'me@example.org', ok: true });
    expect(test.stdout + test.stderr).not.toContain(PASSWORD);

    expect((await runCli(home, ['accounts', 'remove', 'Mine'])).code).toBe(0);
    expect(keychainEntry(id)).toBeUndefined();
    expect(JSON.parse((await runCli(home, ['accounts', 'list', '--json'])).stdout)).toEqual({
      version: 1,
      accounts: [],
    });
  });

  it('a wrong password fails the test with exit 78 and the reason on one line', async () => {
    const added = await runCli(home, addArgs('Typo'), 'wrong\n');
    expect(added.code).toBe(0);
    const test = await runCli(home, ['accounts', 'test', 'Typo']);
    expect(test.code).toBe(78);
    expect(test.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(test.stderr).toMatch(/^outbox: Typo: /);
  });

  it('refuses an empty password before saving anything', async () => {
    const before = await runCli(home, ['accounts', 'list', '--json']);
    const added = await runCli(home, addArgs('Empty'), '\n');
    expect(added.code).toBe(64);
    expect(added.stderr).toContain('--password-stdin');
    expect((await runCli(home, ['accounts', 'list', '--json'])).stdout).toBe(before.stdout);
  });

  it.each([
    {
      name: 'a line break in --from',
      option: '--from',
      value: 'me@example.org\r\nBcc: spy@example.net',
      code: 65,
    },
    { name: 'a line break in --name', option: '--name', value: 'Me\r\nBcc: spy@example.net', code: 65 },
    { name: 'a line break in --label', option: '--label', value: 'Work\nBcc: spy@example.net', code: 65 },
    { name: 'an empty --label', option: '--label', value: '', code: 64 },
  ])(
    'refuses $name with exit $code, on one line, before saving anything',
    async ({ option, value, code }) => {
      const before = await runCli(home, ['accounts', 'list', '--json']);
      const args = localAccountArgs('Injected', 'me@example.org', server.port, [
        '--security',
        'none',
        '--allow-plaintext',
        '--no-password',
      ]);
      const at = args.indexOf(option);
      const added = await runCli(home, at < 0 ? [...args, option, value] : args.with(at + 1, value));
      expect(added.code).toBe(code);
      expect(added.stderr).toMatch(/^outbox: [^\r\n]+\n$/);
      expect(added.stdout).toBe('');
      expect((await runCli(home, ['accounts', 'list', '--json'])).stdout).toBe(before.stdout);
    },
  );

  it('fills host, port and security from the provider preset when only --from is given', async () => {
    const added = await runCli(home, [
      'accounts',
      'add',
      '--label',
      'Fast',
      '--from',
      'me@fastmail.com',
      '--no-password',
    ]);
    expect(added.code).toBe(0);
    const listed = accountsListJson.parse(
      JSON.parse((await runCli(home, ['accounts', 'list', '--json'])).stdout),
    );
    expect(listed.accounts.find((a) => a.label === 'Fast')).toMatchObject({
      host: 'smtp.fastmail.com',
      port: 465,
      security: 'tls',
      hasPassword: false,
    });
  });
});
