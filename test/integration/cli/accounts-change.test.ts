import { spawnSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsListJson } from '../../../main/cli/json-output.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { makeSelfSignedCert, type TestCert } from '../../support/tls-cert.ts';
import { localAccountArgs, makeHome, runCli } from './run-cli.ts';

const PASSWORD = 'correct horse battery staple';
const PLAIN = ['--security', 'none', '--allow-plaintext'];
/** A D-Bus address nothing answers on: the keychain cannot be reached. */
const NO_KEYCHAIN = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' };

let home: string;
let certA: TestCert;
let certB: TestCert;
/** TLS with certificate A and sign-in required. */
let tlsAuth: TestServer;
/** TLS with certificate B, no sign-in. */
let tlsOther: TestServer;
/** Plain SMTP with sign-in required. */
let plainAuth: TestServer;
/** Plain SMTP, no sign-in. */
let plainOpen: TestServer;

beforeAll(async () => {
  home = await makeHome();
  await fsp.mkdir(path.join(home, 'a'));
  await fsp.mkdir(path.join(home, 'b'));
  certA = makeSelfSignedCert(path.join(home, 'a'));
  certB = makeSelfSignedCert(path.join(home, 'b'));
  const users = { 'me@example.org': PASSWORD };
  tlsAuth = await startTestServer({ tls: { key: certA.key, cert: certA.cert, mode: 'tls' }, users });
  tlsOther = await startTestServer({ tls: { key: certB.key, cert: certB.cert, mode: 'tls' } });
  plainAuth = await startTestServer({ users });
  plainOpen = await startTestServer();
});
afterAll(async () => {
  await Promise.all([tlsAuth, tlsOther, plainAuth, plainOpen].map((server) => server.close()));
  await fsp.rm(home, { recursive: true, force: true });
});

async function listed() {
  const result = await runCli(home, ['accounts', 'list', '--json']);
  return accountsListJson.parse(JSON.parse(result.stdout)).accounts;
}

async function accountNamed(label: string) {
  const found = (await listed()).find((a) => a.label === label);
  if (!found) throw new Error(`no account ${label}`);
  return found;
}

/** What the real Secret Service holds for an account, bypassing our code; undefined when nothing. */
function keychainEntry(accountId: string): string | undefined {
  const result = spawnSync('secret-tool', ['lookup', 'service', 'Outbox', 'username', accountId], {
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout : undefined;
}

async function added(args: readonly string[], input = ''): Promise<string> {
  const result = await runCli(home, args, input);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout.trim();
}

describe('accounts add --pin-cert signs in before it saves', () => {
  const pinned = (label: string) =>
    localAccountArgs(label, 'me@example.org', tlsAuth.port, [
      '--security',
      'tls',
      '--password-stdin',
      '--pin-cert',
      certA.sha256,
    ]);

  it('a refused password: exit 78, the sign-in error on one line, no account and no password kept', async () => {
    const before = (await listed()).map((a) => a.id);
    const result = await runCli(home, pinned('Refused'), 'wrong password\n');
    expect(result.stderr).toMatch(/^outbox: --pin-cert: [^\n]*\n$/);
    expect(result.stderr).not.toContain('wrong password');
    expect(result.code).toBe(78);
    expect(result.stdout).toBe('');
    expect((await listed()).map((a) => a.id)).toEqual(before);
    expect(tlsAuth.authAttempts).toContainEqual({ user: 'me@example.org', ok: false });
  });

  it('the right password: saved, pinned, and the test passes', async () => {
    const id = await added(pinned('Signed'), `${PASSWORD}\n`);
    expect(keychainEntry(id)).toBe(PASSWORD);
    const test = await runCli(home, ['accounts', 'test', 'Signed']);
    expect(test.stdout).toMatch(/^ok\s+auth/m);
    expect(test.code).toBe(0);
    expect((await runCli(home, ['accounts', 'remove', 'Signed'])).code).toBe(0);
  });
});

describe('accounts set-password', () => {
  it('saves the password from stdin in the keychain only; the account then signs in', async () => {
    const id = await added(localAccountArgs('Later', 'me@example.org', plainAuth.port, PLAIN));
    expect(await accountNamed('Later')).toMatchObject({ hasPassword: false });

    const set = await runCli(home, ['accounts', 'set-password', 'Later'], `${PASSWORD}\n`);
    expect(set.stderr).toBe('');
    expect(set.code).toBe(0);
    expect(await accountNamed('Later')).toMatchObject({ hasPassword: true });
    expect(keychainEntry(id)).toBe(PASSWORD);
    expect(await fsp.readFile(path.join(home, 'config.json'), 'utf8')).not.toContain(PASSWORD);
    const test = await runCli(home, ['accounts', 'test', 'Later']);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/^ok\s+auth/m);
  });

  it('replaces a wrong password; an empty line changes nothing', async () => {
    const id = await added(
      localAccountArgs('Typo', 'me@example.org', plainAuth.port, [...PLAIN, '--password-stdin']),
      'wrong\n',
    );
    expect((await runCli(home, ['accounts', 'test', 'Typo'])).code).toBe(78);
    const empty = await runCli(home, ['accounts', 'set-password', 'Typo'], '\n');
    expect(empty.code).toBe(64);
    expect(keychainEntry(id)).toBe('wrong');
    expect((await runCli(home, ['accounts', 'set-password', 'Typo'], `${PASSWORD}\n`)).code).toBe(0);
    expect((await runCli(home, ['accounts', 'test', 'Typo'])).code).toBe(0);
  });

  it('refuses a password on the command line: it would show in the process list', async () => {
    const result = await runCli(home, ['accounts', 'set-password', 'Typo', PASSWORD]);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/^outbox: [^\n]*set-password[^\n]*\n$/);
  });
});

describe('accounts edit', () => {
  it('moving to another server forgets the password and says so; the next delivery goes there as edited', async () => {
    await added(
      localAccountArgs('Moving', 'me@example.org', plainAuth.port, [...PLAIN, '--password-stdin']),
      `${PASSWORD}\n`,
    );
    const moved = await runCli(home, ['accounts', 'edit', 'Moving', '--port', String(plainOpen.port)]);
    expect(moved.code).toBe(0);
    expect(moved.stdout).toBe('');
    expect(moved.stderr).toMatch(/^outbox: the password of "Moving" [^\n]*forgotten[^\n]*\n$/);
    expect(await accountNamed('Moving')).toMatchObject({ port: plainOpen.port, hasPassword: false });

    const renamed = await runCli(home, [
      'accounts',
      'edit',
      'Moving',
      '--label',
      'Moved',
      '--name',
      'Ann Other',
      '--no-password',
      '--alias',
      'Help <help@example.org>',
    ]);
    expect(renamed.stderr).toBe('');
    expect(renamed.code).toBe(0);
    expect(await accountNamed('Moved')).toMatchObject({
      displayName: 'Ann Other',
      port: plainOpen.port,
      aliases: ['Help <help@example.org>'],
    });

    const queued = await runCli(home, [
      ...['send', '--account', 'Moved', '--to', 'bob@example.net'],
      ...['--subject', 'Edited', '--text', 'Hi'],
    ]);
    expect(queued.code).toBe(0);
    expect((await runCli(home, ['queue', 'flush', '--wait'])).code).toBe(0);
    const raw = plainOpen.messages.at(-1)?.raw ?? Buffer.alloc(0);
    expect((await simpleParser(raw)).from?.value).toEqual([{ name: 'Ann Other', address: 'me@example.org' }]);
  });

  it('a new password with the move keeps the account signed in, without the notice', async () => {
    await added(
      localAccountArgs('Both', 'me@example.org', plainOpen.port, [...PLAIN, '--password-stdin']),
      'old\n',
    );
    const result = await runCli(
      home,
      ['accounts', 'edit', 'Both', '--port', String(plainAuth.port), '--password-stdin'],
      `${PASSWORD}\n`,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(await accountNamed('Both')).toMatchObject({ port: plainAuth.port, hasPassword: true });
    expect((await runCli(home, ['accounts', 'test', 'Both'])).code).toBe(0);
  });

  it('refuses a bad host, a line break in --from, or nothing to change, on one line, changing nothing', async () => {
    const before = await accountNamed('Both');
    const cases: [string[], number][] = [
      [['--host', '127.0.0.1\r\nx'], 64],
      [['--host', 'local\u200bhost'], 64],
      [['--from', 'me@example.org\r\nBcc: spy@example.net'], 65],
      [[], 64],
    ];
    for (const [options, code] of cases) {
      const result = await runCli(home, ['accounts', 'edit', 'Both', ...options]);
      expect({ options, code: result.code }).toEqual({ options, code });
      expect(result.stderr).toMatch(/^outbox: [^\r\n]+\n$/);
    }
    expect(await accountNamed('Both')).toEqual(before);
  });
});

describe('accounts pin', () => {
  it('after the server changed: shows the new certificate, pins it only with its fingerprint', async () => {
    await added(
      localAccountArgs('Rotated', 'me@example.org', tlsAuth.port, [
        ...['--security', 'tls', '--no-password', '--pin-cert', certA.sha256],
      ]),
    );
    // The server moves to one with another certificate: the pin no longer matches.
    expect((await runCli(home, ['accounts', 'edit', 'Rotated', '--port', String(tlsOther.port)])).code).toBe(
      0,
    );
    expect((await runCli(home, ['accounts', 'test', 'Rotated'])).code).toBe(78);

    const shown = await runCli(home, ['accounts', 'pin', 'Rotated']);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain(`fingerprint ${certB.sha256}`);
    expect((await runCli(home, ['accounts', 'test', 'Rotated'])).code).toBe(78);

    const wrong = await runCli(home, ['accounts', 'pin', 'Rotated', '--cert', certA.sha256]);
    expect(wrong.code).toBe(64);
    expect(wrong.stderr).toMatch(/^outbox: Only the certificate shown by the last connection test/);
    expect((await runCli(home, ['accounts', 'test', 'Rotated'])).code).toBe(78);

    const pinned = await runCli(home, ['accounts', 'pin', 'Rotated', '--cert', certB.sha256.toLowerCase()]);
    expect(pinned.stderr).toBe('');
    expect(pinned.code).toBe(0);
    expect(pinned.stdout).toMatch(/^pinned: /m);
    const test = await runCli(home, ['accounts', 'test', 'Rotated']);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/^ok\s+tls/m);
  });

  it('an account without TLS has no certificate to pin', async () => {
    const result = await runCli(home, ['accounts', 'pin', 'Both', '--cert', certA.sha256]);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(/^outbox: "Both" connects without TLS[^\n]*\n$/);
  });
});

describe('accounts add: the host as it is connected to', () => {
  it('refuses a host with a line break, an invisible character or a tab (64, invalid_host), saving nothing', async () => {
    const before = await listed();
    const args = localAccountArgs('Bad host', 'me@example.org', plainOpen.port, [...PLAIN, '--no-password']);
    for (const host of ['127.0.0.1\r\nx', 'local\u200bhost', 'local\u00adhost', 'local\thost']) {
      const result = await runCli(home, args.with(args.indexOf('--host') + 1, host));
      expect({ host, code: result.code }).toEqual({ host, code: 64 });
      expect(result.stderr).toMatch(/^outbox: host: [^\r\n]*is not a valid host name or IP address\n$/);
    }
    expect(await listed()).toEqual(before);
  });

  it('saves a host name in ASCII lower case, as it is looked up', async () => {
    const args = localAccountArgs('Upper', 'me@example.org', plainOpen.port, [...PLAIN, '--no-password']);
    await added(args.with(args.indexOf('--host') + 1, 'LocalHost'));
    expect(await accountNamed('Upper')).toMatchObject({ host: 'localhost' });
    expect((await runCli(home, ['accounts', 'remove', 'Upper'])).code).toBe(0);
  });
});

describe('accounts add without a reachable keychain', () => {
  it('says so in one line (69), with no warnings before it, and saves nothing', async () => {
    const before = await listed();
    const result = await runCli(
      home,
      localAccountArgs('No keychain', 'me@example.org', plainAuth.port, [...PLAIN, '--password-stdin']),
      `${PASSWORD}\n`,
      NO_KEYCHAIN,
    );
    expect(result.stderr).toMatch(/^outbox: Outbox keeps passwords only in the system keychain[^\n]*\n$/);
    expect(result.code).toBe(69);
    expect(await listed()).toEqual(before);
  });
});
