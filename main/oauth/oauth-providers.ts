import type { OAuthProviderKey } from '../../preload/contract/accounts.ts';

/**
 * An OAuth2 provider Outbox knows by heart: its endpoints are fixed here rather than discovered, so
 * a DNS or network attacker cannot point the sign-in elsewhere, and its SMTP hosts are the only ones
 * its tokens are sent to.
 */
export interface KnownProvider {
  readonly key: Exclude<OAuthProviderKey, 'generic'>;
  /** As in "Sign in with …". */
  readonly name: string;
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly scopes: readonly string[];
  /** RFC 9207: the provider returns `iss` with the authorization response, and it is checked. */
  readonly issParameter: boolean;
  /** Parameters the provider needs on the authorization request to issue a refresh token. */
  readonly authorizationParams: Readonly<Record<string, string>>;
  /** The SMTP servers that accept this provider's access tokens (AUTH XOAUTH2). */
  readonly smtpHosts: readonly string[];
  /**
   * Where this provider signs people in, under any issuer path (Microsoft's are per tenant): a
   * "generic" account naming one of these would get its mailbox tokens and send them to any host.
   */
  readonly signInHosts: readonly string[];
}

export const KNOWN_PROVIDERS: Readonly<Record<KnownProvider['key'], KnownProvider>> = {
  microsoft: {
    key: 'microsoft',
    name: 'Microsoft',
    // `common` takes both personal (Outlook.com) and work or school (Microsoft 365) accounts; the
    // issuer in its tokens is the user's tenant, so it is not checked against this one.
    issuer: 'https://login.microsoftonline.com/common/v2.0',
    authorizationEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    tokenEndpoint: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    scopes: ['https://outlook.office.com/SMTP.Send', 'offline_access'],
    issParameter: false,
    authorizationParams: {},
    smtpHosts: ['smtp-mail.outlook.com', 'smtp.office365.com'],
    signInHosts: ['login.microsoftonline.com', 'login.live.com', 'login.windows.net', 'sts.windows.net'],
  },
  google: {
    key: 'google',
    name: 'Google',
    issuer: 'https://accounts.google.com',
    authorizationEndpoint: 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenEndpoint: 'https://oauth2.googleapis.com/token',
    // `openid email`: the ID token names the address that signed in, shown beside the account.
    scopes: ['https://mail.google.com/', 'openid', 'email'],
    issParameter: true,
    // Google issues a refresh token only for offline access, and again only when consent is asked.
    authorizationParams: { access_type: 'offline', prompt: 'consent' },
    smtpHosts: ['smtp.gmail.com'],
    signInHosts: ['accounts.google.com', 'oauth2.googleapis.com'],
  },
};

/** The known provider whose tokens this SMTP server takes (a Microsoft 365 custom domain at smtp.office365.com). */
export function providerServing(host: string): KnownProvider['key'] | undefined {
  const name = host.toLowerCase().replace(/\.$/, '');
  return Object.values(KNOWN_PROVIDERS).find((provider) => provider.smtpHosts.includes(name))?.key;
}

/**
 * Whether an account's server takes its provider's tokens. A known provider's token goes only to
 * that provider's hosts (else a changed host would hand the user's mailbox token to any server); a
 * generic issuer is the user's own choice, with the host they named beside it.
 */
export function servesHost(provider: OAuthProviderKey, host: string): boolean {
  return provider === 'generic' || providerServing(host) === provider;
}

/** The known provider that signs people in at this issuer URL, if any (see `signInHosts`). */
export function knownIssuer(issuer: string): KnownProvider | undefined {
  const host = URL.parse(issuer)?.hostname.toLowerCase().replace(/\.$/, '');
  return host === undefined
    ? undefined
    : Object.values(KNOWN_PROVIDERS).find((provider) => provider.signInHosts.includes(host));
}
