import type { OAuthSettings, Provider } from '../../../preload/contract/accounts.ts';
import { providerServing } from '../../oauth/oauth-providers.ts';
import { usageError } from '../exit-codes.ts';

/** The flags that choose OAuth2 sign-in: `accounts add` and `accounts edit` take the same ones. */
export const OAUTH_OPTIONS = {
  oauth: { type: 'boolean' },
  'oauth-issuer': { type: 'string' },
  'oauth-client-id': { type: 'string' },
  'oauth-scope': { type: 'string', multiple: true },
} as const;

/** The parsed values of OAUTH_OPTIONS. */
export interface OAuthFlagValues {
  readonly oauth?: boolean | undefined;
  readonly 'oauth-issuer'?: string | undefined;
  readonly 'oauth-client-id'?: string | undefined;
  readonly 'oauth-scope'?: string[] | undefined;
  readonly 'password-stdin'?: boolean | undefined;
  readonly 'no-password'?: boolean | undefined;
}

/**
 * The account's OAuth2 settings the flags ask for, or `undefined` when they ask for none.
 * `--oauth-issuer` names a generic OpenID provider; `--oauth` alone takes the provider whose
 * servers `host` is (a custom domain on Microsoft 365 has no preset of its own), else the one of
 * the address's preset, and there must be one.
 */
export function oauthSettingsOf(
  values: OAuthFlagValues,
  address: string,
  preset: Provider | null | undefined,
  host?: string,
): OAuthSettings | undefined {
  const issuer = values['oauth-issuer'];
  const clientId = values['oauth-client-id'];
  const scopes = values['oauth-scope'];
  const wanted = values.oauth === true || issuer !== undefined;
  if (!wanted) {
    if (clientId !== undefined || scopes !== undefined) {
      throw usageError('--oauth-client-id and --oauth-scope need --oauth or --oauth-issuer');
    }
    return undefined;
  }
  if (values['password-stdin'] || values['no-password']) {
    throw usageError(
      'an OAuth2 account signs in without a password: drop --password-stdin and --no-password',
    );
  }
  const extras = {
    ...(clientId === undefined ? {} : { clientId }),
    ...(scopes === undefined ? {} : { scopes }),
  };
  if (issuer !== undefined) return { provider: 'generic', issuer, ...extras };
  const provider = (host === undefined ? undefined : providerServing(host)) ?? preset?.oauthProvider;
  if (provider === undefined) {
    throw usageError(
      `no OAuth2 provider is known for ${address}: give the provider's --oauth-issuer URL (and --oauth-client-id)`,
    );
  }
  return { provider, ...extras };
}
