import * as oauth from 'oauth4webapi';
import type { Credentials } from '../accounts/credentials.ts';
import { AppError } from '../errors/app-error.ts';
import { AuthorizationServers, requestOptions } from './authorization-server.ts';
import { expiryOf, protocolClient } from './browser-sign-in.ts';
import { clientFor, type ClientIds } from './client-ids.ts';
import { oauthAppError } from './oauth-errors.ts';
import type { AccessTokens, OAuthAccount, SignInGrant } from './oauth-ports.ts';

export interface AccessTokenKeeperOptions {
  /** The keychain side: the refresh token is the `oauth` secret of the account. */
  readonly credentials: Pick<Credentials, 'read' | 'write'>;
  readonly clientIds: ClientIds;
  /** Shared with BrowserSignIn, so a generic issuer's metadata is fetched once. */
  readonly servers?: AuthorizationServers;
  readonly now?: () => number;
  /** A token that expires within this is refreshed first (default 5 minutes). */
  readonly marginMs?: number;
  /** How long one request to the provider may take (default 30 s). */
  readonly requestTimeoutMs?: number;
}

type Held = Pick<SignInGrant, 'accessToken' | 'expiresAt'>;

/** The account's sign-in was discarded (moved to another server, or deleted) and not made again. */
function discarded(account: OAuthAccount): AppError {
  return new AppError(
    'oauth_signin_required',
    `"${account.label}" needs you to sign in again: its sign-in was removed when the account changed.`,
  );
}

/**
 * Access tokens in memory only, refreshed with the keychain's refresh token (RFC 6749 §6). Outbox
 * refreshes itself rather than letting nodemailer do it, because nodemailer drops a rotated
 * refresh token; here a rotated one is saved before its access token is used.
 */
export class AccessTokenKeeper implements AccessTokens {
  private readonly credentials: Pick<Credentials, 'read' | 'write'>;
  private readonly clientIds: ClientIds;
  private readonly servers: AuthorizationServers;
  private readonly now: () => number;
  private readonly marginMs: number;
  private readonly requestTimeoutMs: number;
  private readonly held = new Map<string, Held>();
  /** One refresh in flight per account: concurrent callers share it. */
  private readonly refreshing = new Map<string, Promise<string>>();
  /** Bumped by forget(), so a refresh that was under way then does not bring the token back. */
  private readonly generation = new Map<string, number>();
  /**
   * Accounts whose sign-in was discarded (moved or deleted) until a new one is remembered: their
   * refresh token is being removed, so none is read, and no rotated one written back.
   */
  private readonly forgotten = new Set<string>();
  /**
   * Accounts whose new sign-in is being saved (see signingIn): settles with its access token when
   * it is remembered, or undefined when the account is forgotten instead.
   */
  private readonly awaited = new Map<
    string,
    { promise: Promise<string | undefined>; settle: (token: string | undefined) => void }
  >();

  constructor(options: AccessTokenKeeperOptions) {
    this.credentials = options.credentials;
    this.clientIds = options.clientIds;
    this.servers = options.servers ?? new AuthorizationServers(options.requestTimeoutMs);
    this.now = options.now ?? Date.now;
    this.marginMs = options.marginMs ?? 5 * 60_000;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  }

  get(
    account: OAuthAccount,
    options: { readonly fresh?: boolean; readonly refused?: string } = {},
  ): Promise<string> {
    if (this.forgotten.has(account.id)) return Promise.reject(discarded(account));
    const awaited = this.awaited.get(account.id);
    if (awaited !== undefined) return this.signedIn(account, awaited.promise);
    const held = this.held.get(account.id);
    // A refused token that is no longer the one held was already replaced, by another session's refresh.
    const usable =
      options.fresh !== true || (options.refused !== undefined && options.refused !== held?.accessToken);
    if (usable && held !== undefined && held.expiresAt - this.marginMs > this.now()) {
      return Promise.resolve(held.accessToken);
    }
    let refresh = this.refreshing.get(account.id);
    if (refresh === undefined) {
      refresh = this.refresh(account).finally(() => this.refreshing.delete(account.id));
      this.refreshing.set(account.id, refresh);
    }
    return refresh;
  }

  signingIn(accountId: string): void {
    this.forgotten.delete(accountId);
    this.held.delete(accountId);
    this.bump(accountId);
    if (this.awaited.has(accountId)) return;
    let settle: (token: string | undefined) => void = () => undefined;
    const promise = new Promise<string | undefined>((resolve) => {
      settle = resolve;
    });
    this.awaited.set(accountId, { promise, settle });
  }

  remember(accountId: string, grant: Held): void {
    this.forgotten.delete(accountId);
    this.held.set(accountId, { accessToken: grant.accessToken, expiresAt: grant.expiresAt });
    this.settle(accountId, grant.accessToken);
  }

  forget(accountId: string): void {
    this.forgotten.add(accountId);
    this.held.delete(accountId);
    this.bump(accountId);
    this.settle(accountId, undefined);
  }

  private bump(accountId: string): void {
    this.generation.set(accountId, (this.generation.get(accountId) ?? 0) + 1);
  }

  private settle(accountId: string, token: string | undefined): void {
    this.awaited.get(accountId)?.settle(token);
    this.awaited.delete(accountId);
  }

  /** The token of the sign-in being saved, once it is; discarded if the account was forgotten instead. */
  private async signedIn(account: OAuthAccount, awaited: Promise<string | undefined>): Promise<string> {
    const token = await awaited;
    if (token === undefined) throw discarded(account);
    return token;
  }

  private async refresh(account: OAuthAccount): Promise<string> {
    const generation = this.generation.get(account.id) ?? 0;
    this.held.delete(account.id);
    const refreshToken = await this.credentials.read(account.id, 'oauth');
    if (refreshToken === undefined) {
      throw new AppError(
        'oauth_signin_required',
        `"${account.label}" needs you to sign in again: no sign-in is saved for it.`,
      );
    }
    const { client, auth } = protocolClient(clientFor(account.oauth, this.clientIds));
    const server = await this.servers.forAccount(account.oauth, account.label);
    let result: oauth.TokenEndpointResponse;
    try {
      const response = await oauth.refreshTokenGrantRequest(
        server.as,
        client,
        auth,
        refreshToken,
        requestOptions(server, this.requestTimeoutMs),
      );
      result = await oauth.processRefreshTokenResponse(server.as, client, response);
    } catch (error) {
      throw oauthAppError(error, 'refresh', account.label);
    }
    // Discarded while the provider answered: its keychain entry is being removed, and a rotated
    // token written now would outlive it there.
    if ((this.generation.get(account.id) ?? 0) !== generation) {
      // A new sign-in took its place meanwhile: its token, not this one (and not a rotated token
      // of the old grant written over the new grant's), waiting for it while it is being saved.
      const awaited = this.awaited.get(account.id);
      if (awaited !== undefined) return this.signedIn(account, awaited.promise);
      const replaced = this.forgotten.has(account.id) ? undefined : this.held.get(account.id);
      if (replaced !== undefined) return replaced.accessToken;
      throw discarded(account);
    }
    // Rotation (OAuth 2.0 Security BCP §4.14.2): the old refresh token is now dead, so the new one
    // must be safe in the keychain before anything relies on this refresh.
    if (result.refresh_token !== undefined && result.refresh_token !== refreshToken) {
      await this.credentials.write(account.id, 'oauth', result.refresh_token);
    }
    this.held.set(account.id, { accessToken: result.access_token, expiresAt: expiryOf(result, this.now()) });
    return result.access_token;
  }
}
