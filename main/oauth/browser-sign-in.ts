import * as oauth from 'oauth4webapi';
import { AppError } from '../errors/app-error.ts';
import { AuthorizationServers, requestOptions, type ProviderServer } from './authorization-server.ts';
import { clientFor, type ClientIds, type OAuthClient } from './client-ids.ts';
import { LoopbackRedirect } from './loopback-redirect.ts';
import { oauthAppError, signInCancelled } from './oauth-errors.ts';
import type { OAuthAccount, OAuthSignIn, SignInGrant, SignInOptions } from './oauth-ports.ts';

export interface BrowserSignInOptions {
  readonly clientIds: ClientIds;
  /** Shared with the AccessTokenKeeper, so a generic issuer's metadata is fetched once. */
  readonly servers?: AuthorizationServers;
  /** How long the user has in the browser (default 5 minutes). */
  readonly timeoutMs?: number;
  /** How long one request to the provider may take (default 30 s). */
  readonly requestTimeoutMs?: number;
  readonly now?: () => number;
}

/** One sign-in's secrets and settings, from the authorization request to the code exchange. */
interface Attempt {
  readonly server: ProviderServer;
  readonly client: oauth.Client;
  readonly auth: oauth.ClientAuth;
  readonly redirectUri: string;
  readonly verifier: string;
  readonly state: string;
  readonly account: OAuthAccount;
  readonly signal: AbortSignal | undefined;
}

/** When a token response gives no `expires_in` (RFC 6749 §5.1 makes it optional), assume an hour. */
const DEFAULT_LIFETIME_S = 3600;

/** The oauth4webapi client, and how it proves itself at the token endpoint. */
export function protocolClient(client: OAuthClient): { client: oauth.Client; auth: oauth.ClientAuth } {
  return {
    client: { client_id: client.clientId },
    auth: client.clientSecret === undefined ? oauth.None() : oauth.ClientSecretPost(client.clientSecret),
  };
}

/** Epoch milliseconds when a token response's access token runs out. */
export function expiryOf(response: oauth.TokenEndpointResponse, now: number): number {
  return now + (response.expires_in ?? DEFAULT_LIFETIME_S) * 1000;
}

/**
 * The browser sign-in of RFC 8252: authorization code with PKCE S256 (RFC 7636) always, a random
 * `state`, the `iss` check of RFC 9207 where the provider sends it, the redirect caught by a
 * one-shot loopback listener. The protocol itself is oauth4webapi's.
 */
export class BrowserSignIn implements OAuthSignIn {
  private readonly clientIds: ClientIds;
  private readonly servers: AuthorizationServers;
  private readonly timeoutMs: number;
  private readonly requestTimeoutMs: number;
  private readonly now: () => number;

  constructor(options: BrowserSignInOptions) {
    this.clientIds = options.clientIds;
    this.servers = options.servers ?? new AuthorizationServers(options.requestTimeoutMs);
    this.timeoutMs = options.timeoutMs ?? 5 * 60_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  async run(account: OAuthAccount, { openBrowser, signal }: SignInOptions): Promise<SignInGrant> {
    const { client, auth } = protocolClient(clientFor(account.oauth, this.clientIds));
    const server = await this.servers.forAccount(account.oauth, account.label);
    if (signal?.aborted) throw signInCancelled();
    const listener = await LoopbackRedirect.open();
    try {
      const attempt: Attempt = {
        server,
        client,
        auth,
        redirectUri: listener.redirectUri,
        verifier: oauth.generateRandomCodeVerifier(),
        state: oauth.generateRandomState(),
        account,
        signal,
      };
      const callback = await this.browse(await authorizationUrl(attempt), listener, openBrowser, signal);
      return await this.exchange(attempt, callback);
    } catch (error) {
      // Cancel during the code exchange aborts its fetch, which says only "AbortError".
      if (signal?.aborted === true && !(error instanceof AppError)) {
        throw signInCancelled();
      }
      throw oauthAppError(error, 'token', account.label);
    } finally {
      await listener.close();
    }
  }

  /** Opens the browser and waits for the redirect; a browser that cannot be opened fails at once. */
  private async browse(
    url: URL,
    listener: LoopbackRedirect,
    openBrowser: SignInOptions['openBrowser'],
    signal: AbortSignal | undefined,
  ): Promise<URL> {
    const redirect = listener.wait({
      timeoutMs: this.timeoutMs,
      ...(signal === undefined ? {} : { signal }),
    });
    const opened = openBrowser(url.href).then(
      () => redirect,
      () => {
        throw new AppError('oauth_failed', 'Sign-in failed: Outbox could not open your web browser.');
      },
    );
    // Whichever loses is still settled, so neither rejection goes unhandled.
    redirect.catch(() => undefined);
    opened.catch(() => undefined);
    return Promise.race([redirect, opened]);
  }

  private async exchange(attempt: Attempt, callback: URL): Promise<SignInGrant> {
    const { server, client, auth, redirectUri, verifier, state, signal, account } = attempt;
    const params = oauth.validateAuthResponse(server.as, client, callback, state);
    const response = await oauth.authorizationCodeGrantRequest(
      server.as,
      client,
      auth,
      params,
      redirectUri,
      verifier,
      requestOptions(server, this.requestTimeoutMs, signal),
    );
    const result = await oauth.processAuthorizationCodeResponse(server.as, client, response);
    if (result.refresh_token === undefined) {
      throw new AppError(
        'oauth_failed',
        `Sign-in for "${account.label}" failed: the provider gave no refresh token: offline access was not granted.`,
      );
    }
    const email = server.readsIdToken ? oauth.getValidatedIdTokenClaims(result)?.['email'] : undefined;
    return {
      refreshToken: result.refresh_token,
      accessToken: result.access_token,
      expiresAt: expiryOf(result, this.now()),
      ...(typeof email === 'string' ? { signedInAs: email } : {}),
    };
  }
}

async function authorizationUrl(attempt: Attempt): Promise<URL> {
  const { server, client, redirectUri, verifier, state, account } = attempt;
  const endpoint = server.as.authorization_endpoint;
  if (endpoint === undefined) {
    throw new AppError(
      'oauth_failed',
      `Sign-in for "${account.label}" failed: the provider names no authorization endpoint.`,
    );
  }
  const url = new URL(endpoint);
  const params: Record<string, string> = {
    client_id: client.client_id,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: server.scopes.join(' '),
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    login_hint: account.fromAddress,
    ...server.authorizationParams,
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url;
}
