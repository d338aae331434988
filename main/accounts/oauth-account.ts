import type { Account, OAuthSettings } from '../../preload/contract/accounts.ts';
import { AppError } from '../errors/app-error.ts';
import type { OAuthAccount } from '../oauth/oauth-ports.ts';
import { KNOWN_PROVIDERS } from '../oauth/oauth-providers.ts';

type OAuthFields = Pick<Account, 'id' | 'label' | 'fromAddress' | 'username' | 'oauth'>;

/** As in "Sign in with …": the known provider's name, or a generic issuer's host. */
export function providerName(oauth: OAuthSettings | undefined): string {
  if (!oauth) return 'your provider';
  if (oauth.provider !== 'generic') return KNOWN_PROVIDERS[oauth.provider].name;
  return oauth.issuer ? (URL.parse(oauth.issuer)?.host ?? oauth.issuer) : 'your provider';
}

/** The account has no usable sign-in: delivery holds its mail until the user signs in. */
export function signInRequired(account: Pick<Account, 'label' | 'oauth'>): AppError {
  return new AppError(
    'oauth_signin_required',
    `"${account.label}" needs you to sign in with ${providerName(account.oauth)} before it can send.`,
  );
}

/** What the sign-in and the token keeper know of an account; `undefined` when it has no OAuth2 settings. */
export function oauthAccountOf(account: OAuthFields): OAuthAccount | undefined {
  const { id, label, fromAddress, username, oauth } = account;
  return oauth ? { id, label, fromAddress, username, oauth } : undefined;
}
