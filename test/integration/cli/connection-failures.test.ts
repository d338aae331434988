import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { accountsListJson, queueListJson } from '../../../main/cli/json-output.ts';
import { startStarttlsRefusingServer } from '../../support/starttls-refusing-server.ts';
import { startTestServer, type TestServer, type TestServerOptions } from '../../support/smtp-test-server.ts';
import { localAccountArgs, runCli, tempHomes } from './run-cli.ts';

const PASSWORD = 'correct horse battery staple';
const newHome = tempHomes();
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Adds an account (`rest`: security and sign-in) and queues one message through it. */
async function queueOne(home: string, port: number, rest: readonly string[], input = ''): Promise<void> {
  const added = await runCli(home, localAccountArgs('Reports', 'reports@example.org', port, rest), input);
  expect(added.stderr).toBe('');
  expect(added.code).toBe(0);
  const sent = await runCli(home, [
    'send',
    '--to',
    'ann@example.net',
    '--subject',
    'Nightly',
    '--text',
    'ok',
  ]);
  expect(sent.code).toBe(0);
}

/** A server with the account's password (and `options`), the account on it, one message queued. */
async function passwordAccountWithOne(
  options: TestServerOptions,
): Promise<{ server: TestServer; home: string }> {
  const server = await startTestServer({ users: { 'reports@example.org': PASSWORD }, ...options });
  cleanups.push(() => server.close());
  const home = await newHome();
  await queueOne(
    home,
    server.port,
    ['--security', 'none', '--allow-plaintext', '--password-stdin'],
    `${PASSWORD}\n`,
  );
  return { server, home };
}

async function queued(home: string) {
  const listed = await runCli(home, ['queue', 'list', '--json']);
  expect(listed.code).toBe(0);
  return queueListJson.parse(JSON.parse(listed.stdout)).messages;
}

async function listedAccounts(home: string) {
  const listed = await runCli(home, ['accounts', 'list', '--json']);
  expect(listed.code).toBe(0);
  return accountsListJson.parse(JSON.parse(listed.stdout)).accounts;
}

const config = (home: string) => fsp.readFile(path.join(home, 'config.json'), 'utf8');

describe('queue flush where the keychain cannot be reached (cron: no D-Bus session)', () => {
  it('defers without an attempt, saves nothing on the account, says why in one line, exits 75; a later flush delivers', async () => {
    const { server, home } = await passwordAccountWithOne({});
    const before = await config(home);

    // As cron runs it: no DBUS_SESSION_BUS_ADDRESS (undefined leaves it out of the environment).
    const cron = await runCli(home, ['queue', 'flush'], '', { DBUS_SESSION_BUS_ADDRESS: undefined });
    expect(cron.code).toBe(75);
    expect(cron.stdout).toContain('Delivered 0');
    expect(cron.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^outbox: The keychain cannot be reached from this process \(no D-Bus session bus\).*DBUS_SESSION_BUS_ADDRESS=unix:path=\/run\/user\/\$\(id -u\)\/bus/,
      ),
    ]);
    expect(await config(home)).toBe(before);
    expect(await queued(home)).toMatchObject([{ state: 'queued', attempts: 0 }]);
    expect(server.authAttempts).toEqual([]);

    // What an older build saved on the account in that case holds nothing back any more.
    const file = JSON.parse(before) as { accounts: { accounts: Record<string, unknown>[] } };
    const [account] = file.accounts.accounts;
    if (account) account.attention = { code: 'keychain_unavailable', message: 'No keychain is running.' };
    await fsp.writeFile(path.join(home, 'config.json'), JSON.stringify(file));

    // With the session bus, as the desktop or a fixed crontab has it: delivered, no test needed first.
    const desktop = await runCli(home, ['queue', 'flush']);
    expect(desktop.stderr).toBe('');
    expect(desktop.code).toBe(0);
    expect(desktop.stdout).toContain('Delivered 1; the outbox is empty');
    expect(server.messages).toHaveLength(1);
  });
});

describe('queue flush where encryption is not available', () => {
  it('a STARTTLS account whose server refuses STARTTLS (454): held, needs attention, exit 78', async () => {
    const refusing = await startStarttlsRefusingServer('454 4.7.0 TLS not available due to temporary reason');
    cleanups.push(() => refusing.close());
    const home = await newHome();
    await queueOne(home, refusing.port, ['--security', 'starttls', '--no-password']);

    const flushed = await runCli(home, ['queue', 'flush']);
    expect(flushed.code).toBe(78);
    expect(flushed.stdout).toContain('1 needs_attention');
    expect(flushed.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^outbox: account "Reports" needs attention: Encryption was not available: .*454 4\.7\.0/,
      ),
    ]);
    expect(await queued(home)).toMatchObject([{ state: 'needs_attention', attempts: 0 }]);
    const accounts = await runCli(home, ['accounts', 'list']);
    expect(accounts.stdout).toContain('needs attention: Encryption was not available');
    expect(refusing.commands.map((c) => c.split(' ')[0])).toEqual(['EHLO', 'STARTTLS']);
  });

  it('a TLS account pointed at a plaintext port: held, needs attention, exit 78', async () => {
    const plain = await startTestServer();
    cleanups.push(() => plain.close());
    const home = await newHome();
    await queueOne(home, plain.port, ['--security', 'tls', '--no-password']);

    const flushed = await runCli(home, ['queue', 'flush']);
    expect(flushed.code).toBe(78);
    expect(flushed.stderr).toMatch(/needs attention: Encryption was not available: .*wrong version number/);
    expect(await queued(home)).toMatchObject([{ state: 'needs_attention', attempts: 0 }]);
    expect(plain.messages).toHaveLength(0);
  });
});

/**
 * A password account on a server that refuses every AUTH as Microsoft's Exchange Online does, one
 * message queued through it: the refusal needs the user, so nothing is failed or retried blindly.
 */
describe.each([
  {
    reply: { code: 550, message: '5.7.30 Basic authentication is not supported for Client Submission.' },
    code: 'basic_auth_unsupported',
    says: [
      'Microsoft no longer accepts a password for this account: switch it to Sign in with Microsoft. Its queued mail waits.',
    ],
    next: 'run "outbox accounts edit Reports --oauth", then "outbox accounts signin Reports", to sign in with Microsoft.',
  },
  {
    reply: {
      code: 535,
      message:
        '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.',
    },
    code: 'smtp_auth_disabled',
    says: [
      'Authenticated SMTP is turned off for this Microsoft 365 mailbox',
      'Set-CASMailbox -Identity <user> -SmtpClientAuthenticationDisabled $false',
      'Signing in with Microsoft does not help until then.',
    ],
    next: 'see "outbox accounts test Reports".',
  },
])(
  'queue flush when Microsoft answers AUTH with $reply.code $reply.message',
  ({ reply, code, says, next }) => {
    it('holds the mail, marks the account, says why once, exits 78; a second flush does not sign in again', async () => {
      const { server, home } = await passwordAccountWithOne({ authReply: reply });

      const flushed = await runCli(home, ['queue', 'flush']);
      expect(flushed.code).toBe(78);
      expect(flushed.stdout).toBe('Delivered 0; still in the outbox: 1 needs_attention.\n');
      const [hint, ...rest] = flushed.stderr.trimEnd().split('\n');
      expect(rest).toEqual([]);
      expect(hint).toContain('outbox: account "Reports" needs attention: ');
      for (const words of says) expect(hint).toContain(words);
      expect(hint?.endsWith(` Its mail waits until it is fixed; ${next}`)).toBe(true);

      const accounts = await listedAccounts(home);
      expect(accounts).toMatchObject([{ label: 'Reports', attention: { code } }]);
      for (const words of says) expect(accounts[0]?.attention?.message).toContain(words);
      expect(await queued(home)).toMatchObject([{ state: 'needs_attention', attempts: 0 }]);
      expect(server.authAttempts).toHaveLength(1);

      const again = await runCli(home, ['queue', 'flush']);
      expect(again.code).toBe(78);
      expect(server.authAttempts).toHaveLength(1);
      expect(server.messages).toHaveLength(0);
      expect(await queued(home)).toMatchObject([{ state: 'needs_attention', attempts: 0 }]);
    });
  },
);
