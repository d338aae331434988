/**
 * OAuth2 delivery end to end: the real core (queue on disk, the real keychain, the bridge's own
 * handlers), a real authorization server (oidc-provider), the user in real Chromium, and an SMTP
 * server whose XOAUTH2 takes only access tokens that provider issued and still honours.
 * Run inside test/run-with-services.sh (the Secret Service).
 */
import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { inspect, promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { KEYCHAIN_SERVICE } from '../../../main/accounts/credentials.ts';
import { AppError } from '../../../main/errors/app-error.ts';
import { silentLogger, type Logger } from '../../../main/errors/logger.ts';
import { createIpcRouter } from '../../../main/ipc/ipc-router.ts';
import type { Account, ConnectionReport } from '../../../preload/contract/accounts.ts';
import type { Result } from '../../../preload/contract/errors.ts';
import type { QueueItem } from '../../../preload/contract/outbox.ts';
import { requireSecretService } from '../../support/accounts-fixtures.ts';
import { browserUser, closeBrowserUser } from '../../support/browser-user.ts';
import { startTestCore, type TestCore } from '../../support/core-fixture.ts';
import { providerAccount } from '../../support/oauth-fixtures.ts';
import { startOAuthProvider, type TestOAuthProvider } from '../../support/oauth-provider.ts';
import { createPlainAccount, eventually } from '../../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';

const ORIGIN = 'app://outbox';
const sender = { url: `${ORIGIN}/index.html`, isMainFrame: true, isOurWindow: true };
/** Chromium and the provider's pages on a loaded 2-core machine: generous. */
const SLOW = 120_000;

/** The refresh token as `secret-tool` (the Secret Service's own client) finds it, or '' when absent. */
async function keychainRefreshToken(accountId: string): Promise<string> {
  const lookup = promisify(execFile)('secret-tool', [
    'lookup',
    'service',
    KEYCHAIN_SERVICE,
    'username',
    `${accountId}:oauth`,
  ]);
  return (await lookup.catch(() => ({ stdout: '' }))).stdout.trim();
}

/** Every line main logs, details and errors included, to scan for tokens. */
function recordingLogger(lines: string[]): Logger {
  const record = (message: string, details?: Record<string, unknown>) => {
    lines.push(`${message} ${inspect(details, { depth: 8 })}`);
  };
  return { info: record, warn: record, error: record };
}

/** Every file under a folder, as text (latin1 keeps every byte), for the leak scan. */
async function filesUnder(folder: string): Promise<{ file: string; text: string }[]> {
  const entries = await fsp.readdir(folder, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile());
  return Promise.all(
    files.map(async (entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return { file, text: await fsp.readFile(file, 'latin1') };
    }),
  );
}

let provider: TestOAuthProvider;
let server: TestServer;
/** A server without AUTH for a second, plain account: its mail going proves a delivery round ran. */
let plainServer: TestServer;
let core: TestCore;
let plain: Account;
const logged: string[] = [];
/** Everything any bridge call returned or answered with, and every event main sent the window, as JSON. */
const returned: string[] = [];
/** What the SMTP server's XOAUTH2 saw: the user, the token, and whom the provider issued it to. */
const presented: { user: string; token: string; issuedTo: string | undefined }[] = [];

/** XOAUTH2 as a real server checks it: the token must be one the provider issued to that user and still honours. */
async function honoured(user: string, token: string): Promise<boolean> {
  const issuedTo = await provider.validAccessToken(token);
  presented.push({ user, token, issuedTo });
  return issuedTo === user;
}

async function call(channel: string, payload?: unknown): Promise<unknown> {
  const router = createIpcRouter(core.handlers, { trustedOrigin: ORIGIN, log: silentLogger });
  const result: Result<unknown> = await router.dispatch(channel, payload, sender);
  returned.push(JSON.stringify(result));
  if (!result.ok) throw new AppError(result.error.code, result.error.message);
  return result.value;
}

beforeAll(async () => {
  await requireSecretService();
  provider = await startOAuthProvider();
  server = await startTestServer({ authMethods: ['XOAUTH2'], acceptToken: honoured });
  plainServer = await startTestServer();
  core = await startTestCore({
    settings: { undoSeconds: 0 },
    log: recordingLogger(logged),
    // Every test signs in: more sign-ins than the window's rate limit lets through.
    bridgeLimits: { rules: { connectionTests: { capacity: 100, refillMs: 1_000 } } },
  });
  core.setEventSink((event, payload) => returned.push(JSON.stringify({ event, payload })));
  plain = await createPlainAccount(core, plainServer.port, 'Plain');
}, SLOW);

afterAll(async () => {
  await closeBrowserUser();
  await core.close();
  await Promise.all([server.close(), plainServer.close(), provider.close()]);
});

/** A generic-provider OAuth2 account of `email` on the test's SMTP server, not signed in yet. */
async function createAccount(email: string): Promise<Account> {
  return (await call('accounts:create', {
    label: email,
    displayName: email,
    fromAddress: email,
    host: '127.0.0.1',
    port: server.port,
    security: 'none',
    allowPlaintext: true,
    auth: 'oauth2',
    username: email,
    oauth: providerAccount(provider, email).oauth,
  })) as Account;
}

async function signIn(account: Account): Promise<Account> {
  core.browser = browserUser(account.fromAddress).open;
  return (await call('accounts:signIn', { id: account.id })) as Account;
}

async function signedInAccount(email: string): Promise<Account> {
  return signIn(await createAccount(email));
}

const enqueue = async (account: Account, subject: string) =>
  (await call('outbox:enqueue', {
    accountId: account.id,
    to: ['grace@example.net'],
    subject,
    text: 'Hi.',
  })) as QueueItem;

const copiesOf = (subject: string, at = server) =>
  at.messages.filter((message) => message.raw.toString('latin1').includes(`Subject: ${subject}`)).length;

/** Waits until the server has the message, then checks it has it exactly once. */
async function deliveredOnce(subject: string, at = server): Promise<void> {
  await eventually(() => (copiesOf(subject, at) > 0 ? true : undefined), SLOW);
  expect(copiesOf(subject, at)).toBe(1);
}

const itemOf = async (id: string) => (await call('outbox:get', { id })) as QueueItem;

/** The message once delivery has dealt with it: out of `queued` and `sending`, whatever it became. */
const triedItem = (id: string) =>
  eventually(async () => {
    const item = await itemOf(id);
    return item.state === 'queued' || item.state === 'sending' ? undefined : item;
  }, SLOW / 2);

const accountOf = async (id: string) =>
  ((await call('accounts:list')) as Account[]).find((account) => account.id === id);

/** The access token the keeper holds for the account: the last one the server saw it present. */
const lastTokenOf = (email: string) => presented.findLast((seen) => seen.user === email)?.token ?? '';

/**
 * As after a sleep: pooled sessions are dropped, so the next message opens a session and
 * authenticates with the token the keeper holds.
 */
const wake = () => {
  core.core.resumed();
};

/** A signed-in account whose first message went: the keeper now holds an access token for it. */
async function sendingAccount(email: string): Promise<Account> {
  const account = await signedInAccount(email);
  await enqueue(account, `First from ${email}`);
  await deliveredOnce(`First from ${email}`);
  return account;
}

/** The provider drops the access token the keeper holds (revoked, or lapsed early), and main wakes. */
async function dropAccessToken(email: string): Promise<void> {
  await provider.revokeAccessToken(lastTokenOf(email));
  wake();
}

/** One full delivery round of the plain account, as a witness that delivery ran since. */
let rounds = 0;
async function deliveryRound(): Promise<void> {
  const subject = `Witness ${++rounds}`;
  await enqueue(plain, subject);
  await deliveredOnce(subject, plainServer);
}

describe('OAuth2 delivery against a real provider, browser and SMTP server', () => {
  test(
    'first sign-in through the bridge; the server sees XOAUTH2 with the provider token for the user',
    async () => {
      const fresh = await createAccount('ada@example.test');
      expect(fresh).toMatchObject({ hasOAuthToken: false });
      const account = await signIn(fresh);
      expect(account).toMatchObject({ hasOAuthToken: true, signedInAs: 'ada@example.test' });
      expect(provider.tokenRequests['authorization_code']).toBe(1);
      const refreshToken = await keychainRefreshToken(account.id);
      expect(await provider.validRefreshToken(refreshToken)).toBe(true);

      await enqueue(account, 'First by token');
      await deliveredOnce('First by token');
      expect(presented).toEqual([
        { user: 'ada@example.test', token: expect.any(String) as string, issuedTo: 'ada@example.test' },
      ]);
      // The token from the sign-in itself: no refresh was needed.
      expect(provider.tokenRequests['refresh_token']).toBeUndefined();
      expect(provider.issuedTokens).toContain(lastTokenOf('ada@example.test'));
    },
    SLOW,
  );

  test(
    'an access token that dies mid-queue is refreshed once; every message goes exactly once',
    async () => {
      const email = 'bea@example.test';
      const account = await sendingAccount(email);
      const refreshesBefore = provider.tokenRequests['refresh_token'] ?? 0;

      // The token dies while the rest of the queue waits; the sessions that take it all start with it.
      await dropAccessToken(email);
      await call('accounts:pause', { id: account.id });
      const rest = ['two', 'three', 'four', 'five'].map((n) => `Mid-queue ${n}`);
      for (const subject of rest) await enqueue(account, subject);
      await call('accounts:resume', { id: account.id });
      for (const subject of rest) await deliveredOnce(subject);

      expect(copiesOf(`First from ${email}`)).toBe(1);
      expect(provider.tokenRequests['refresh_token']).toBe(refreshesBefore + 1);
      const seen = presented.filter((entry) => entry.user === email).map((entry) => entry.issuedTo);
      expect(seen[0]).toBe(email);
      expect(seen.slice(1)).toContain(undefined);
      expect(seen.at(-1)).toBe(email);
    },
    SLOW,
  );

  test(
    'a session refused the dead token after another refreshed it gets the new one, not a second refresh',
    async () => {
      const email = 'ivy@example.test';
      const account = await sendingAccount(email);
      const refreshesBefore = provider.tokenRequests['refresh_token'] ?? 0;
      let refused = 0;
      let accepted = 0;
      // Two sessions present the dead token; the second is refused only once the first has
      // refreshed and signed in with the new token, so its fresh request comes after that refresh.
      server.options = {
        ...server.options,
        acceptToken: async (user, token) => {
          const ok = await honoured(user, token);
          if (user !== email) return ok;
          if (ok) accepted++;
          else if (++refused === 1) await eventually(() => (refused >= 2 ? true : undefined), SLOW / 2);
          else await eventually(() => (accepted >= 1 ? true : undefined), SLOW / 2);
          return ok;
        },
      };
      try {
        await call('accounts:pause', { id: account.id });
        await dropAccessToken(email);
        for (const n of ['one', 'two']) await enqueue(account, `Raced ${n}`);
        await call('accounts:resume', { id: account.id });
        for (const n of ['one', 'two']) await deliveredOnce(`Raced ${n}`);
      } finally {
        server.options = { ...server.options, acceptToken: honoured };
      }
      expect(refused).toBe(2);
      expect(provider.tokenRequests['refresh_token']).toBe(refreshesBefore + 1);
    },
    SLOW,
  );

  test(
    'a rotated refresh token replaces the old one in the keychain; the provider refuses the old one',
    async () => {
      const email = 'cy@example.test';
      const account = await sendingAccount(email);
      const first = await keychainRefreshToken(account.id);
      expect(first).not.toBe('');

      await dropAccessToken(email);
      await enqueue(account, 'After rotation');
      await deliveredOnce('After rotation');

      const second = await keychainRefreshToken(account.id);
      expect(second).not.toBe(first);
      expect(provider.issuedTokens).toContain(second);
      expect(await provider.validRefreshToken(second)).toBe(true);
      expect(await provider.validRefreshToken(first)).toBe(false);
    },
    SLOW,
  );

  test(
    'a revoked sign-in holds the mail with one notification, no loop; signing in again sends it',
    async () => {
      const email = 'dee@example.test';
      const account = await sendingAccount(email);
      await provider.revokeAccount(email);
      wake();
      const first = await enqueue(account, 'Held one');
      const second = await enqueue(account, 'Held two');
      for (const item of [first, second]) {
        expect(await triedItem(item.id)).toMatchObject({
          state: 'needs_attention',
          attempts: 0,
          lastError: { code: 'oauth_signin_required' },
        });
      }
      expect((await accountOf(account.id))?.attention?.code).toBe('oauth_signin_required');

      // Queued while the account needs sign-in: it waits with the others.
      const third = await enqueue(account, 'Held three');
      expect(await triedItem(third.id)).toMatchObject({ state: 'needs_attention', attempts: 0 });

      const aboutIt = () =>
        core.notifications.filter(
          (shown) => shown.title === 'An account needs attention' && shown.body.includes(`"${email}"`),
        );
      await eventually(() => (aboutIt().length > 0 ? true : undefined), SLOW);

      // Several delivery rounds later, nothing more was asked of the provider or the server.
      const refreshes = provider.tokenRequests['refresh_token'] ?? 0;
      const connections = server.connectionCount();
      for (let round = 0; round < 3; round++) {
        wake();
        await call('app:networkHint', { online: true });
        await deliveryRound();
      }
      expect(provider.tokenRequests['refresh_token'] ?? 0).toBe(refreshes);
      expect(server.connectionCount()).toBe(connections);
      const items = (await call('outbox:list')) as QueueItem[];
      const mine = items.filter((item) => item.accountId === account.id);
      expect(mine.map((item) => [item.subject, item.state])).toEqual([
        ['Held one', 'needs_attention'],
        ['Held two', 'needs_attention'],
        ['Held three', 'needs_attention'],
      ]);
      expect(aboutIt()).toHaveLength(1);
      expect(copiesOf('Held one') + copiesOf('Held two') + copiesOf('Held three')).toBe(0);

      const again = await signIn(account);
      expect(again.attention).toBeUndefined();
      for (const subject of ['Held one', 'Held two', 'Held three']) await deliveredOnce(subject);
    },
    SLOW,
  );

  test(
    'mail queued while offline waits, then goes once the network is back',
    async () => {
      const account = await signedInAccount('eve@example.test');
      const connections = server.connectionCount();
      core.online = false;
      await call('app:networkHint', { online: false });
      try {
        const item = await enqueue(account, 'Queued offline');
        expect(['queued', 'deferred']).toContain((await itemOf(item.id)).state);
        expect(copiesOf('Queued offline')).toBe(0);
        expect(server.connectionCount()).toBe(connections);
      } finally {
        core.online = true;
        await call('app:networkHint', { online: true });
      }
      await deliveredOnce('Queued offline');
    },
    SLOW,
  );

  test(
    'the provider down at refresh defers the message without attention; back up, it goes',
    async () => {
      const email = 'fay@example.test';
      const account = await sendingAccount(email);
      await dropAccessToken(email);
      await provider.stop();
      let item: QueueItem;
      try {
        item = await enqueue(account, 'During the outage');
        expect(await triedItem(item.id)).toMatchObject({
          state: 'deferred',
          attempts: 1,
          lastError: { code: 'oauth_unreachable' },
        });
        expect((await accountOf(account.id))?.attention).toBeUndefined();
      } finally {
        await provider.start();
      }
      await call('outbox:retryNow', { id: item.id });
      await deliveredOnce('During the outage');
    },
    SLOW,
  );

  test(
    'cancelling while the browser waits, or denying consent, answers oauth_cancelled and changes nothing',
    async () => {
      const fresh = await createAccount('gus@example.test');
      const opened: string[] = [];
      core.browser = (url) => {
        opened.push(url);
        return Promise.resolve();
      };
      const waiting = call('accounts:signIn', { id: fresh.id });
      await eventually(() => (opened.length > 0 ? true : undefined), SLOW);
      await call('accounts:cancelSignIn', { id: fresh.id });
      await expect(waiting).rejects.toMatchObject({ code: 'oauth_cancelled' });
      expect(await accountOf(fresh.id)).toMatchObject({ hasOAuthToken: false });
      expect(await keychainRefreshToken(fresh.id)).toBe('');

      const signedIn = await signIn(fresh);
      const kept = await keychainRefreshToken(signedIn.id);
      core.browser = browserUser(signedIn.fromAddress).deny;
      await expect(call('accounts:signIn', { id: signedIn.id })).rejects.toMatchObject({
        code: 'oauth_cancelled',
        message: 'Sign-in was cancelled.',
      });
      expect(await accountOf(signedIn.id)).toMatchObject({
        hasOAuthToken: true,
        signedInAs: 'gus@example.test',
      });
      expect(await keychainRefreshToken(signedIn.id)).toBe(kept);
    },
    SLOW,
  );

  test(
    'the connection test signs in, then AUTH XOAUTH2; after revocation the signin step says sign in again',
    async () => {
      const email = 'hal@example.test';
      const account = await signedInAccount(email);
      const steps = (report: ConnectionReport) => report.steps.map(({ step, status }) => `${step} ${status}`);
      const report = (await call('accounts:test', { id: account.id })) as ConnectionReport;
      expect(steps(report).slice(-2)).toEqual(['signin ok', 'auth ok']);
      expect(presented.findLast((seen) => seen.user === email)?.issuedTo).toBe(email);

      await provider.revokeAccount(email);
      // The access token the keeper still held is refused at AUTH; the refresh behind it is too.
      const refused = (await call('accounts:test', { id: account.id })) as ConnectionReport;
      expect(steps(refused).slice(-2)).toEqual(['signin ok', 'auth failed']);
      expect(refused.steps.at(-1)?.error?.code).toBe('oauth_signin_required');
      // Nothing held now: the signin step itself asks the provider, and says to sign in again.
      const revoked = (await call('accounts:test', { id: account.id })) as ConnectionReport;
      expect(steps(revoked).slice(-2)).toEqual(['signin failed', 'auth skipped']);
      expect(revoked.steps.at(-2)?.error).toMatchObject({
        code: 'oauth_signin_required',
        message: expect.stringMatching(/needs you to sign in again/) as string,
      });
    },
    SLOW,
  );

  test('no message reached either server twice, whatever the refreshes and retries above', () => {
    const ids = [...server.messages, ...plainServer.messages].map((message) => message.messageId);
    expect(ids.length).toBeGreaterThan(20);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  test('no token the provider issued is in the settings, the data folder, the logs or the bridge', async () => {
    const secrets = [...new Set(provider.issuedTokens)];
    // Sign-ins and refreshes above: both kinds were issued, several times.
    expect(secrets.length).toBeGreaterThan(10);
    const files = await filesUnder(core.dataDir);
    expect(files.map(({ file }) => path.basename(file))).toContain('config.json');
    returned.push(JSON.stringify(await call('accounts:list')), JSON.stringify(await call('outbox:list')));
    const places = [
      ...files.map(({ file, text }) => ({ where: file, text })),
      { where: 'log', text: logged.join('\n') },
      { where: 'bridge calls and events', text: returned.join('\n') },
      { where: 'notifications', text: JSON.stringify(core.notifications) },
    ];
    expect(returned.some((text) => text.includes('"event":"accounts:changed"'))).toBe(true);
    const leaks = places.flatMap(({ where, text }) =>
      secrets.filter((secret) => text.includes(secret)).map(() => where),
    );
    expect(leaks).toEqual([]);
  });
});
