import { describe, expect, it } from 'vitest';
import type { AccountInput } from '../../../preload/contract/accounts.ts';
import { assertOAuth } from '../../../main/accounts/account-validation.ts';

type Candidate = Pick<AccountInput, 'auth' | 'oauth' | 'host' | 'security'>;

const microsoft: Candidate = {
  auth: 'oauth2',
  oauth: { provider: 'microsoft' },
  host: 'smtp.office365.com',
  security: 'starttls',
};
const generic = (issuer: string): Candidate => ({
  auth: 'oauth2',
  oauth: { provider: 'generic', issuer, clientId: 'outbox' },
  host: 'mail.example.org',
  security: 'tls',
});

describe('where an OAuth2 account may send its token', () => {
  it.each([
    ["Microsoft's server over STARTTLS", microsoft],
    ['a generic issuer of its own, to its own host', generic('https://id.example.org')],
    ['a generic issuer on loopback', generic('http://127.0.0.1:8080')],
  ])('allows %s', (_case, candidate) => {
    expect(() => {
      assertOAuth(candidate);
    }).not.toThrow();
  });

  it.each([
    ['a Microsoft sign-in to another host', { ...microsoft, host: 'smtp.example.org' }, 'host'],
    // Without TLS a bearer token is anyone's on the path.
    ['a Microsoft sign-in in clear', { ...microsoft, security: 'none' as const }, 'security'],
    // A tenant issuer under "generic" would get Microsoft tokens with no host binding.
    [
      "Microsoft's tenant issuer as a generic provider",
      generic('https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0'),
      'oauth.issuer',
    ],
    ["Google's issuer as a generic provider", generic('https://accounts.google.com'), 'oauth.issuer'],
    ['a trailing-dot spelling of it', generic('https://LOGIN.live.com./'), 'oauth.issuer'],
  ])('refuses %s', (_case, candidate, field) => {
    expect(() => {
      assertOAuth(candidate);
    }).toThrow(expect.objectContaining({ code: 'oauth_host_mismatch', field }));
  });
});
