import { generateKeyPairSync } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { dkimVerify } from 'mailauth';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { dkimPublicKey, dkimRecordFor } from '../../../main/accounts/dkim.ts';
import { smtpOptions } from '../../../main/smtp/transport-options.ts';
import {
  accountDraft,
  accountsHarness,
  requireSecretService,
  removeTempSettings,
} from '../../support/accounts-fixtures.ts';
import { startDnsTestServer, type DnsTestServer } from '../../support/dns-test-server.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';

afterAll(removeTempSettings);

const DOMAIN = 'outbox-test.example';
const SELECTOR = 'mail2026';
const KEY_NAME = `${SELECTOR}._domainkey.${DOMAIN}`;
const SPF = 'v=spf1 ip4:127.0.0.1 -all';

function rsaKeyPem(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

let dns: DnsTestServer;
let smtp: TestServer;
const pem = rsaKeyPem();

beforeAll(async () => {
  await requireSecretService();
  dns = await startDnsTestServer();
  smtp = await startTestServer({ users: { 'ada@outbox-test.example': 'secret' } });
});

afterAll(async () => {
  await Promise.all([dns.close(), smtp.close()]);
});

async function dkimAccount() {
  const harness = accountsHarness({ dnsServers: [dns.server] });
  const account = await harness.call(
    'accounts:create',
    accountDraft({
      fromAddress: `ada@${DOMAIN}`,
      username: `ada@${DOMAIN}`,
      host: '127.0.0.1',
      port: smtp.port,
      security: 'none',
      allowPlaintext: true,
      dkim: { domain: DOMAIN, selector: SELECTOR },
    }),
  );
  await harness.call('accounts:setPassword', { id: account.id, secret: 'secret' });
  await harness.call('accounts:setDkimKey', { id: account.id, secret: pem });
  return { ...harness, id: account.id };
}

function publish(records: Record<string, string[]>): void {
  dns.txt.clear();
  for (const [name, values] of Object.entries(records)) dns.txt.set(name, values);
}

describe('DKIM signing', () => {
  test('nodemailer signs with the keychain key; mailauth verifies it against the published key', async () => {
    publish({ [KEY_NAME]: [dkimRecordFor(dkimPublicKey(pem))], [DOMAIN]: [SPF] });
    const { service, id } = await dkimAccount();
    const endpoint = await service.endpoint(id);
    expect(endpoint.dkim).toEqual({ domainName: DOMAIN, keySelector: SELECTOR, privateKey: pem });

    const transport = nodemailer.createTransport(smtpOptions(endpoint));
    try {
      await transport.sendMail({
        from: `Ada <ada@${DOMAIN}>`,
        to: 'grace@example.net',
        subject: 'Signed',
        text: 'This message carries a DKIM signature.\n',
      });
    } finally {
      transport.close();
    }
    const raw = smtp.messages.at(-1)?.raw;
    if (!raw) throw new Error('the server received nothing');
    expect(raw.toString('utf8')).toMatch(
      /^DKIM-Signature: [\s\S]*?d=outbox-test\.example; q=dns\/txt; s=mail2026;/m,
    );

    const resolver = new Resolver();
    resolver.setServers([dns.server]);
    const resolve = (name: string, rr: string) => resolver.resolve(name, rr) as Promise<string[][]>;
    const verified = await dkimVerify(raw, { resolver: resolve });
    expect(verified.results.map((result) => result.status.result)).toEqual(['pass']);

    const tampered = Buffer.from(raw.toString('utf8').replace('carries a DKIM', 'carries a forged'));
    const forged = await dkimVerify(tampered, { resolver: resolve });
    expect(forged.results.map((result) => result.status.result)).toEqual(['neutral']);
  });
});

describe('sender domain check', () => {
  test('SPF and the DKIM key both published and matching: pass', async () => {
    publish({
      [KEY_NAME]: [dkimRecordFor(dkimPublicKey(pem))],
      [DOMAIN]: ['google-site-verification=x', SPF],
    });
    const { call, id } = await dkimAccount();
    const report = await call('accounts:checkSenderDomain', { id });
    expect(report.domain).toBe(DOMAIN);
    expect(report.spf).toMatchObject({ status: 'pass', record: SPF });
    expect(report.dkim).toMatchObject({ status: 'pass' });
  });

  test('nothing published: both missing, with the record to publish', async () => {
    publish({});
    const { call, id } = await dkimAccount();
    const report = await call('accounts:checkSenderDomain', { id });
    expect(report.spf.status).toBe('missing');
    expect(report.dkim.status).toBe('missing');
    expect(report.dkim.detail).toContain(dkimRecordFor(dkimPublicKey(pem)));
  });

  test('another key at the selector, or two SPF records: mismatch', async () => {
    publish({
      [KEY_NAME]: [dkimRecordFor(dkimPublicKey(rsaKeyPem()))],
      [DOMAIN]: [SPF, 'v=spf1 include:_spf.example.net ~all'],
    });
    const { call, id } = await dkimAccount();
    const report = await call('accounts:checkSenderDomain', { id });
    expect(report.spf.status).toBe('mismatch');
    expect(report.dkim.status).toBe('mismatch');
    expect(report.dkim.detail).toMatch(/not the public half/);
  });

  test('a revoked key (empty p=) is a mismatch', async () => {
    publish({ [KEY_NAME]: ['v=DKIM1; k=rsa; p='], [DOMAIN]: [SPF] });
    const { call, id } = await dkimAccount();
    const report = await call('accounts:checkSenderDomain', { id });
    expect(report.dkim).toMatchObject({ status: 'mismatch', record: 'v=DKIM1; k=rsa; p=' });
    expect(report.dkim.detail).toMatch(/revoked/);
  });
});
