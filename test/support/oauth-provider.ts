/**
 * A real OAuth2 / OpenID authorization server for the tests: panva's oidc-provider, in-process on
 * 127.0.0.1, with one native public client (RFC 8252: any port on a loopback redirect, PKCE
 * required), refresh token rotation, and its built-in login and consent pages (any login and
 * password sign in; the login is the account's email).
 *
 *   const provider = await startOAuthProvider({ accessTokenTtlSeconds: 60 });
 *   provider.issuer, provider.clientId          // for the account's oauth settings
 *   await provider.validAccessToken(token)      // the email it was issued to, or undefined
 *   provider.tokenRequests                      // { authorization_code: n, refresh_token: n }
 *   await provider.stop(); await provider.start() // down, then up again on the same port
 *   await provider.close()
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
// oidc-provider ships no types; the few members used here are typed below.
// @ts-expect-error -- no declaration file
import UntypedProvider from 'oidc-provider';

export interface OAuthProviderOptions {
  /** Access token lifetime (default 3600 s). */
  readonly accessTokenTtlSeconds?: number;
  /** Rotate the refresh token on every use (default true, as oidc-provider does for public clients). */
  readonly rotateRefreshToken?: boolean;
}

interface TokenModel {
  readonly accountId: string;
  readonly grantId: string;
  isExpired: boolean;
  consumed?: unknown;
  destroy(): Promise<void>;
}
interface TokenClass {
  find(token: string): Promise<TokenModel | undefined>;
  revokeByGrantId(grantId: string): Promise<void>;
}
interface OidcProvider {
  callback(): (request: unknown, response: unknown) => void;
  on(event: string, listener: (ctx: OidcContext, error?: unknown) => void): void;
  use(middleware: (ctx: OidcContext, next: () => Promise<void>) => Promise<void>): void;
  AccessToken: TokenClass;
  RefreshToken: TokenClass;
}
interface OidcContext {
  path: string;
  method: string;
  body?: unknown;
  oidc?: { params?: Record<string, unknown>; entities?: { Grant?: { jti: string; accountId: string } } };
}

export interface TestOAuthProvider {
  /** `http://127.0.0.1:<port>`: a generic account's `oauth.issuer`. */
  readonly issuer: string;
  /** The native public client's ID: a generic account's `oauth.clientId`. */
  readonly clientId: string;
  /** The custom scope an SMTP server of the tests may demand. */
  readonly smtpScope: 'smtp';
  /** Token endpoint requests so far, by grant type (successful or not). */
  readonly tokenRequests: Readonly<Record<string, number>>;
  /** The email the access token was issued to, if the provider issued it and it is still valid. */
  validAccessToken(token: string): Promise<string | undefined>;
  /** Every access and refresh token the token endpoint handed out, in order: what a leak scan looks for. */
  readonly issuedTokens: readonly string[];
  /** Destroys one access token, as a provider does that revoked it or let it lapse early. */
  revokeAccessToken(token: string): Promise<void>;
  /** Whether the provider would still take this refresh token. */
  validRefreshToken(token: string): Promise<boolean>;
  revokeRefreshToken(token: string): Promise<void>;
  /** Revokes every grant (refresh and access tokens) the account signed in with. */
  revokeAccount(email: string): Promise<void>;
  /** Stops listening (the provider is down); `start()` listens again on the same port. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export const TEST_CLIENT_ID = 'outbox-test-native';
const DAY = 24 * 3600;

export async function startOAuthProvider(options: OAuthProviderOptions = {}): Promise<TestOAuthProvider> {
  const http = createServer();
  await listen(http, 0);
  const { port } = http.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new (UntypedProvider as new (issuer: string, configuration: object) => OidcProvider)(
    issuer,
    {
      clients: [
        {
          client_id: TEST_CLIENT_ID,
          application_type: 'native',
          token_endpoint_auth_method: 'none',
          // oidc-provider lets a native client use any port on its loopback redirect (RFC 8252 §7.3).
          redirect_uris: ['http://127.0.0.1/callback'],
          grant_types: ['authorization_code', 'refresh_token'],
          response_types: ['code'],
        },
      ],
      pkce: { required: () => true },
      scopes: ['openid', 'email', 'offline_access', 'smtp'],
      claims: { openid: ['sub'], email: ['email', 'email_verified'] },
      // Like Google and most providers: the `email` scope's claims come in the ID token too.
      conformIdTokenClaims: false,
      features: { devInteractions: { enabled: true }, revocation: { enabled: true } },
      rotateRefreshToken: options.rotateRefreshToken ?? true,
      ttl: {
        AccessToken: options.accessTokenTtlSeconds ?? 3600,
        RefreshToken: DAY * 14,
        Grant: DAY * 14,
        IdToken: 3600,
        Interaction: 3600,
        Session: DAY,
      },
      findAccount: (_ctx: unknown, id: string) => ({
        accountId: id,
        claims: () => ({ sub: id, email: id, email_verified: true }),
      }),
    },
  );

  const tokenRequests: Record<string, number> = {};
  const grants = new Map<string, Set<string>>();
  const issuedTokens: string[] = [];
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.method !== 'POST' || ctx.path !== '/token') return;
    const param = ctx.oidc?.params?.['grant_type'];
    const grantType = typeof param === 'string' ? param : 'unknown';
    tokenRequests[grantType] = (tokenRequests[grantType] ?? 0) + 1;
    issuedTokens.push(...tokensIn(ctx.body));
    const grant = ctx.oidc?.entities?.Grant;
    if (grant !== undefined)
      grants.set(grant.accountId, (grants.get(grant.accountId) ?? new Set()).add(grant.jti));
  });
  http.on('request', provider.callback());
  let listening = true;
  const stop = async (): Promise<void> => {
    if (!listening) return;
    listening = false;
    await new Promise<void>((resolve) => {
      http.close(() => {
        resolve();
      });
      http.closeAllConnections();
    });
  };

  return {
    issuer,
    clientId: TEST_CLIENT_ID,
    smtpScope: 'smtp',
    tokenRequests,
    issuedTokens,
    async revokeAccessToken(token) {
      await (await provider.AccessToken.find(token))?.destroy();
    },
    async validAccessToken(token) {
      const found = await provider.AccessToken.find(token);
      return found === undefined || found.isExpired ? undefined : found.accountId;
    },
    async validRefreshToken(token) {
      const found = await provider.RefreshToken.find(token);
      return found !== undefined && !found.isExpired && !found.consumed;
    },
    async revokeRefreshToken(token) {
      await (await provider.RefreshToken.find(token))?.destroy();
    },
    async revokeAccount(email) {
      for (const grantId of grants.get(email) ?? []) {
        await provider.RefreshToken.revokeByGrantId(grantId);
        await provider.AccessToken.revokeByGrantId(grantId);
      }
    },
    stop,
    async start() {
      if (listening) return;
      await listen(http, port);
      listening = true;
    },
    close: stop,
  };
}

/** The access and refresh tokens of a token endpoint response body (RFC 6749 §5.1). */
function tokensIn(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const fields = body as Record<string, unknown>;
  return [fields['access_token'], fields['refresh_token']].filter((value) => typeof value === 'string');
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
