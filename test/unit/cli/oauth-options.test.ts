import { describe, expect, it } from 'vitest';
import { presetFor } from '../../../main/accounts/provider-presets.ts';
import { oauthSettingsOf } from '../../../main/cli/accounts/oauth-options.ts';

describe('which OAuth2 provider --oauth means', () => {
  it.each([
    ['an Outlook.com address, at its preset host', 'ann@outlook.com', 'smtp-mail.outlook.com', 'microsoft'],
    ['a Gmail address, at its preset host', 'ann@gmail.com', 'smtp.gmail.com', 'google'],
    // 550 5.7.30 on a custom domain hosted by Microsoft 365: no preset knows the address.
    ['a custom domain at smtp.office365.com', 'ann@example.com', 'smtp.office365.com', 'microsoft'],
    ['a Google Workspace domain at smtp.gmail.com', 'ann@example.org', 'SMTP.Gmail.com.', 'google'],
  ] as const)('%s: %s', (_case, address, host, provider) => {
    expect(oauthSettingsOf({ oauth: true }, address, presetFor(address), host)).toEqual({ provider });
  });

  it('refuses an address and server no known provider serves, naming --oauth-issuer', () => {
    expect(() => oauthSettingsOf({ oauth: true }, 'ann@example.com', null, 'mail.example.com')).toThrow(
      /--oauth-issuer/,
    );
  });

  it('takes a generic issuer, with the client ID and scopes given', () => {
    expect(
      oauthSettingsOf(
        { 'oauth-issuer': 'https://id.example.com', 'oauth-client-id': 'outbox', 'oauth-scope': ['smtp'] },
        'ann@example.com',
        null,
        'mail.example.com',
      ),
    ).toEqual({
      provider: 'generic',
      issuer: 'https://id.example.com',
      clientId: 'outbox',
      scopes: ['smtp'],
    });
  });

  it('asks for nothing without --oauth or --oauth-issuer', () => {
    expect(
      oauthSettingsOf({}, 'ann@outlook.com', presetFor('ann@outlook.com'), 'smtp-mail.outlook.com'),
    ).toBe(undefined);
  });
});
