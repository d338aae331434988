import type { AccountInput } from '../../preload/contract/accounts.ts';
import { serverHost } from '../../preload/contract/address.ts';
import { AppError } from '../errors/app-error.ts';
import { KNOWN_PROVIDERS, knownIssuer, servesHost } from '../oauth/oauth-providers.ts';

/** True for a host name (IDN allowed) or an IPv4/IPv6 literal: the contract's rule. */
export function isValidHost(host: string): boolean {
  return serverHost(host) !== undefined;
}

export function assertHost(host: string, field = 'host'): void {
  if (!isValidHost(host)) {
    throw new AppError('invalid_host', `${JSON.stringify(host)} is not a valid host name or IP address.`, {
      field,
    });
  }
}

export function assertPort(port: number, field = 'port'): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new AppError('invalid_port', `The port must be a whole number from 1 to 65535, not ${port}.`, {
      field,
    });
  }
}

/**
 * An OAuth2 account names its provider (a generic one, its issuer), and a known provider's tokens
 * go only to that provider's servers, encrypted: else a changed host would hand the mailbox's token
 * to anyone. A generic issuer may not be a known provider's sign-in under another name.
 */
export function assertOAuth(candidate: Pick<AccountInput, 'auth' | 'oauth' | 'host' | 'security'>): void {
  if (candidate.auth !== 'oauth2') return;
  const { oauth } = candidate;
  if (!oauth) {
    throw new AppError('invalid_input', 'Choose the provider to sign in with.', { field: 'oauth' });
  }
  if (oauth.provider === 'generic') {
    if (!oauth.issuer) {
      throw new AppError('invalid_input', "Enter the sign-in provider's issuer URL.", {
        field: 'oauth.issuer',
      });
    }
    const known = knownIssuer(oauth.issuer);
    if (known) {
      throw new AppError(
        'oauth_host_mismatch',
        `${oauth.issuer} is ${known.name}'s sign-in: choose "Sign in with ${known.name}", whose tokens go only to ${known.smtpHosts.join(' or ')}.`,
        { field: 'oauth.issuer' },
      );
    }
    return;
  }
  if (!servesHost(oauth.provider, candidate.host)) {
    const provider = KNOWN_PROVIDERS[oauth.provider];
    throw new AppError(
      'oauth_host_mismatch',
      `Sign in with ${provider.name} works only with ${provider.smtpHosts.join(' or ')}, not ${candidate.host}.`,
      { field: 'host' },
    );
  }
  // A bearer token in clear is anyone's on the path; these servers never take one that way.
  if (candidate.security === 'none') {
    throw new AppError(
      'oauth_host_mismatch',
      `Sign in with ${KNOWN_PROVIDERS[oauth.provider].name} needs an encrypted connection (TLS or STARTTLS).`,
      { field: 'security' },
    );
  }
}
