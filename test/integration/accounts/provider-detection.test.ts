import { afterAll, beforeAll, describe, expect, test } from 'vitest';
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

describe('the provider preset for an address', () => {
  test('a well-known domain needs no lookup', async () => {
    const { call } = accountsHarness({ dnsServers: [dns.server] });
    await expect(call('accounts:presetFor', { address: 'ada@icloud.com' })).resolves.toMatchObject({
      key: 'icloud',
      host: 'smtp.mail.me.com',
    });
  });

  test('a custom domain is recognised by its MX records (Google Workspace, Microsoft 365)', async () => {
    const { call } = accountsHarness({ dnsServers: [dns.server] });
    await expect(call('accounts:presetFor', { address: 'ada@lovelace-labs.example' })).resolves.toMatchObject(
      {
        key: 'gmail',
      },
    );
    await expect(call('accounts:presetFor', { address: 'ada@contoso.example' })).resolves.toMatchObject({
      key: 'microsoft365',
    });
  });

  test.each([
    ['ada@ada-family.example', 'microsoft365'],
    ['ada@personal-outlook.example', 'outlook'],
    ['ada@yahoo-domain.example', 'yahoo'],
    ['ada@fastmail-domain.example', 'fastmail'],
    ['ada@lookalike.example', null],
  ])('by MX: %s → %s', async (address, key) => {
    const { call } = accountsHarness({ dnsServers: [dns.server] });
    const preset = await call('accounts:presetFor', { address });
    expect(preset?.key ?? null).toBe(key);
  });

  test('a self-hosted or unknown domain has no preset', async () => {
    const { call } = accountsHarness({ dnsServers: [dns.server] });
    await expect(call('accounts:presetFor', { address: 'ada@own-server.example' })).resolves.toBeNull();
    await expect(call('accounts:presetFor', { address: 'ada@nowhere.example' })).resolves.toBeNull();
  });
});
