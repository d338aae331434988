import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createCredentials, KEYCHAIN_SERVICE } from '../../../main/accounts/credentials.ts';
import { osKeychain } from '../../../main/accounts/os-keychain.ts';
import { AccessTokenKeeper } from '../../../main/oauth/access-token-keeper.ts';
import { BrowserSignIn } from '../../../main/oauth/browser-sign-in.ts';
import type { OAuthAccount, SignInGrant } from '../../../main/oauth/oauth-ports.ts';
import { requireSecretService } from '../../support/accounts-fixtures.ts';
import { browserUser, closeBrowserUser } from '../../support/browser-user.ts';
import { expectOAuthError, providerAccount } from '../../support/oauth-fixtures.ts';
import { startOAuthProvider, type TestOAuthProvider } from '../../support/oauth-provider.ts';

const credentials = createCredentials(osKeychain);
let provider: TestOAuthProvider;

beforeAll(async () => {
  await requireSecretService();
  provider = await startOAuthProvider();
});

afterAll(async () => {
  await closeBrowserUser();
  await provider.close();
});

/** The refresh token as the Secret Service holds it, read around our code. */
function keychainRefreshToken(accountId: string): string | undefined {
  const result = spawnSync(
    'secret-tool',
    ['lookup', 'service', KEYCHAIN_SERVICE, 'username', `${accountId}:oauth`],
    {
      encoding: 'utf8',
    },
  );
  return result.status === 0 ? result.stdout : undefined;
}

/** A fresh account, signed in through the real browser flow, its refresh token in the keychain. */
async function signedIn(): Promise<{ account: OAuthAccount; grant: SignInGrant }> {
  const email = `u-${randomUUID().slice(0, 8)}@example.test`;
  const account = providerAccount(provider, email, `acct-${randomUUID()}`);
  const grant = await new BrowserSignIn({ clientIds: {} }).run(account, {
    openBrowser: browserUser(email).open,
  });
  await credentials.write(account.id, 'oauth', grant.refreshToken);
  return { account, grant };
}

/** A keeper on the real keychain whose clock the test sets. */
function keeper(clock = { now: Date.now() }): AccessTokenKeeper {
  return new AccessTokenKeeper({ credentials, clientIds: {}, now: () => clock.now });
}

const refreshes = () => provider.tokenRequests['refresh_token'] ?? 0;

/** Resolves once the provider has answered a refresh after `before` (it runs in this process). */
const refreshed = (before: number): Promise<void> =>
  vi.waitFor(
    () => {
      expect(refreshes()).toBeGreaterThan(before);
    },
    { timeout: 10_000, interval: 5 },
  );

describe('AccessTokenKeeper against a real provider and the real keychain', () => {
  it('reuses the held token while it is good, and refreshes once it nears expiry', async () => {
    const { account, grant } = await signedIn();
    const clock = { now: Date.now() };
    const tokens = keeper(clock);
    tokens.remember(account.id, grant);
    const before = refreshes();

    expect(await tokens.get(account)).toBe(grant.accessToken);
    expect(refreshes()).toBe(before);

    clock.now = grant.expiresAt - 4 * 60_000; // inside the 5 minute margin
    const renewed = await tokens.get(account);
    expect(renewed).not.toBe(grant.accessToken);
    expect(await provider.validAccessToken(renewed)).toBe(account.fromAddress);
    expect(refreshes()).toBe(before + 1);
    expect(await tokens.get(account)).toBe(renewed);
  });

  it('ignores the held token when asked for a fresh one', async () => {
    const { account, grant } = await signedIn();
    const tokens = keeper();
    tokens.remember(account.id, grant);
    const fresh = await tokens.get(account, { fresh: true });
    expect(fresh).not.toBe(grant.accessToken);
    expect(await provider.validAccessToken(fresh)).toBe(account.fromAddress);
  });

  it('merges concurrent refreshes into one request at the provider', async () => {
    const { account } = await signedIn();
    const tokens = keeper();
    const before = refreshes();
    const got = await Promise.all([tokens.get(account), tokens.get(account), tokens.get(account)]);
    expect(new Set(got).size).toBe(1);
    expect(refreshes()).toBe(before + 1);
  });

  it('keeps nothing of a sign-in forgotten while its refresh was under way, and refreshes no more', async () => {
    const { account, grant } = await signedIn();
    const tokens = keeper();
    const before = refreshes();
    const refreshing = tokens.get(account);
    tokens.forget(account.id);
    await expectOAuthError(refreshing, 'oauth_signin_required', [grant.refreshToken]);
    expect(refreshes()).toBe(before + 1);
    // The provider rotated the token; the rotated one was not written where the account's entry
    // is being removed.
    expect(keychainRefreshToken(account.id)).toBe(grant.refreshToken);
    await expectOAuthError(tokens.get(account), 'oauth_signin_required');
    expect(refreshes()).toBe(before + 1);
    // A new sign-in brings it back.
    tokens.remember(account.id, grant);
    expect(await tokens.get(account)).toBe(grant.accessToken);
  });

  it('a sign-in made again while a refresh is under way wins: its token is used, and kept', async () => {
    const { account, grant } = await signedIn();
    const again = await new BrowserSignIn({ clientIds: {} }).run(account, {
      openBrowser: browserUser(account.fromAddress).open,
    });
    let readDone: () => void = () => undefined;
    const read = new Promise<void>((resolve) => {
      readDone = resolve;
    });
    const tokens = new AccessTokenKeeper({
      credentials: {
        read: async (id, kind) => {
          const secret = await credentials.read(id, kind);
          readDone();
          return secret;
        },
        write: (id, kind, secret) => credentials.write(id, kind, secret),
      },
      clientIds: {},
    });
    // The refresh has read the old refresh token; the new sign-in is saved as AccountsService
    // does. The provider answers the refresh before the new token is in the keychain (a slow
    // keychain): the refresh waits for the new sign-in rather than failing its send.
    const before = refreshes();
    const refreshing = tokens.get(account);
    await read;
    tokens.signingIn(account.id);
    const asked = tokens.get(account);
    await refreshed(before);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await credentials.write(account.id, 'oauth', again.refreshToken);
    tokens.remember(account.id, again);

    expect(await refreshing).toBe(again.accessToken);
    expect(await asked).toBe(again.accessToken);
    expect(keychainRefreshToken(account.id)).toBe(again.refreshToken);
    expect(grant.refreshToken).not.toBe(again.refreshToken);
    expect(refreshes()).toBe(before + 1);
  });

  it('a refresh waiting for a sign-in being saved fails as discarded when the account is forgotten instead', async () => {
    const { account, grant } = await signedIn();
    const tokens = keeper();
    const before = refreshes();
    const refreshing = tokens.get(account);
    tokens.signingIn(account.id);
    await refreshed(before);
    tokens.forget(account.id);
    await expectOAuthError(refreshing, 'oauth_signin_required', [grant.refreshToken]);
    // Nothing of the old grant's rotation was written while the new sign-in was being saved.
    expect(keychainRefreshToken(account.id)).toBe(grant.refreshToken);
  });

  it('saves a rotated refresh token to the keychain; the provider refuses the old one', async () => {
    const { account, grant } = await signedIn();
    expect(keychainRefreshToken(account.id)).toBe(grant.refreshToken);
    await keeper().get(account);

    const rotated = keychainRefreshToken(account.id);
    expect(rotated).toBeDefined();
    expect(rotated).not.toBe(grant.refreshToken);
    expect(await provider.validRefreshToken(rotated ?? '')).toBe(true);
    // The old token, presented again, is refused (and oidc-provider then revokes the whole grant).
    const stale = new AccessTokenKeeper({
      credentials: { read: () => Promise.resolve(grant.refreshToken), write: () => Promise.resolve() },
      clientIds: {},
    });
    await expectOAuthError(stale.get(account), 'oauth_signin_required', [grant.refreshToken, rotated ?? '']);
  });

  it('asks for a new sign-in when the provider revoked the grant', async () => {
    const { account, grant } = await signedIn();
    await provider.revokeAccount(account.fromAddress);
    const error = await expectOAuthError(keeper().get(account), 'oauth_signin_required', [
      grant.refreshToken,
      grant.accessToken,
    ]);
    expect(error.message).toContain(`"${account.label}" needs you to sign in again`);
  });

  it('asks for a sign-in when the keychain holds no refresh token', async () => {
    const account = providerAccount(provider, 'nobody@example.test', `acct-${randomUUID()}`);
    await expectOAuthError(keeper().get(account), 'oauth_signin_required');
  });

  it('says the provider is unreachable when it is down for the refresh, and recovers after', async () => {
    const { account, grant } = await signedIn();
    const tokens = keeper();
    await provider.stop();
    try {
      await expectOAuthError(tokens.get(account), 'oauth_unreachable', [grant.refreshToken]);
    } finally {
      await provider.start();
    }
    expect(await provider.validAccessToken(await tokens.get(account))).toBe(account.fromAddress);
  });
});
