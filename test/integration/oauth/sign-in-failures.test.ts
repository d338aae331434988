import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BrowserSignIn } from '../../../main/oauth/browser-sign-in.ts';
import { browserUser, closeBrowserUser } from '../../support/browser-user.ts';
import { expectOAuthError, providerAccount } from '../../support/oauth-fixtures.ts';
import { startOAuthProvider, type TestOAuthProvider } from '../../support/oauth-provider.ts';

let provider: TestOAuthProvider;

beforeAll(async () => {
  provider = await startOAuthProvider();
});

afterEach(async () => {
  await provider.start();
});

afterAll(async () => {
  await closeBrowserUser();
  await provider.close();
});

const signIn = () => new BrowserSignIn({ clientIds: {} });
const carol = () => providerAccount(provider, 'carol@example.test');

/** Where the listener waits, as the authorization URL tells the browser. */
function redirectUriOf(url: string): string {
  return new URL(url).searchParams.get('redirect_uri') ?? '';
}

/** A delivery to the listener that reports what happened instead of throwing. */
async function deliver(url: string): Promise<number | 'refused'> {
  try {
    const response = await fetch(url);
    return response.status;
  } catch {
    return 'refused';
  }
}

describe('BrowserSignIn refuses what it did not ask for', () => {
  it('cancels when the signal aborts while the browser is open', async () => {
    const controller = new AbortController();
    await expectOAuthError(
      signIn().run(carol(), {
        openBrowser: () => {
          controller.abort();
          return Promise.resolve();
        },
        signal: controller.signal,
      }),
      'oauth_cancelled',
    );
  });

  it('times out when the browser never comes back', async () => {
    const patient = new BrowserSignIn({ clientIds: {}, timeoutMs: 500 });
    await expectOAuthError(patient.run(carol(), { openBrowser: () => Promise.resolve() }), 'oauth_timeout');
  });

  it('refuses a forged redirect whose state is not the one it sent, and takes no other', async () => {
    let second: Promise<number | 'refused'> | undefined;
    const error = await expectOAuthError(
      signIn().run(carol(), {
        openBrowser: async (url) => {
          const forged = new URL(redirectUriOf(url));
          forged.search = new URLSearchParams({
            code: 'forged-code',
            state: 'forged-state',
            iss: provider.issuer,
          }).toString();
          expect(await deliver(forged.href)).toBe(200);
          second = deliver(forged.href);
        },
      }),
      'oauth_failed',
      ['forged-code'],
    );
    expect(error.message).toMatch(/state/);
    expect(await second).not.toBe(200);
    expect(provider.tokenRequests['authorization_code'] ?? 0).toBe(0);
  });

  it('refuses a redirect whose iss is not the issuer it asked (RFC 9207)', async () => {
    let code = '';
    const error = await expectOAuthError(
      signIn().run(carol(), {
        openBrowser: async (url) => {
          const redirect = new URL(await browserUser('carol@example.test').capture(url));
          code = redirect.searchParams.get('code') ?? '';
          redirect.searchParams.set('iss', 'http://127.0.0.1:1/elsewhere');
          await deliver(redirect.href);
        },
      }),
      'oauth_failed',
    );
    expect(code).not.toBe('');
    expect(error.message).not.toContain(code);
    expect(error.message).toMatch(/issuer/);
  });

  it('keeps the first redirect and refuses a second one', async () => {
    let second: number | 'refused' | undefined;
    const grant = await signIn().run(carol(), {
      openBrowser: async (url) => {
        const redirect = await browserUser('carol@example.test').capture(url);
        expect(await deliver(redirect)).toBe(200);
        second = await deliver(redirect);
      },
    });
    expect(second === 'refused' || second === 404).toBe(true);
    expect(await provider.validAccessToken(grant.accessToken)).toBe('carol@example.test');
  });

  it('says the provider is unreachable when it is down for the code exchange', async () => {
    let code = '';
    await expectOAuthError(
      signIn().run(carol(), {
        openBrowser: async (url) => {
          const redirect = await browserUser('carol@example.test').capture(url);
          code = new URL(redirect).searchParams.get('code') ?? '';
          await provider.stop();
          await deliver(redirect);
        },
      }),
      'oauth_unreachable',
    );
    expect(code).not.toBe('');
  });
});
