import { describe, expect, test } from 'vitest';
import { presetFor, presetForServer, providerPresets } from '../../../main/accounts/provider-presets.ts';
import { servesHost } from '../../../main/oauth/oauth-providers.ts';

describe('the preset for an address domain', () => {
  test.each([
    ['ada@gmail.com', 'gmail'],
    ['ada@googlemail.com', 'gmail'],
    ['ada@outlook.com', 'outlook'],
    ['ada@hotmail.com', 'outlook'],
    ['ada@hotmail.co.uk', 'outlook'],
    ['ada@hotmail.fr', 'outlook'],
    ['ada@hotmail.de', 'outlook'],
    ['ada@live.com', 'outlook'],
    ['ada@live.co.uk', 'outlook'],
    ['ada@live.fr', 'outlook'],
    ['ada@outlook.fr', 'outlook'],
    ['ada@outlook.de', 'outlook'],
    ['ada@msn.com', 'outlook'],
    ['ada@yahoo.com', 'yahoo'],
    ['ada@aol.com', 'aol'],
    ['ada@icloud.com', 'icloud'],
    ['ada@me.com', 'icloud'],
    ['ada@fastmail.com', 'fastmail'],
    ['Ada@HOTMAIL.CO.UK', 'outlook'],
  ])('%s → %s', (address, key) => {
    expect(presetFor(address)?.key).toBe(key);
  });

  test.each(['ada@example.org', 'ada@office365.com', 'ada@hotmail.example', 'ada@outlook.example'])(
    '%s has none (Microsoft 365 is told by MX, never by the address)',
    (address) => {
      expect(presetFor(address)).toBeNull();
    },
  );
});

describe('how each provider signs in', () => {
  test.each<[string, string, number, string, string[], string | undefined]>([
    ['gmail', 'smtp.gmail.com', 465, 'tls', ['oauth2', 'app-password'], 'google'],
    ['outlook', 'smtp-mail.outlook.com', 587, 'starttls', ['oauth2'], 'microsoft'],
    ['microsoft365', 'smtp.office365.com', 587, 'starttls', ['oauth2', 'password'], 'microsoft'],
    ['yahoo', 'smtp.mail.yahoo.com', 465, 'tls', ['app-password'], undefined],
    ['aol', 'smtp.aol.com', 465, 'tls', ['app-password'], undefined],
    ['icloud', 'smtp.mail.me.com', 587, 'starttls', ['app-password'], undefined],
    ['fastmail', 'smtp.fastmail.com', 465, 'tls', ['app-password'], undefined],
  ])('%s: %s:%i %s, %j', (key, host, port, security, signIn, oauthProvider) => {
    const preset = providerPresets().find((candidate) => candidate.key === key);
    expect(preset).toMatchObject({ host, port, security, signIn });
    expect(preset?.oauthProvider).toBe(oauthProvider);
    expect(presetForServer(host, port)?.key).toBe(key);
  });

  test('every preset that offers OAuth2 names a provider whose tokens its server takes', () => {
    for (const preset of providerPresets().filter((p) => p.key !== 'custom' && p.signIn.includes('oauth2'))) {
      expect(preset.oauthProvider, preset.key).toBeDefined();
      expect(servesHost(preset.oauthProvider ?? 'generic', preset.host), preset.key).toBe(true);
    }
  });

  test('the notes say what each choice needs', () => {
    const note = (key: string) => providerPresets().find((preset) => preset.key === key)?.note ?? '';
    expect(note('gmail')).toMatch(/Sign in with Google.*app password.*2-Step Verification/);
    expect(note('outlook')).toMatch(/Sign in with Microsoft.*even an app password, is refused/);
    expect(note('microsoft365')).toMatch(/Sign in with Microsoft.*Authenticated SMTP.*admin/);
    expect(note('aol')).toMatch(/app password/);
    expect(note('icloud')).toMatch(/app-specific password.*two-factor/);
  });
});
