import fsp from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { KEYCHAIN_SERVICE } from '../../../main/accounts/credentials.ts';
import { osKeychain } from '../../../main/accounts/os-keychain.ts';
import { AppError } from '../../../main/errors/app-error.ts';
import type { Keychain } from '../../../main/core/ports.ts';
import { silentLogger, type Logger } from '../../../main/errors/logger.ts';
import { createIpcRouter } from '../../../main/ipc/ipc-router.ts';
import type {
  AccessTokens,
  OAuthAccount,
  OAuthSignIn,
  SignInGrant,
  SignInOptions,
} from '../../../main/oauth/oauth-ports.ts';
import type { Account, AccountInput, ConnectionReport } from '../../../preload/contract/accounts.ts';
import type { Result } from '../../../preload/contract/errors.ts';
import type { QueueItem } from '../../../preload/contract/outbox.ts';
import { requireSecretService } from '../../support/accounts-fixtures.ts';
import { startTestCore, type TestCore } from '../../support/core-fixture.ts';
import { eventually } from '../../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';

const ORIGIN = 'app://outbox';
const sender = { url: `${ORIGIN}/index.html`, isMainFrame: true, isOurWindow: true };
const REFRESH_TOKEN = 'refresh-token-kept-in-the-keychain-only';

/**
 * The token keeper as main/oauth will be, reduced to what these tests need: it issues tokens the
 * test's SMTP server accepts, and can be told to hand out a stale one first or to fail.
 */
class TestTokens implements AccessTokens {
  readonly valid = new Set<string>();
  readonly asked: boolean[] = [];
  readonly forgotten: string[] = [];
  staleFirst = false;
  failure: AppError | undefined;
  #count = 0;

  issue(): string {
    const token = `access-token-${++this.#count}`;
    this.valid.add(token);
    return token;
  }

  get(_account: OAuthAccount, options?: { readonly fresh?: boolean }): Promise<string> {
    const fresh = options?.fresh === true;
    this.asked.push(fresh);
    if (this.failure) return Promise.reject(this.failure);
    return Promise.resolve(this.staleFirst && !fresh ? 'stale-access-token' : this.issue());
  }

  remember(_accountId: string, grant: Pick<SignInGrant, 'accessToken' | 'expiresAt'>): void {
    this.valid.add(grant.accessToken);
  }

  signingIn(): void {
    // Nothing held here to drop; the real keeper's waiting is tested in access-token-keeper.test.ts.
  }

  forget(accountId: string): void {
    this.forgotten.push(accountId);
  }
}

/** The browser sign-in, reduced: it opens the "browser" and grants at once, or waits to be cancelled. */
class TestSignIn implements OAuthSignIn {
  waitForCancel = false;
  readonly tokens: TestTokens;

  constructor(tokens: TestTokens) {
    this.tokens = tokens;
  }

  async run(_account: OAuthAccount, options: SignInOptions): Promise<SignInGrant> {
    await options.openBrowser('http://127.0.0.1:9/authorize');
    if (this.waitForCancel) {
      await new Promise<void>((_resolve, reject) => {
        options.signal?.addEventListener('abort', () => {
          reject(new AppError('oauth_cancelled', 'Sign-in was cancelled.'));
        });
      });
    }
    return {
      refreshToken: REFRESH_TOKEN,
      accessToken: this.tokens.issue(),
      expiresAt: Date.now() + 3_600_000,
      signedInAs: 'ada@example.com',
    };
  }
}

/** Every line main logs, details and errors included, to scan for tokens. */
function recordingLogger(lines: string[]): Logger {
  const record = (message: string, details?: Record<string, unknown>) => {
    lines.push(`${message} ${inspect(details, { depth: 8 })}`);
  };
  return { info: record, warn: record, error: record };
}

function routerOf(core: TestCore) {
  const router = createIpcRouter(core.handlers, { trustedOrigin: ORIGIN, log: silentLogger });
  return async (channel: string, payload?: unknown): Promise<unknown> => {
    const result: Result<unknown> = await router.dispatch(channel, payload, sender);
    if (!result.ok) throw new AppError(result.error.code, result.error.message);
    return result.value;
  };
}

const storedRefreshToken = (id: string) => osKeychain.getPassword(KEYCHAIN_SERVICE, `${id}:oauth`);

describe('OAuth2 (XOAUTH2) accounts: sign-in, delivery and the refresh token', () => {
  let server: TestServer;
  let core: TestCore;
  let tokens: TestTokens;
  let signIn: TestSignIn;
  let call: ReturnType<typeof routerOf>;
  let opened: string[];
  let logged: string[];
  const created: string[] = [];

  beforeAll(async () => {
    await requireSecretService();
    // AUTH is set up when the server starts; each test sets which tokens it takes.
    // Offered as Gmail and Microsoft do: passwords too, which an OAuth2 account must not pick.
    server = await startTestServer({ authMethods: ['PLAIN', 'LOGIN', 'XOAUTH2'], acceptToken: () => false });
  });
  afterAll(async () => {
    await server.close();
  });

  beforeEach(async () => {
    tokens = new TestTokens();
    signIn = new TestSignIn(tokens);
    server.options = {
      acceptToken: (user, token) => user === 'ada@example.com' && tokens.valid.has(token),
    };
    server.messages.length = 0;
    server.authAttempts.length = 0;
    logged = [];
    core = await startTestCore({
      settings: { undoSeconds: 0 },
      oauth: { signIn, tokens },
      log: recordingLogger(logged),
    });
    opened = [];
    core.browser = (url) => {
      opened.push(url);
      return Promise.resolve();
    };
    call = routerOf(core);
  });
  afterEach(async () => {
    for (const id of created.splice(0)) {
      await call('accounts:delete', { id, queued: { action: 'hold' } }).catch(() => undefined);
    }
    await core.close();
  });

  /** An OAuth2 account of a generic provider, on the test's server. */
  const oauthAccountInput = (overrides: Partial<AccountInput> = {}) => ({
    label: 'Work',
    displayName: 'Ada',
    fromAddress: 'ada@example.com',
    host: '127.0.0.1',
    port: server.port,
    security: 'none',
    allowPlaintext: true,
    auth: 'oauth2',
    username: 'ada@example.com',
    oauth: { provider: 'generic', issuer: 'http://127.0.0.1:9/' },
    ...overrides,
  });

  async function createAccount(overrides: Partial<AccountInput> = {}): Promise<Account> {
    const account = (await call('accounts:create', oauthAccountInput(overrides))) as Account;
    created.push(account.id);
    return account;
  }

  async function signedInAccount(): Promise<Account> {
    const account = await createAccount();
    return (await call('accounts:signIn', { id: account.id })) as Account;
  }

  const enqueue = async (account: Account, subject: string) =>
    (await call('outbox:enqueue', {
      accountId: account.id,
      to: ['grace@example.net'],
      subject,
      text: 'Hi.',
    })) as QueueItem;

  const itemIn = (id: string, states: readonly string[]) =>
    eventually(async () => {
      const items = (await call('outbox:list')) as QueueItem[];
      return items.find((item) => item.id === id && states.includes(item.state));
    });

  /** Sent mail leaves the outbox list: the server's copy is the proof. */
  const delivered = (subject: string) =>
    eventually(() => server.messages.find((message) => message.raw.includes(subject)));

  const accountOf = async (id: string) =>
    ((await call('accounts:list')) as Account[]).find((account) => account.id === id);

  test('signing in keeps the refresh token in the keychain, and mail goes with XOAUTH2', async () => {
    const fresh = await createAccount();
    expect(fresh).toMatchObject({ hasOAuthToken: false });
    const account = (await call('accounts:signIn', { id: fresh.id })) as Account;
    expect(opened).toEqual(['http://127.0.0.1:9/authorize']);
    expect(account).toMatchObject({ hasOAuthToken: true, signedInAs: 'ada@example.com' });
    expect(await storedRefreshToken(account.id)).toBe(REFRESH_TOKEN);

    await enqueue(account, 'By token');
    await delivered('By token');
    expect(server.messages.map((m) => m.raw.includes('By token'))).toEqual([true]);
    expect(server.authAttempts).toEqual([{ user: 'ada@example.com', ok: true }]);

    // Neither token is in the settings file, the log or anything the bridge returns.
    const config = await fsp.readFile(path.join(core.dataDir, 'config.json'), 'utf8');
    const bridge = JSON.stringify([await call('accounts:list'), await call('outbox:list')]);
    expect(logged.join('\n')).toContain('Account signed in');
    for (const text of [config, bridge, logged.join('\n')]) {
      expect(text).not.toContain(REFRESH_TOKEN);
      expect(text).not.toContain('access-token-');
    }
  });

  test('a token refused at AUTH is replaced once by a fresh one, and the message goes once', async () => {
    const account = await signedInAccount();
    tokens.staleFirst = true;
    await enqueue(account, 'After a refresh');
    await delivered('After a refresh');
    expect(tokens.asked).toEqual([false, true]);
    expect(server.authAttempts.map((attempt) => attempt.ok)).toEqual([false, true]);
    expect(server.messages).toHaveLength(1);
  });

  test('a fresh token refused too: the account needs attention, the mail is held, no loop', async () => {
    const account = await signedInAccount();
    server.options = { ...server.options, acceptToken: () => false };
    const item = await enqueue(account, 'Refused twice');
    const held = await itemIn(item.id, ['needs_attention']);
    expect(held.attempts).toBe(0);
    expect(tokens.asked).toEqual([false, true]);
    expect(server.authAttempts.map((attempt) => attempt.ok)).toEqual([false, false]);
    expect((await accountOf(account.id))?.attention?.code).toBe('auth_failed');
  });

  test('a server that does not offer XOAUTH2: the account needs attention, the mail is not failed', async () => {
    const plainOnly = await startTestServer({ users: { 'ada@example.com': 'pw' }, authMethods: ['PLAIN'] });
    try {
      const account = await createAccount({ port: plainOnly.port });
      await call('accounts:signIn', { id: account.id });
      const item = await enqueue(account, 'No XOAUTH2 here');
      const held = await itemIn(item.id, ['needs_attention']);
      expect(held.lastError).toEqual({
        code: 'auth_failed',
        message:
          'The server does not offer sign-in with OAuth2 (XOAUTH2) (it offers PLAIN). Check the host and port.',
      });
      expect(plainOnly.authAttempts).toEqual([]);
    } finally {
      await plainOnly.close();
    }
  });

  test('never signed in: the mail waits for a sign-in, then goes', async () => {
    const account = await createAccount();
    const item = await enqueue(account, 'Waits for sign-in');
    const held = await itemIn(item.id, ['needs_attention']);
    expect(held.lastError?.code).toBe('oauth_signin_required');
    expect((await accountOf(account.id))?.attention).toMatchObject({
      code: 'oauth_signin_required',
      message: '"Work" needs you to sign in with 127.0.0.1:9 before it can send.',
    });

    const signedIn = (await call('accounts:signIn', { id: account.id })) as Account;
    expect(signedIn.attention).toBeUndefined();
    await delivered('Waits for sign-in');
    expect(server.messages).toHaveLength(1);
  });

  test('the provider out of reach: the attempt is deferred and counted, the account keeps going', async () => {
    const account = await signedInAccount();
    tokens.failure = new AppError('oauth_unreachable', 'The sign-in provider could not be reached.');
    const item = await enqueue(account, 'Provider down');
    const deferred = await itemIn(item.id, ['deferred']);
    expect(deferred).toMatchObject({ attempts: 1, lastError: { code: 'oauth_unreachable' } });
    expect((await accountOf(account.id))?.attention).toBeUndefined();
  });

  test('a revoked sign-in holds the mail with one attention, not failed', async () => {
    const account = await signedInAccount();
    tokens.failure = new AppError('oauth_signin_required', 'Sign in again.');
    const first = await enqueue(account, 'Revoked one');
    const second = await enqueue(account, 'Revoked two');
    await itemIn(first.id, ['needs_attention']);
    await itemIn(second.id, ['needs_attention']);
    // No fresh token asked for in a loop: the provider already said the sign-in is gone.
    expect(tokens.asked).not.toContain(true);
    expect((await accountOf(account.id))?.attention?.code).toBe('oauth_signin_required');
  });

  test('switching a password account to OAuth2 keeps its id and queued mail, forgets the password', async () => {
    const account = await createAccount({ auth: 'password', oauth: undefined });
    await call('accounts:setPassword', { id: account.id, secret: 'old-password' });
    await call('accounts:pause', { id: account.id });
    await enqueue(account, 'Queued before the switch');

    const switched = (await call('accounts:update', {
      id: account.id,
      patch: { auth: 'oauth2', oauth: { provider: 'generic', issuer: 'http://127.0.0.1:9/' } },
    })) as Account;
    expect(switched).toMatchObject({ id: account.id, hasPassword: false, hasOAuthToken: false });
    expect(await osKeychain.getPassword(KEYCHAIN_SERVICE, account.id)).toBeNull();

    await call('accounts:signIn', { id: account.id });
    await call('accounts:resume', { id: account.id });
    await delivered('Queued before the switch');
    expect(server.messages).toHaveLength(1);
  });

  test('a changed host forgets the sign-in; another field keeps it', async () => {
    const account = await signedInAccount();
    // From here on only the edits count.
    const forgottenBefore = tokens.forgotten.length;
    const renamed = (await call('accounts:update', {
      id: account.id,
      patch: { displayName: 'Ada L.' },
    })) as Account;
    expect(renamed.hasOAuthToken).toBe(true);
    expect(await storedRefreshToken(account.id)).toBe(REFRESH_TOKEN);
    expect(tokens.forgotten.slice(forgottenBefore)).toEqual([]);

    const moved = (await call('accounts:update', {
      id: account.id,
      patch: { host: 'localhost' },
    })) as Account;
    expect(moved).toMatchObject({ hasOAuthToken: false });
    expect(moved.signedInAs).toBeUndefined();
    expect(await storedRefreshToken(account.id)).toBeNull();
    expect(tokens.forgotten.slice(forgottenBefore)).toEqual([account.id]);
  });

  test("a known provider's token goes only to its hosts", async () => {
    await expect(createAccount({ oauth: { provider: 'microsoft' } })).rejects.toMatchObject({
      code: 'oauth_host_mismatch',
      message:
        'Sign in with Microsoft works only with smtp-mail.outlook.com or smtp.office365.com, not 127.0.0.1.',
    });
    const account = await createAccount({
      host: 'smtp.gmail.com',
      port: 465,
      security: 'tls',
      oauth: { provider: 'google' },
    });
    await expect(
      call('accounts:update', { id: account.id, patch: { host: '127.0.0.1' } }),
    ).rejects.toMatchObject({ code: 'oauth_host_mismatch' });
    await expect(createAccount({ label: 'No issuer', oauth: { provider: 'generic' } })).rejects.toMatchObject(
      {
        code: 'invalid_input',
      },
    );
  });

  test('a cancelled sign-in answers oauth_cancelled and changes nothing', async () => {
    const account = await createAccount();
    signIn.waitForCancel = true;
    const running = call('accounts:signIn', { id: account.id });
    await eventually(() => (opened.length > 0 ? true : undefined));
    await expect(call('accounts:signIn', { id: account.id })).rejects.toMatchObject({
      code: 'invalid_state',
    });
    await call('accounts:cancelSignIn', { id: account.id });
    await expect(running).rejects.toMatchObject({ code: 'oauth_cancelled' });
    expect(await accountOf(account.id)).toMatchObject({ hasOAuthToken: false });
    expect(await storedRefreshToken(account.id)).toBeNull();
  });

  test('an edit that moves the account while its new sign-in is being saved leaves it signed out', async () => {
    // The keychain write of the grant is held until the edit is in: the window a page could aim at.
    let writing: () => void = () => undefined;
    const written = new Promise<void>((resolve) => {
      writing = resolve;
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const gated: Keychain = {
      getPassword: (service, name) => osKeychain.getPassword(service, name),
      deletePassword: (service, name) => osKeychain.deletePassword(service, name),
      async setPassword(service, name, secret) {
        if (name.endsWith(':oauth')) {
          writing();
          await gate;
        }
        await osKeychain.setPassword(service, name, secret);
      },
    };
    const slow = await startTestCore({
      settings: { undoSeconds: 0 },
      oauth: { signIn, tokens },
      keychain: gated,
    });
    try {
      slow.browser = () => Promise.resolve();
      const slowCall = routerOf(slow);
      const account = (await slowCall('accounts:create', oauthAccountInput())) as Account;
      const signingIn = slowCall('accounts:signIn', { id: account.id });
      await written;
      await slowCall('accounts:update', { id: account.id, patch: { host: 'mail.example.net' } });
      release();
      await expect(signingIn).rejects.toMatchObject({ code: 'oauth_failed' });
      const after = ((await slowCall('accounts:list')) as Account[]).find((a) => a.id === account.id);
      expect(after).toMatchObject({ host: 'mail.example.net', hasOAuthToken: false });
      expect(await storedRefreshToken(account.id)).toBeNull();
    } finally {
      release();
      await slow.close();
    }
  });

  test('deleting the account removes its refresh token', async () => {
    const account = await signedInAccount();
    await call('accounts:delete', { id: account.id, queued: { action: 'hold' } });
    expect(await storedRefreshToken(account.id)).toBeNull();
    expect(tokens.forgotten).toContain(account.id);
  });

  test("sign-ins from the window share the connection tests' rate limit", async () => {
    const limited = await startTestCore({
      oauth: { signIn, tokens },
      bridgeLimits: {
        rules: { connectionTests: { capacity: 1, refillMs: 60_000 } },
        clock: { now: () => 0 },
      },
    });
    limited.browser = () => Promise.resolve();
    const limitedCall = routerOf(limited);
    try {
      const account = (await limitedCall(
        'accounts:create',
        oauthAccountInput({ label: 'Limited' }),
      )) as Account;
      await limitedCall('accounts:signIn', { id: account.id });
      await expect(limitedCall('accounts:signIn', { id: account.id })).rejects.toMatchObject({
        code: 'rate_limited',
        message: 'Too many sign-ins; wait 60 s and try again.',
      });
      await limitedCall('accounts:delete', { id: account.id, queued: { action: 'hold' } });
    } finally {
      await limited.close();
    }
  });

  describe('the connection test', () => {
    const steps = (report: ConnectionReport) => report.steps.map(({ step, status }) => `${step} ${status}`);

    test('a signin step before AUTH XOAUTH2', async () => {
      const account = await signedInAccount();
      tokens.staleFirst = true;
      const report = (await call('accounts:test', { id: account.id })) as ConnectionReport;
      expect(steps(report)).toEqual([
        'resolve ok',
        'connect ok',
        'ehlo ok',
        'starttls skipped',
        'tls skipped',
        'signin ok',
        'auth ok',
      ]);
      expect(report.steps.at(-1)?.detail).toMatch(/XOAUTH2, after the server refused the first token/);
      expect(tokens.asked).toEqual([false, true]);
    });

    test('never signed in: signin fails, auth is skipped', async () => {
      const account = await createAccount();
      const report = (await call('accounts:test', { id: account.id })) as ConnectionReport;
      expect(steps(report).slice(-2)).toEqual(['signin failed', 'auth skipped']);
      expect(report.steps.at(-2)?.error?.code).toBe('oauth_signin_required');
    });

    test('the provider out of reach fails the signin step', async () => {
      const account = await signedInAccount();
      tokens.failure = new AppError('oauth_unreachable', 'The sign-in provider could not be reached.');
      const report = (await call('accounts:test', { id: account.id })) as ConnectionReport;
      expect(report.steps.at(-2)).toMatchObject({ step: 'signin', status: 'failed' });
      expect(report.steps.at(-2)?.error?.code).toBe('oauth_unreachable');
    });
  });
});
