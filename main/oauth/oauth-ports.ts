import type { OAuthSettings } from '../../preload/contract/accounts.ts';

/** What an OAuth2 sign-in needs to know of an account. */
export interface OAuthAccount {
  readonly id: string;
  readonly label: string;
  readonly fromAddress: string;
  readonly username: string;
  readonly oauth: OAuthSettings;
}

/** What a finished sign-in hands over. The refresh token goes to the keychain, the access token stays in memory. */
export interface SignInGrant {
  readonly refreshToken: string;
  readonly accessToken: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
  /** The address the provider said was signed in (OpenID Connect `email`), when it said. */
  readonly signedInAs?: string;
}

export interface SignInOptions {
  /** Opens the authorization URL in the user's browser (`Platform.openExternal`, or the CLI's own). */
  readonly openBrowser: (url: string) => Promise<void>;
  /** Aborting answers `oauth_cancelled` (the window's Cancel button, Ctrl-C in the CLI). */
  readonly signal?: AbortSignal;
}

/**
 * The browser sign-in (RFC 8252, authorization code with PKCE). Throws AppError: oauth_cancelled,
 * oauth_timeout, oauth_failed, oauth_unreachable, oauth_not_configured.
 */
export interface OAuthSignIn {
  run(account: OAuthAccount, options: SignInOptions): Promise<SignInGrant>;
}

/**
 * Access tokens, kept in memory only, refreshed with the refresh token in the keychain. The one
 * place tokens are refreshed: concurrent callers share one refresh, and a rotated refresh token
 * replaces the stored one.
 */
export interface AccessTokens {
  /**
   * A token valid for a while yet; refreshed when none is held, it expires within the margin, or
   * `fresh` is asked (the server refused the one it had). With `refused` (that token), a token held
   * since then is answered without refreshing again: several sessions that met the same dead token
   * need one refresh. Throws AppError: oauth_signin_required (no refresh token, or the provider
   * refused it: invalid_grant), oauth_unreachable, keychain_*.
   */
  get(
    account: OAuthAccount,
    options?: { readonly fresh?: boolean; readonly refused?: string },
  ): Promise<string>;
  /**
   * A new sign-in is being saved (its refresh token written to the keychain): the old sign-in's
   * token is dropped and a refresh of it under way is not kept; callers, and that refresh, wait
   * for `remember` (its token) or `forget` (discarded). Either must follow.
   */
  signingIn(accountId: string): void;
  /** Holds the access token a sign-in just returned. */
  remember(accountId: string, grant: Pick<SignInGrant, 'accessToken' | 'expiresAt'>): void;
  /**
   * Discards the account's sign-in (moved or removed): the held token is dropped, a refresh under
   * way is not kept, and none starts again until a new sign-in is remembered.
   */
  forget(accountId: string): void;
}
