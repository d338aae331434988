/**
 * OAuth2 sign-in from the command line: the real `outbox` process, the real keychain, a real
 * OpenID provider (oidc-provider), the user in real Chromium, and an SMTP server that takes only
 * access tokens the provider issued.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemOpener } from '../../../main/cli/accounts/terminal-sign-in.ts';
import { requireSecretService } from '../../support/accounts-fixtures.ts';
import { browserUser, closeBrowserUser } from '../../support/browser-user.ts';
import { startOAuthProvider, type TestOAuthProvider } from '../../support/oauth-provider.ts';
import { eventually } from '../../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { BIN, localAccountArgs, NODE, runCli, tempHomes, type CliResult } from './run-cli.ts';

const newHome = tempHomes();
let provider: TestOAuthProvider;
let server: TestServer;

beforeAll(async () => {
  await requireSecretService();
  provider = await startOAuthProvider();
  server = await startTestServer({
    authMethods: ['XOAUTH2'],
    acceptToken: async (user, token) => (await provider.validAccessToken(token)) === user,
  });
}, 60_000);

/** CLIs still waiting for a browser when their test failed: stopped, so none outlives the file. */
const waiting = new Set<ChildProcess>();

afterAll(async () => {
  for (const child of waiting) child.kill();
  await closeBrowserUser();
  await server.close();
  await provider.close();
});

/** The keychain's refresh token of an account, read by secret-tool, not by our code. */
function storedRefreshToken(accountId: string): string | undefined {
  const result = spawnSync('secret-tool', ['lookup', 'service', 'Outbox', 'username', `${accountId}:oauth`], {
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout : undefined;
}

interface RunningCli {
  /** The authorization URL, from its own line on stderr. */
  readonly url: Promise<string>;
  readonly result: Promise<CliResult>;
  readonly interrupt: () => void;
}

/** `outbox …` as a user runs it, watched while it waits for the browser. */
function startCli(home: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): RunningCli {
  const child = spawn(NODE, [BIN, ...args], { env: { ...process.env, ...env, OUTBOX_HOME: home } });
  waiting.add(child);
  let stdout = '';
  let stderr = '';
  let foundUrl: (url: string) => void = () => undefined;
  const url = new Promise<string>((resolve, reject) => {
    foundUrl = resolve;
    child.on('close', () => {
      reject(new Error(`no sign-in URL on stderr:\n${stderr}`));
    });
  });
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    const line = stderr.split('\n').find((l) => /^https?:\/\//.test(l));
    if (line !== undefined) foundUrl(line);
  });
  url.catch(() => undefined);
  const result = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      waiting.delete(child);
      resolve({ code, stdout, stderr });
    });
  });
  child.stdin.end();
  return { url, result, interrupt: () => child.kill('SIGINT') };
}

/** `accounts add` for the test's SMTP server, in plain text on 127.0.0.1; `rest` says how it signs in. */
const plainAccountArgs = (label: string, email: string, ...rest: string[]) =>
  localAccountArgs(label, email, server.port, ['--security', 'none', '--allow-plaintext', ...rest]);

/** The test provider, as `--oauth-issuer` and the flags beside it. */
const issuerArgs = () => [
  '--oauth-issuer',
  provider.issuer,
  '--oauth-client-id',
  provider.clientId,
  ...['openid', 'email', 'offline_access', provider.smtpScope].flatMap((s) => ['--oauth-scope', s]),
];

const genericArgs = (label: string, email: string) =>
  plainAccountArgs(label, email, ...issuerArgs(), '--no-browser');

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);

interface ListedAccount {
  id: string;
  label: string;
  auth: string;
  attention: { code: string } | null;
  oauth: { provider: string; signedIn: boolean; signedInAs: string | null } | null;
}

async function listed(home: string): Promise<ListedAccount[]> {
  const list = await runCli(home, ['accounts', 'list', '--json']);
  expect(list.code).toBe(0);
  return (JSON.parse(list.stdout) as { accounts: ListedAccount[] }).accounts;
}

/** Adds a generic-provider account, signed in as `email` in the browser; its id. */
async function addSignedIn(
  home: string,
  label: string,
  email: string,
): Promise<{ id: string; output: string }> {
  const cli = startCli(home, genericArgs(label, email));
  await browserUser(email).open(await cli.url);
  const result = await cli.result;
  expect(result.stderr).toContain('Waiting for the sign-in in your browser');
  expect(result.code, result.stderr).toBe(0);
  return { id: result.stdout.trim(), output: result.stdout + result.stderr };
}

async function sendAndFlush(home: string, subject: string): Promise<CliResult> {
  const sent = await runCli(home, ['send', '--to', 'ann@example.net', '--subject', subject, '--text', 't']);
  expect(sent.code, sent.stderr).toBe(0);
  return runCli(home, ['queue', 'flush']);
}

describe('outbox accounts add --oauth-issuer', () => {
  it('signs in in the browser, keeps the refresh token only in the keychain, and delivers with XOAUTH2', async () => {
    const home = await newHome();
    const { id, output } = await addSignedIn(home, 'Ada', 'ada@example.test');

    expect(await listed(home)).toMatchObject([
      { id, auth: 'oauth2', oauth: { provider: 'generic', signedIn: true, signedInAs: 'ada@example.test' } },
    ]);
    const text = await runCli(home, ['accounts', 'list']);
    expect(text.stdout).toContain('oauth2, signed in as ada@example.test');
    const refreshToken = storedRefreshToken(id);
    expect(refreshToken).toBeDefined();
    expect(await provider.validRefreshToken(refreshToken ?? '')).toBe(true);
    const config = await fsp.readFile(path.join(home, 'config.json'), 'utf8');
    for (const where of [output, config, text.stdout]) expect(where).not.toContain(refreshToken);

    const flushed = await sendAndFlush(home, 'over XOAUTH2');
    expect(flushed.code, flushed.stderr).toBe(0);
    expect(server.messages.map((m) => m.raw.toString())).toEqual(
      expect.arrayContaining([expect.stringContaining('Subject: over XOAUTH2')]),
    );
    expect(server.authAttempts).toContainEqual({ user: 'ada@example.test', ok: true });
  }, 120_000);

  it('the user denies: exit 77 "Sign-in was cancelled", and no account is left', async () => {
    const home = await newHome();
    const cli = startCli(home, genericArgs('Bob', 'bob@example.test'));
    await browserUser('bob@example.test').deny(await cli.url);
    const result = await cli.result;
    expect(lastLine(result.stderr)).toBe('outbox: Sign-in was cancelled.');
    expect(result.stderr).not.toContain('warning');
    expect(result.code).toBe(77);
    expect(result.stdout).toBe('');
    expect(await listed(home)).toEqual([]);
  }, 120_000);

  it('Ctrl-C while it waits for the browser: exit 77, and no account is left', async () => {
    const home = await newHome();
    const cli = startCli(home, genericArgs('Carol', 'carol@example.test'));
    await cli.url;
    cli.interrupt();
    const result = await cli.result;
    expect(lastLine(result.stderr)).toBe('outbox: Sign-in was cancelled.');
    expect(result.stderr).not.toContain('warning');
    expect(result.code).toBe(77);
    expect(await listed(home)).toEqual([]);
  }, 120_000);
});

describe('the browser', () => {
  it("is opened with the system's opener, the URL one argument of it, and the URL is printed too", async () => {
    const home = await newHome();
    // An xdg-open that only notes its arguments; the test's user then opens what it was given.
    const bin = await fsp.mkdtemp(path.join(home, 'bin-'));
    const opened = path.join(home, 'opened');
    await fsp.writeFile(
      path.join(bin, 'xdg-open'),
      `#!/bin/sh\nprintf '%s\\n' "$#" "$1" > "${opened}.tmp"\nmv "${opened}.tmp" "${opened}"\n`,
      {
        mode: 0o755,
      },
    );
    const args = genericArgs('Fay', 'fay@example.test').filter((a) => a !== '--no-browser');
    const cli = startCli(home, args, { PATH: `${bin}:${process.env.PATH ?? ''}` });
    const printed = await cli.url;
    const handed = await eventually(() => fsp.readFile(opened, 'utf8').catch(() => undefined));
    expect(handed).toBe(`1\n${printed}\n`);
    await browserUser('fay@example.test').open(printed);
    const result = await cli.result;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`If no browser window appeared, open this address:\n${printed}\n`);
  }, 120_000);

  it('is opened by open on macOS and by url.dll on Windows', () => {
    const url = 'https://login.example/authorize?a=1&b=2';
    expect(systemOpener('darwin', url)).toEqual({ file: 'open', args: [url] });
    expect(systemOpener('win32', url)).toEqual({
      file: 'rundll32',
      args: ['url.dll,FileProtocolHandler', url],
    });
    expect(systemOpener('linux', url)).toEqual({ file: 'xdg-open', args: [url] });
  });
});

describe('outbox accounts signin', () => {
  it('after the provider revoked the sign-in: flush exits 78, signin signs in again, and the held mail goes', async () => {
    const home = await newHome();
    const email = 'dora@example.test';
    const { id } = await addSignedIn(home, 'Dora', email);
    await provider.revokeAccount(email);

    const refused = await sendAndFlush(home, 'held until signed in');
    expect(refused.stderr).toMatch(/sign in again/i);
    expect(refused.code).toBe(78);
    expect(await listed(home)).toMatchObject([{ id, oauth: { signedIn: false } }]);
    expect((await runCli(home, ['accounts', 'list'])).stdout).toContain('oauth2, needs sign-in');

    const cli = startCli(home, ['accounts', 'signin', 'Dora', '--no-browser']);
    await browserUser(email).open(await cli.url);
    const signedIn = await cli.result;
    expect(signedIn.code, signedIn.stderr).toBe(0);
    expect(await listed(home)).toMatchObject([{ id, attention: null, oauth: { signedIn: true } }]);

    const flushed = await runCli(home, ['queue', 'flush']);
    expect(flushed.code, flushed.stderr).toBe(0);
    expect(server.messages.map((m) => m.raw.toString())).toEqual(
      expect.arrayContaining([expect.stringContaining('Subject: held until signed in')]),
    );
  }, 180_000);

  it('a password account: usage error saying how to switch', async () => {
    const home = await newHome();
    const added = await runCli(home, plainAccountArgs('Plain', 'me@example.org', '--no-password'));
    expect(added.code, added.stderr).toBe(0);
    const result = await runCli(home, ['accounts', 'signin', 'Plain']);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('accounts edit Plain --oauth');
  });
});

describe('outbox accounts edit --oauth-issuer', () => {
  it('switches an account to OAuth2 keeping its id and queued mail, which goes once it is signed in', async () => {
    const home = await newHome();
    const email = 'eve@example.test';
    const added = await runCli(home, plainAccountArgs('Eve', email, '--no-password'));
    expect(added.code, added.stderr).toBe(0);
    const id = added.stdout.trim();
    const sent = await runCli(home, [
      'send',
      '--to',
      'ann@example.net',
      '--subject',
      'queued before',
      '--text',
      't',
    ]);
    expect(sent.code, sent.stderr).toBe(0);

    const edited = await runCli(home, ['accounts', 'edit', 'Eve', ...issuerArgs()]);
    expect(edited.code, edited.stderr).toBe(0);
    expect(edited.stderr).toContain(`outbox accounts signin ${id}`);
    expect(await listed(home)).toMatchObject([{ id, auth: 'oauth2', oauth: { signedIn: false } }]);

    const cli = startCli(home, ['accounts', 'signin', id, '--no-browser', '--json']);
    await browserUser(email).open(await cli.url);
    const signedIn = await cli.result;
    expect(signedIn.code, signedIn.stderr).toBe(0);
    expect(JSON.parse(signedIn.stdout)).toMatchObject({
      version: 1,
      account: { id, oauth: { signedIn: true, signedInAs: email } },
    });
    expect(signedIn.stdout).not.toContain(storedRefreshToken(id));

    const flushed = await runCli(home, ['queue', 'flush']);
    expect(flushed.code, flushed.stderr).toBe(0);
    expect(server.messages.map((m) => m.raw.toString())).toEqual(
      expect.arrayContaining([expect.stringContaining('Subject: queued before')]),
    );
  }, 180_000);
});

describe('outbox accounts add --oauth with a preset', () => {
  it('an address with no OAuth2 provider: usage error naming --oauth-issuer', async () => {
    const home = await newHome();
    const result = await runCli(home, plainAccountArgs('X', 'me@example.org', '--oauth'));
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('--oauth-issuer');
  });

  it('outlook.com with the repository empty client IDs: 78 oauth_not_configured, pointing at docs/oauth.md', async () => {
    const home = await newHome();
    const result = await runCli(home, [
      'accounts',
      'add',
      '--label',
      'Hotmail',
      '--from',
      'me@outlook.com',
      '--oauth',
      '--no-browser',
    ]);
    expect(result.stderr).toContain('docs/oauth.md');
    expect(result.code).toBe(78);
    expect(await listed(home)).toEqual([]);
  });
});
