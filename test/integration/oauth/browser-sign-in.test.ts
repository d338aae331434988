import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSignIn } from '../../../main/oauth/browser-sign-in.ts';
import { browserUser, closeBrowserUser } from '../../support/browser-user.ts';
import { expectOAuthError, providerAccount } from '../../support/oauth-fixtures.ts';
import { startOAuthProvider, type TestOAuthProvider } from '../../support/oauth-provider.ts';

let provider: TestOAuthProvider;

beforeAll(async () => {
  provider = await startOAuthProvider();
});

afterAll(async () => {
  await closeBrowserUser();
  await provider.close();
});

describe('BrowserSignIn against a real provider in real Chromium', () => {
  it('signs in: a refresh token, an access token the provider honours, and the signed-in address', async () => {
    const signIn = new BrowserSignIn({ clientIds: {} });
    const account = providerAccount(provider, 'ada@example.test');
    const before = Date.now();

    const grant = await signIn.run(account, { openBrowser: browserUser('ada@example.test').open });

    expect(grant.signedInAs).toBe('ada@example.test');
    expect(await provider.validAccessToken(grant.accessToken)).toBe('ada@example.test');
    expect(await provider.validRefreshToken(grant.refreshToken)).toBe(true);
    expect(grant.expiresAt).toBeGreaterThan(before);
    expect(provider.tokenRequests['authorization_code']).toBe(1);
  });

  it('answers a denial on the provider page with oauth_cancelled', async () => {
    const signIn = new BrowserSignIn({ clientIds: {} });
    const error = await expectOAuthError(
      signIn.run(providerAccount(provider, 'bob@example.test'), {
        openBrowser: browserUser('bob@example.test').deny,
      }),
      'oauth_cancelled',
    );
    expect(error.message).toBe('Sign-in was cancelled.');
  });
});
