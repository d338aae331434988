import { describe, expect, test } from 'vitest';
import { isValidHost } from '../../../main/accounts/account-validation.ts';
import { isValidAddress } from '../../../preload/contract/address.ts';
import { presetFor, presetForServer, providerPresets } from '../../../main/accounts/provider-presets.ts';

describe('host names', () => {
  test.each([
    'smtp.example.com',
    'localhost',
    'mail-1.example.co.uk',
    '127.0.0.1',
    '::1',
    '2001:db8::25',
    'smtp.bücher.example',
  ])('%s is accepted', (host) => {
    expect(isValidHost(host)).toBe(true);
  });

  test.each([
    '',
    'smtp example.com',
    '-smtp.example.com',
    'smtp-.example.com',
    'smtp..example.com',
    'smtp.example.com:587',
    'https://smtp.example.com',
    '999.1.1.1',
    '1.2.3',
    `${'a'.repeat(64)}.example.com`,
    `${'abcdefghi.'.repeat(26)}com`,
    'smtp_relay.example.com',
    '[::1]',
    '127.0.0.1\r\nx',
    'smtp.example.com\n',
    '\tsmtp.example.com',
    'smtp.exa\u200bmple.com',
    'smtp.exa\u00admple.com',
    'smtp.exa\u00a0mple.com',
    'smtp.exa\u0085mple.com',
    '::1\n',
    '01.2.3.4',
  ])('%j is refused', (host) => {
    expect(isValidHost(host)).toBe(false);
  });
});

describe('from addresses', () => {
  test.each(['ada@example.com', 'ada.lovelace+outbox@mail.example.org', 'zoë@example.de'])(
    '%s is accepted',
    (address) => {
      expect(isValidAddress(address)).toBe(true);
    },
  );

  test.each([
    '',
    'ada',
    'ada@',
    '@example.com',
    'ada@example',
    'ada@@example.com',
    'Ada <ada@example.com>',
    'ada@example.com, bob@example.com',
    'ada lovelace@example.com',
    'ada..x@example.com',
    'ada@127.0.0.1',
    'ada@-example.com',
  ])('%j is refused', (address) => {
    expect(isValidAddress(address)).toBe(false);
  });
});

describe('provider presets', () => {
  test('every provider the issue names is there, Custom last', () => {
    expect(providerPresets().map((preset) => preset.key)).toEqual([
      'gmail',
      'outlook',
      'microsoft365',
      'yahoo',
      'aol',
      'icloud',
      'fastmail',
      'zoho',
      'gmx',
      'mailbox-org',
      'proton-bridge',
      'custom',
    ]);
  });

  test('is picked from the address domain, without regard to case', () => {
    expect(presetFor('Someone@GMail.com')).toMatchObject({ key: 'gmail', host: 'smtp.gmail.com', port: 465 });
    expect(presetFor('someone@hotmail.com')?.key).toBe('outlook');
    expect(presetFor('someone@example.org')).toBeNull();
  });

  test('Proton Mail Bridge is a local STARTTLS server that needs a pinned certificate', () => {
    const bridge = presetFor('someone@proton.me');
    expect(bridge).toMatchObject({ host: '127.0.0.1', port: 1025, security: 'starttls' });
    expect(bridge?.note).toMatch(/pin/i);
  });

  test('providers that refuse normal passwords say so', () => {
    for (const key of ['gmail', 'yahoo', 'aol', 'icloud', 'fastmail']) {
      expect(providerPresets().find((preset) => preset.key === key)?.note).toMatch(
        /app(-specific)? password/i,
      );
    }
  });

  test('a server is matched by host and port, so any local server is not taken for the Bridge', () => {
    expect(presetForServer('smtp.gmail.com', 465)?.key).toBe('gmail');
    expect(presetForServer('127.0.0.1', 1025)?.key).toBe('proton-bridge');
    expect(presetForServer('127.0.0.1', 2525)).toBeUndefined();
  });
});
