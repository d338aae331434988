import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthorizationServers } from '../../../main/oauth/authorization-server.ts';
import { BrowserSignIn } from '../../../main/oauth/browser-sign-in.ts';
import type { OAuthAccount } from '../../../main/oauth/oauth-ports.ts';
import { expectOAuthError } from '../../support/oauth-fixtures.ts';

/**
 * A provider whose metadata answers but whose token endpoint never does: the code exchange is in
 * flight for as long as the test wants. Its authorization "redirect" is delivered by the test.
 */
const stalled: ServerResponse[] = [];
const tokenRequests: (() => void)[] = [];
let discoveries = 0;
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  if (request.url === '/.well-known/openid-configuration') {
    discoveries++;
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(
      JSON.stringify({
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        authorization_response_iss_parameter_supported: true,
      }),
    );
    return;
  }
  stalled.push(response);
  for (const notify of tokenRequests.splice(0)) notify();
});
let issuer = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve();
    });
  });
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
});

const account = (): OAuthAccount => ({
  id: 'stalled',
  label: 'Stalled',
  fromAddress: 'dan@example.test',
  username: 'dan@example.test',
  oauth: { provider: 'generic', issuer, clientId: 'outbox' },
});

/** Plays the browser: the provider "redirects back" at once with a code and the right state. */
async function redirectBack(url: string): Promise<void> {
  const sent = new URL(url);
  const back = new URL(sent.searchParams.get('redirect_uri') ?? '');
  back.search = new URLSearchParams({
    code: 'the-code',
    state: sent.searchParams.get('state') ?? '',
    iss: issuer,
  }).toString();
  await fetch(back);
}

/** Discovery gets all the time a loaded machine needs; only the stalled token request times out. */
const patientDiscovery = () => new AuthorizationServers(60_000);

const tokenRequestArrives = () => new Promise<void>((resolve) => tokenRequests.push(resolve));

describe('a provider that stops answering during the code exchange', () => {
  it('is cancelled by the abort signal while the exchange is in flight', async () => {
    const controller = new AbortController();
    const arrived = tokenRequestArrives();
    const running = new BrowserSignIn({ clientIds: {} }).run(account(), {
      openBrowser: redirectBack,
      signal: controller.signal,
    });
    await arrived;
    controller.abort();
    await expectOAuthError(running, 'oauth_cancelled', ['the-code']);
  });

  it('reads the metadata once per issuer, however many sign-ins', async () => {
    const signIn = new BrowserSignIn({ clientIds: {}, servers: patientDiscovery(), requestTimeoutMs: 300 });
    const before = discoveries;
    await expectOAuthError(signIn.run(account(), { openBrowser: redirectBack }), 'oauth_unreachable');
    await expectOAuthError(signIn.run(account(), { openBrowser: redirectBack }), 'oauth_unreachable');
    expect(discoveries).toBe(before + 1);
  });

  it('is unreachable once a request outlives its time limit', async () => {
    const running = new BrowserSignIn({
      clientIds: {},
      servers: patientDiscovery(),
      requestTimeoutMs: 300,
    }).run(account(), {
      openBrowser: redirectBack,
    });
    const error = await expectOAuthError(running, 'oauth_unreachable', ['the-code']);
    expect(error.message).toContain('no answer in time');
    expect(stalled.length).toBeGreaterThan(0);
  });
});
