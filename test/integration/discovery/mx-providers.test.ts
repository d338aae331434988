import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Discovery } from '../../../preload/contract/discovery.ts';
import { accountsHarness, removeTempSettings } from '../../support/accounts-fixtures.ts';
import { startDnsTestServer, type DnsTestServer } from '../../support/dns-test-server.ts';

afterAll(removeTempSettings);

let dns: DnsTestServer;

beforeAll(async () => {
  dns = await startDnsTestServer();
  dns.mx.set('lovelace-labs.example', ['aspmx.l.google.com.', 'alt1.aspmx.l.google.com.']);
  dns.mx.set('contoso.example', ['contoso-example.mail.protection.outlook.com']);
  dns.mx.set('own-server.example', ['mail.own-server.example']);
  dns.mx.set('ada-family.example', ['ada-family-example01c.mail.protection.outlook.com.']);
  dns.mx.set('personal-outlook.example', ['personal-outlook-example.olc.protection.outlook.com']);
  dns.mx.set('yahoo-domain.example', ['mta5.am0.yahoodns.net']);
  dns.mx.set('fastmail-domain.example', ['in1-smtp.messagingengine.com.']);
  dns.mx.set('lookalike.example', ['mail.protection.outlook.com.evil.example']);
});

afterAll(async () => {
  await dns.close();
});

const discover = (address: string): Promise<Discovery> =>
  accountsHarness({ dnsServers: [dns.server] }).call('accounts:discover', { address });

const presetKeyOf = (found: Discovery) => (found.status === 'found' ? found.presetKey : undefined);

describe('the provider behind an address (formerly accounts:presetFor)', () => {
  test('a well-known domain is answered by the provider table', async () => {
    await expect(discover('ada@icloud.com')).resolves.toMatchObject({
      status: 'found',
      source: 'provider',
      presetKey: 'icloud',
      servers: [{ host: 'smtp.mail.me.com' }],
    });
  });

  test('a custom domain is recognised by its MX records (Google Workspace, Microsoft 365)', async () => {
    await expect(discover('ada@lovelace-labs.example')).resolves.toMatchObject({
      status: 'found',
      source: 'mx',
      presetKey: 'gmail',
    });
    await expect(discover('ada@contoso.example')).resolves.toMatchObject({
      status: 'found',
      source: 'mx',
      presetKey: 'microsoft365',
    });
  });

  test.each([
    ['ada@ada-family.example', 'microsoft365'],
    // Outlook.com's personal domains are served from olc.protection.outlook.com, not Microsoft 365.
    ['ada@personal-outlook.example', 'outlook'],
    ['ada@yahoo-domain.example', 'yahoo'],
    ['ada@fastmail-domain.example', 'fastmail'],
  ])('by MX: %s → %s', async (address, key) => {
    const found = await discover(address);
    expect(found).toMatchObject({ status: 'found', source: 'mx' });
    expect(presetKeyOf(found)).toBe(key);
  });

  test('a lookalike exchanger (mail.protection.outlook.com.evil.example) is not taken for Microsoft 365', async () => {
    const found = await discover('ada@lookalike.example');
    expect(presetKeyOf(found)).not.toBe('microsoft365');
    if (found.status === 'found') {
      expect(found.servers.map((server) => server.host)).not.toContain('smtp.office365.com');
    }
  });

  test('a self-hosted or unknown domain has no provider', async () => {
    await expect(discover('ada@own-server.example')).resolves.toMatchObject({ status: 'not_found' });
    await expect(discover('ada@nowhere.example')).resolves.toMatchObject({ status: 'not_found' });
  });
});
