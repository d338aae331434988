import { describe, expect, test } from 'vitest';
import { providerPresets } from '../../../main/accounts/provider-presets.ts';
import type { DiscoveredServer, DiscoverySource } from '../../../preload/contract/discovery.ts';
import {
  EMPTY_FORM,
  presetServer,
  withServer,
  type AccountForm,
} from '../../../renderer/src/features/accounts/account-form.ts';
import {
  confirmationText,
  sourceLine,
  type FoundDiscovery,
} from '../../../renderer/src/features/accounts/discovery-text.ts';

const TYPED: AccountForm = { ...EMPTY_FORM, fromAddress: 'ann@contoso.example', displayName: 'Ann' };

const OFFICE: DiscoveredServer = {
  host: 'smtp.office365.com',
  port: 587,
  security: 'starttls',
  username: 'ann@contoso.example',
  signIn: ['oauth2', 'password'],
  oauthProvider: 'microsoft',
};

function found(source: DiscoverySource, fields: Partial<FoundDiscovery> = {}): FoundDiscovery {
  return {
    status: 'found',
    address: 'ann@contoso.example',
    source,
    via: 'somewhere',
    servers: [OFFICE],
    confirm: false,
    attempts: [],
    ...fields,
  };
}

describe('a found server filled into the form', () => {
  test('host, port, security, user name, the preferred sign-in and the empty account name', () => {
    expect(withServer(TYPED, OFFICE, 'Microsoft 365 (work or school)')).toEqual({
      ...TYPED,
      host: 'smtp.office365.com',
      port: '587',
      security: 'starttls',
      username: 'ann@contoso.example',
      auth: 'oauth2',
      oauthProvider: 'microsoft',
      label: 'Microsoft 365 (work or school)',
    });
  });

  test('an account name already typed is kept; a server without a name leaves it empty', () => {
    expect(withServer({ ...TYPED, label: 'Work' }, OFFICE, 'Microsoft 365').label).toBe('Work');
    expect(withServer(TYPED, { ...OFFICE, signIn: ['password'] }).label).toBe('');
  });

  test("a preset's user name is the address or its local part, as the provider wants", () => {
    const gmx = providerPresets().find((p) => p.key === 'gmx');
    if (!gmx) throw new Error('no GMX preset');
    expect(presetServer({ ...gmx, usernameIsAddress: true }, ' ann@gmx.net ').username).toBe('ann@gmx.net');
    expect(presetServer({ ...gmx, usernameIsAddress: false }, 'ann@gmx.net').username).toBe('ann');
  });
});

describe('where the settings came from, in one line', () => {
  test.each([
    [found('provider', { providerName: 'Gmail' }), "Settings from Outbox's provider table: Gmail"],
    [
      found('ispdb', { providerName: 'GMX Freemail' }),
      "Settings from Thunderbird's ISP database: GMX Freemail",
    ],
    [found('live-ispdb'), "Settings from Thunderbird's online ISP database"],
    [found('autoconfig'), "Settings from contoso.example's own configuration (autoconfig)"],
    [
      found('mx', {
        via: 'the MX record of contoso.example (x.mail.protection.outlook.com)',
        providerName: 'M365',
      }),
      'Settings found through the MX record of contoso.example (x.mail.protection.outlook.com): M365',
    ],
    [
      found('srv', { via: 'the SRV record _submissions._tcp.contoso.example' }),
      'Settings found through the SRV record _submissions._tcp.contoso.example',
    ],
    [found('probe'), 'Settings found by trying smtp.office365.com'],
  ])('%#: %s', (discovery, line) => {
    expect(sourceLine(discovery)).toBe(line);
  });

  test('an off-domain answer names where it came from, the server, and whose password goes to it', () => {
    const discovery = found('mx', {
      via: 'the MX record of contoso.example (contoso-example.mail.protection.outlook.com)',
      providerName: 'Microsoft 365 (work or school)',
      confirm: true,
    });
    expect(confirmationText(discovery, OFFICE)).toEqual([
      'Found through the MX record of contoso.example (contoso-example.mail.protection.outlook.com): smtp.office365.com (port 587, STARTTLS).',
      "This server is outside contoso.example. Use it only if you expect contoso.example's mail to go through Microsoft 365 (work or school) — any password you enter goes to it.",
    ]);
  });
});
