import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { accountsHarness, removeTempSettings } from '../../support/accounts-fixtures.ts';
import { startDnsTestServer, type DnsTestServer } from '../../support/dns-test-server.ts';
import { closedPort } from '../../support/https-test-server.ts';

afterAll(removeTempSettings);

let dns: DnsTestServer;
/** Where the web and SMTP sources connect: a port nothing listens on, so no test reaches the internet. */
let nowhere: number;

beforeAll(async () => {
  nowhere = await closedPort();
  dns = await startDnsTestServer();
  dns.mx.set('contoso.example', ['contoso-example.mail.protection.outlook.com.']);
  dns.mx.set('lovelace-labs.example', ['aspmx.l.google.com.', 'alt1.aspmx.l.google.com.']);
  dns.mx.set('own-server.example', ['mail.own-server.example']);
  // gmail.com's preset must win without asking DNS, whatever its MX says.
  dns.mx.set('gmail.com', ['contoso-example.mail.protection.outlook.com.']);
});

afterAll(async () => {
  await dns.close();
});

const harness = () =>
  accountsHarness({
    dnsServers: [dns.server],
    discoveryNetwork: { route: () => ({ host: '127.0.0.1', port: nowhere }) },
  });

describe('looking up an address', () => {
  test('a provider in Outbox’s own table answers without the network, and needs no confirmation', async () => {
    const found = await harness().call('accounts:discover', { address: 'ada@gmail.com' });
    expect(found).toMatchObject({
      status: 'found',
      source: 'provider',
      presetKey: 'gmail',
      confirm: false,
      servers: [{ host: 'smtp.gmail.com', port: 465, security: 'tls', username: 'ada@gmail.com' }],
    });
    if (found.status !== 'found') return;
    expect(found.servers[0]?.signIn).toEqual(['oauth2', 'app-password']);
    expect(found.attempts.map((attempt) => attempt.source)).toEqual(['provider']);
  });

  test('a custom domain is found through its MX, and the off-domain server must be confirmed', async () => {
    const found = await harness().call('accounts:discover', { address: 'grace@contoso.example' });
    expect(found).toMatchObject({
      status: 'found',
      source: 'mx',
      presetKey: 'microsoft365',
      confirm: true,
      servers: [{ host: 'smtp.office365.com', port: 587, security: 'starttls', oauthProvider: 'microsoft' }],
    });
    expect(found.status === 'found' && found.via).toBe(
      'the MX record of contoso.example (contoso-example.mail.protection.outlook.com)',
    );
  });

  test('the best MX decides: Google Workspace behind a custom domain', async () => {
    const found = await harness().call('accounts:discover', { address: 'ada@lovelace-labs.example' });
    expect(found).toMatchObject({ status: 'found', source: 'mx', presetKey: 'gmail', confirm: true });
  });

  test('nothing known gives a sentence to act on, and each source tried says what it found', async () => {
    const found = await harness().call('accounts:discover', { address: 'ada@own-server.example' });
    expect(found).toMatchObject({
      status: 'not_found',
      message: 'Could not find the settings for own-server.example; enter them by hand.',
    });
    expect(found.attempts).toContainEqual({
      source: 'mx',
      outcome: 'nothing',
      detail: "No provider is known for own-server.example's mail exchanger mail.own-server.example.",
    });
  });

  test('a domain without MX is not an error', async () => {
    const found = await harness().call('accounts:discover', { address: 'ada@nowhere.example' });
    expect(found).toMatchObject({ status: 'not_found' });
    expect(found.attempts).toContainEqual(expect.objectContaining({ source: 'mx', outcome: 'nothing' }));
  });

  test('what is not an address is refused with the code every door uses', async () => {
    await expect(harness().call('accounts:discover', { address: 'not an address' })).rejects.toMatchObject({
      code: 'invalid_address',
    });
  });
});
