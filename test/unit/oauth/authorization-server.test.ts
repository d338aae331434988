import { describe, expect, it } from 'vitest';
import { AuthorizationServers } from '../../../main/oauth/authorization-server.ts';
import { KNOWN_PROVIDERS } from '../../../main/oauth/oauth-providers.ts';

const servers = new AuthorizationServers();

describe('AuthorizationServers', () => {
  it("uses a known provider's fixed endpoints and scopes, with its iss support, over https only", async () => {
    const google = await servers.forAccount({ provider: 'google' }, 'Gmail');
    expect(google.as).toMatchObject({
      issuer: KNOWN_PROVIDERS.google.issuer,
      token_endpoint: KNOWN_PROVIDERS.google.tokenEndpoint,
      authorization_response_iss_parameter_supported: true,
    });
    expect(google).toMatchObject({
      scopes: KNOWN_PROVIDERS.google.scopes,
      insecure: false,
      readsIdToken: true,
    });
    expect(google.authorizationParams).toEqual({ access_type: 'offline', prompt: 'consent' });

    const microsoft = await servers.forAccount({ provider: 'microsoft', scopes: ['a', 'b'] }, 'Work');
    expect(microsoft).toMatchObject({ scopes: ['a', 'b'], readsIdToken: false });
    expect(microsoft.as.authorization_response_iss_parameter_supported).toBe(false);
  });

  it.each([
    ['no issuer', undefined],
    ['plain http off this machine', 'http://auth.example.com'],
    ['not a URL', 'nonsense'],
  ])('refuses a generic provider with %s before any request', async (_name, issuer) => {
    await expect(
      servers.forAccount({ provider: 'generic', ...(issuer === undefined ? {} : { issuer }) }, 'Own'),
    ).rejects.toMatchObject({ code: 'oauth_not_configured', field: 'oauth.issuer' });
  });
});
