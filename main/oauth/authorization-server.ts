import * as oauth from 'oauth4webapi';
import type { OAuthSettings } from '../../preload/contract/accounts.ts';
import { AppError } from '../errors/app-error.ts';
import { oauthAppError } from './oauth-errors.ts';
import { KNOWN_PROVIDERS, knownIssuer } from './oauth-providers.ts';

/** What the sign-in and the refresh need to know of an account's provider. */
export interface ProviderServer {
  readonly as: oauth.AuthorizationServer;
  readonly scopes: readonly string[];
  /** Extra parameters on the authorization request (e.g. Google's offline access). */
  readonly authorizationParams: Readonly<Record<string, string>>;
  /** A plain `http:` issuer on this machine's loopback (the tests' provider); nothing else. */
  readonly insecure: boolean;
  /** Whether an ID token's `email` is taken as `signedInAs` (not for Microsoft's templated issuer). */
  readonly readsIdToken: boolean;
}

// oauth4webapi marks this deprecated only so that it stands out: it is used for a loopback issuer
// alone (the tests' provider), never for one across a network.
// eslint-disable-next-line @typescript-eslint/no-deprecated
const ALLOW_HTTP: typeof oauth.allowInsecureRequests = oauth.allowInsecureRequests;

const GENERIC_SCOPES = ['openid', 'email', 'offline_access'];
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Options for every request to a provider: a time limit, and http only on loopback. */
export function requestOptions(
  server: ProviderServer,
  timeoutMs: number,
  signal?: AbortSignal,
): oauth.TokenEndpointRequestOptions {
  const limit = AbortSignal.timeout(timeoutMs);
  const combined = signal === undefined ? limit : AbortSignal.any([signal, limit]);
  return server.insecure ? { signal: combined, [ALLOW_HTTP]: true } : { signal: combined };
}

function issuerUrl(settings: OAuthSettings, label: string): URL {
  const issuer = settings.issuer === undefined ? undefined : URL.parse(settings.issuer);
  if (issuer === null || issuer === undefined) {
    throw new AppError('oauth_not_configured', `"${label}" signs in with OAuth2 but names no issuer URL.`, {
      field: 'oauth.issuer',
    });
  }
  if (issuer.protocol !== 'https:' && !(issuer.protocol === 'http:' && LOOPBACK_HOSTS.has(issuer.hostname))) {
    throw new AppError(
      'oauth_not_configured',
      `The issuer of "${label}" must be an https URL (plain http only on this computer's loopback address).`,
      { field: 'oauth.issuer' },
    );
  }
  return issuer;
}

/**
 * A generic issuer's metadata may not send the sign-in to a known provider (its tokens would then
 * go to whatever host the account names), nor, for a loopback issuer, anywhere off this machine in
 * clear.
 */
function assertOwnEndpoints(as: oauth.AuthorizationServer, insecure: boolean, label: string): void {
  for (const endpoint of [as.authorization_endpoint, as.token_endpoint]) {
    if (endpoint === undefined) continue;
    const known = knownIssuer(endpoint);
    if (known) {
      throw new AppError(
        'oauth_host_mismatch',
        `The issuer of "${label}" signs in at ${known.name}: choose "Sign in with ${known.name}" instead.`,
        { field: 'oauth.issuer' },
      );
    }
    const url = URL.parse(endpoint);
    if (insecure && (url === null || !LOOPBACK_HOSTS.has(url.hostname))) {
      throw new AppError(
        'oauth_not_configured',
        `The issuer of "${label}" is on this computer but names endpoints elsewhere: only https may leave it.`,
        { field: 'oauth.issuer' },
      );
    }
  }
}

/**
 * The authorization server of an account: a known provider's fixed endpoints (no discovery, so
 * nobody on the network can redirect the sign-in), or a generic issuer's metadata (OpenID
 * Discovery, else RFC 8414), fetched once per issuer and kept in memory.
 */
export class AuthorizationServers {
  private readonly discovered = new Map<string, Promise<oauth.AuthorizationServer>>();

  private readonly timeoutMs: number;

  constructor(timeoutMs = 30_000) {
    this.timeoutMs = timeoutMs;
  }

  async forAccount(settings: OAuthSettings, label: string): Promise<ProviderServer> {
    if (settings.provider !== 'generic') {
      const known = KNOWN_PROVIDERS[settings.provider];
      return {
        as: {
          issuer: known.issuer,
          authorization_endpoint: known.authorizationEndpoint,
          token_endpoint: known.tokenEndpoint,
          authorization_response_iss_parameter_supported: known.issParameter,
          code_challenge_methods_supported: ['S256'],
        },
        scopes: settings.scopes ?? known.scopes,
        authorizationParams: known.authorizationParams,
        insecure: false,
        readsIdToken: settings.provider !== 'microsoft',
      };
    }
    const issuer = issuerUrl(settings, label);
    const insecure = issuer.protocol === 'http:';
    const scopes = settings.scopes ?? GENERIC_SCOPES;
    const as = await this.discover(issuer, insecure, label);
    assertOwnEndpoints(as, insecure, label);
    return {
      as,
      scopes,
      // OpenID Connect Core §11: offline access (the refresh token) is granted only with prompt=consent.
      authorizationParams: scopes.includes('offline_access') ? { prompt: 'consent' } : {},
      insecure,
      readsIdToken: true,
    };
  }

  private discover(issuer: URL, insecure: boolean, label: string): Promise<oauth.AuthorizationServer> {
    const key = issuer.href;
    let found = this.discovered.get(key);
    if (found === undefined) {
      found = this.fetchMetadata(issuer, insecure).catch((error: unknown) => {
        // A failure is not kept: the next sign-in asks again.
        this.discovered.delete(key);
        throw oauthAppError(error, 'discovery', label);
      });
      this.discovered.set(key, found);
    }
    return found;
  }

  private async fetchMetadata(issuer: URL, insecure: boolean): Promise<oauth.AuthorizationServer> {
    const options = (algorithm: 'oidc' | 'oauth2') => ({
      algorithm,
      signal: AbortSignal.timeout(this.timeoutMs),
      ...(insecure ? { [ALLOW_HTTP]: true } : {}),
    });
    let response = await oauth.discoveryRequest(issuer, options('oidc'));
    // A plain OAuth2 server (no OpenID) publishes RFC 8414 metadata only.
    if (response.status === 404) response = await oauth.discoveryRequest(issuer, options('oauth2'));
    return oauth.processDiscoveryResponse(issuer, response);
  }
}
