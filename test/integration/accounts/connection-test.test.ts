import fs from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { AccountInputDraft, ConnectionReport } from '../../../preload/contract/accounts.ts';
import {
  accountDraft,
  accountsHarness,
  requireSecretService,
  removeTempSettings,
} from '../../support/accounts-fixtures.ts';
import { startTestServer, type TestServer, type TestServerOptions } from '../../support/smtp-test-server.ts';
import { startStarttlsRefusingServer } from '../../support/starttls-refusing-server.ts';
import { makeSelfSignedCert, type TestCert } from '../../support/tls-cert.ts';

const certDir = fs.mkdtempSync(path.join(tmpdir(), 'outbox-cert-'));

afterAll(() => {
  removeTempSettings();
  fs.rmSync(certDir, { recursive: true, force: true });
});

const USER = 'ada@example.com';
const PASSWORD = 'correct horse battery staple';
// Short enough that the "TLS port spoken to in plain" case does not wait ten seconds for a greeting.
const TIMEOUTS = { connectMs: 5_000, greetingMs: 1_500, replyMs: 5_000 };

let cert: TestCert;
let otherCert: TestCert;
const servers: TestServer[] = [];

beforeAll(async () => {
  await requireSecretService();
  cert = makeSelfSignedCert(fs.mkdtempSync(path.join(certDir, 'a-')));
  otherCert = makeSelfSignedCert(fs.mkdtempSync(path.join(certDir, 'b-')));
});

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

async function server(options: TestServerOptions): Promise<TestServer> {
  const started = await startTestServer({ users: { [USER]: PASSWORD }, ...options });
  servers.push(started);
  return started;
}

async function accountFor(port: number, overrides: Partial<AccountInputDraft>, password = PASSWORD) {
  const harness = accountsHarness({ connectionTestTimeouts: TIMEOUTS });
  const account = await harness.call(
    'accounts:create',
    accountDraft({ host: '127.0.0.1', port, ...overrides }),
  );
  await harness.call('accounts:setPassword', { id: account.id, secret: password });
  const test = () => harness.call('accounts:test', { id: account.id });
  return { ...harness, account, test };
}

/** An smtp-server configured beyond what the shared test server models. */
async function customServer(
  options: SMTPServerOptions,
): Promise<{ port: number; close: () => Promise<void> }> {
  const custom = new SMTPServer({ logger: false, ...options });
  custom.on('error', () => undefined);
  await new Promise<void>((resolve) => custom.listen(0, '127.0.0.1', resolve));
  const { port } = custom.server.address() as net.AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        custom.close(resolve);
      }),
  };
}

/** No TLS to be had on a STARTTLS account: the test stops there, before any password. */
const STOPPED_AT_STARTTLS = [
  'resolve:ok',
  'connect:ok',
  'ehlo:ok',
  'starttls:failed:starttls_unavailable',
  'tls:skipped',
  'auth:skipped',
];

function outcome(report: ConnectionReport): string[] {
  return report.steps.map((step) => `${step.step}:${step.status}${step.error ? `:${step.error.code}` : ''}`);
}

describe('connection test, each security mode', () => {
  test('implicit TLS: an unpinned self-signed certificate is refused and reported; once pinned it passes', async () => {
    const smtp = await server({ tls: { ...cert, mode: 'tls' }, size: 10_000_000 });
    const { test, call, account, service } = await accountFor(smtp.port, { security: 'tls' });

    const refused = await test();
    expect(outcome(refused)).toEqual([
      'resolve:ok',
      'connect:ok',
      'tls:failed:certificate_untrusted',
      'ehlo:skipped',
      'starttls:skipped',
      'auth:skipped',
    ]);
    expect(refused.certificate).toMatchObject({
      fingerprint256: cert.sha256,
      trusted: false,
      subject: 'CN=outbox-test',
    });
    expect(refused.steps[2]?.detail).toContain(cert.sha256);
    expect(refused.steps[2]?.hint).toMatch(/pin/i);
    expect(smtp.authAttempts).toEqual([]);

    const pinned = await call('accounts:pinCertificate', { id: account.id, fingerprint: cert.sha256 });
    expect(pinned.pinnedCertSha256).toBe(cert.sha256);
    const passed = await test();
    expect(outcome(passed)).toEqual([
      'resolve:ok',
      'connect:ok',
      'tls:ok',
      'ehlo:ok',
      'starttls:skipped',
      'auth:ok',
    ]);
    expect(passed.ok).toBe(true);
    expect(passed.capabilities).toMatchObject({
      size: 10_000_000,
      pipelining: true,
      smtputf8: true,
      auth: ['PLAIN', 'LOGIN'],
    });
    expect(passed.certificate?.trusted).toBe(true);
    expect(service.find(account.id)?.serverSizeLimit).toBe(10_000_000);
    expect(smtp.authAttempts).toEqual([{ user: USER, ok: true }]);
  });

  test('STARTTLS: upgrades, checks the pinned certificate, signs in over TLS', async () => {
    const smtp = await server({ tls: { ...cert, mode: 'starttls' } });
    const { test, call, account } = await accountFor(smtp.port, { security: 'starttls' });
    const refused = await test();
    expect(outcome(refused)).toEqual([
      'resolve:ok',
      'connect:ok',
      'ehlo:ok',
      'starttls:ok',
      'tls:failed:certificate_untrusted',
      'auth:skipped',
    ]);
    expect(smtp.authAttempts).toEqual([]);

    await call('accounts:pinCertificate', {
      id: account.id,
      fingerprint: refused.certificate?.fingerprint256 ?? '',
    });
    const passed = await test();
    expect(outcome(passed)).toEqual([
      'resolve:ok',
      'connect:ok',
      'ehlo:ok',
      'starttls:ok',
      'tls:ok',
      'ehlo:ok',
      'auth:ok',
    ]);
    expect(passed.capabilities?.starttls).toBe(false);
  });

  test('plain SMTP, confirmed for the account: no TLS steps, signs in; a passing test clears the attention flag', async () => {
    const smtp = await server({});
    const { test, service, account } = await accountFor(smtp.port, {
      security: 'none',
      allowPlaintext: true,
    });
    service.setAttention(account.id, { code: 'auth_failed', message: 'The server refused the password.' });
    const report = await test();
    expect(service.find(account.id)?.attention).toBeUndefined();
    expect(outcome(report)).toEqual([
      'resolve:ok',
      'connect:ok',
      'ehlo:ok',
      'starttls:skipped',
      'tls:skipped',
      'auth:ok',
    ]);
    expect(report.certificate).toBeUndefined();
  });

  test('a server that offers only CRAM-MD5: signs in with it, the password never on the wire', async () => {
    const smtp = await server({ authMethods: ['CRAM-MD5'] });
    const { test, call, account } = await accountFor(smtp.port, { security: 'none', allowPlaintext: true });
    const report = await test();
    expect(report.capabilities?.auth).toEqual(['CRAM-MD5']);
    expect(report.steps.find((step) => step.step === 'auth')).toMatchObject({
      status: 'ok',
      detail: `Signed in as ${USER} (CRAM-MD5).`,
    });
    expect(smtp.authAttempts).toEqual([{ user: USER, ok: true }]);

    await call('accounts:setPassword', { id: account.id, secret: 'wrong' });
    const refused = (await test()).steps.find((step) => step.step === 'auth');
    expect(refused).toMatchObject({ status: 'failed', error: { code: 'auth_failed' } });
    expect(smtp.authAttempts).toEqual([
      { user: USER, ok: true },
      { user: USER, ok: false },
    ]);
  });

  test('a pinned certificate that the server no longer shows is refused', async () => {
    const first = await server({ tls: { ...cert, mode: 'tls' } });
    const { test, call, account } = await accountFor(first.port, { security: 'tls' });
    await test();
    await call('accounts:pinCertificate', { id: account.id, fingerprint: cert.sha256 });
    const second = await server({ tls: { ...otherCert, mode: 'tls' } });
    await call('accounts:update', { id: account.id, patch: { port: second.port } });
    const report = await test();
    expect(outcome(report)).toContain('tls:failed:certificate_untrusted');
    expect(report.certificate?.fingerprint256).toBe(otherCert.sha256);
    expect(report.steps.find((step) => step.step === 'tls')?.detail).toMatch(/not the one pinned/);
    expect(second.authAttempts).toEqual([]);
  });
});

describe('connection test failures, each with its hint', () => {
  test('a wrong password: 535 and a hint about the credentials', async () => {
    const smtp = await server({ tls: { ...cert, mode: 'tls' } });
    const { test, call, account } = await accountFor(smtp.port, { security: 'tls' }, 'wrong');
    await test();
    await call('accounts:pinCertificate', { id: account.id, fingerprint: cert.sha256 });
    const report = await test();
    const auth = report.steps.find((step) => step.step === 'auth');
    expect(auth).toMatchObject({ status: 'failed', error: { code: 'auth_failed' } });
    expect(auth?.detail).toContain('535');
    expect(auth?.hint).toMatch(/user name and password/);
    expect(report.ok).toBe(false);
  });

  test.each([
    {
      reply: { code: 550, message: '5.7.30 Basic authentication is not supported for Client Submission.' },
      code: 'basic_auth_unsupported',
      message:
        /^Microsoft no longer accepts a password for this account: switch it to Sign in with Microsoft/,
      hint: /^Switch the account to Sign in with Microsoft \(OAuth2\): its queued mail is kept/,
    },
    {
      reply: {
        code: 535,
        message: '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.',
      },
      code: 'smtp_auth_disabled',
      message: /Manage email apps.*SmtpClientAuthenticationDisabled \$false/,
      hint: /^Ask the Microsoft 365 admin to enable Authenticated SMTP/,
    },
  ])('Microsoft answering AUTH with $reply.code: what it means, as delivery says it', async (refusal) => {
    const smtp = await server({ tls: { ...cert, mode: 'tls' }, authReply: refusal.reply });
    const { test, call, account } = await accountFor(smtp.port, { security: 'tls' });
    await test();
    await call('accounts:pinCertificate', { id: account.id, fingerprint: cert.sha256 });
    const auth = (await test()).steps.find((step) => step.step === 'auth');
    expect(auth).toMatchObject({ status: 'failed', error: { code: refusal.code } });
    expect(auth?.error?.message).toMatch(refusal.message);
    expect(auth?.hint).toMatch(refusal.hint);
  });

  test('STARTTLS required but not offered: refused before any password is sent', async () => {
    const smtp = await server({});
    const { test } = await accountFor(smtp.port, { security: 'starttls' });
    const report = await test();
    expect(outcome(report)).toEqual(STOPPED_AT_STARTTLS);
    expect(report.steps[3]?.hint).toMatch(/will not send your password/);
    expect(smtp.authAttempts).toEqual([]);
  });

  test('STARTTLS offered, then refused with 454: encryption not available, as delivery says it', async () => {
    const refusing = await startStarttlsRefusingServer('454 4.7.0 TLS not available due to temporary reason');
    try {
      const { test } = await accountFor(refusing.port, { security: 'starttls' });
      const report = await test();
      expect(outcome(report)).toEqual(STOPPED_AT_STARTTLS);
      expect(report.steps[3]?.error?.message).toMatch(/^Encryption was not available: .*454 4\.7\.0/);
      // Nothing in clear after the refusal but a goodbye.
      expect(refusing.commands.map((c) => c.split(' ')[0])).toEqual(['EHLO', 'STARTTLS', 'QUIT']);
    } finally {
      await refusing.close();
    }
  });

  test('plaintext after the 220 to STARTTLS: refused there, never taken for the answers over TLS', async () => {
    // A man in the middle appends a forged capability list after the real "220 go ahead".
    const forger = net.createServer((socket) => {
      socket.write('220 mx.example.test ESMTP\r\n');
      socket.on('data', (data) => {
        const line = data.toString();
        if (line.startsWith('EHLO')) socket.write('250-mx.example.test\r\n250 STARTTLS\r\n');
        else if (line.startsWith('STARTTLS')) socket.write('220 go ahead\r\n250-mx\r\n250 SIZE 1\r\n');
        else if (line.startsWith('QUIT')) socket.end('221 bye\r\n');
      });
    });
    await new Promise<void>((resolve) => forger.listen(0, '127.0.0.1', resolve));
    const { port } = forger.address() as net.AddressInfo;
    try {
      const { test } = await accountFor(port, { security: 'starttls' });
      const report = await test();
      expect(outcome(report)).toEqual([
        'resolve:ok',
        'connect:ok',
        'ehlo:ok',
        'starttls:failed:tls_failed',
        'tls:skipped',
        'auth:skipped',
      ]);
      expect(report.steps.find((step) => step.step === 'starttls')?.hint).toMatch(/tampering/);
      expect(report.capabilities?.size).not.toBe(1);
    } finally {
      await new Promise((resolve) => forger.close(resolve));
    }
  });

  test('STARTTLS against an implicit-TLS port: the wrong port/TLS combination', async () => {
    const smtp = await server({ tls: { ...cert, mode: 'tls' } });
    const { test } = await accountFor(smtp.port, { security: 'starttls' });
    const report = await test();
    expect(outcome(report)).toContain('ehlo:failed:wrong_tls_mode');
    expect(report.steps.find((step) => step.step === 'ehlo')?.hint).toMatch(/Choose TLS/);
  });

  test('TLS against a plain port: the wrong port/TLS combination', async () => {
    const smtp = await server({});
    const { test } = await accountFor(smtp.port, { security: 'tls' });
    const report = await test();
    expect(outcome(report)).toContain('tls:failed:wrong_tls_mode');
    expect(report.steps.find((step) => step.step === 'tls')?.hint).toMatch(/STARTTLS/);
  });

  test('a port nobody listens on: refused', async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const address = probe.address() as net.AddressInfo;
        probe.close(() => {
          resolve(address.port);
        });
      });
    });
    const { test } = await accountFor(port, { security: 'tls' });
    const report = await test();
    expect(outcome(report)).toEqual([
      'resolve:ok',
      'connect:failed:connection_refused',
      'tls:skipped',
      'ehlo:skipped',
      'starttls:skipped',
      'auth:skipped',
    ]);
    expect(report.steps[1]?.hint).toMatch(/465.*587/);
  });

  test('a host name that does not resolve: a DNS failure', async () => {
    const { test } = await accountFor(25, { host: 'smtp.outbox-test.invalid', security: 'tls' });
    const report = await test();
    expect(outcome(report)[0]).toBe('resolve:failed:dns_failed');
    expect(report.steps[0]?.hint).toMatch(/typos|network/);
  });

  test('530 at sign-in: a hint that the server wants something first', async () => {
    // A server that will not take AUTH yet (as some do before STARTTLS): not one the shared test server models.
    const { port, close } = await customServer({
      authMethods: ['PLAIN'],
      allowInsecureAuth: true,
      hideSTARTTLS: true,
      onAuth(_auth, _session, callback) {
        callback(
          Object.assign(new Error('5.7.0 Must issue a STARTTLS command first'), { responseCode: 530 }),
        );
      },
    });
    try {
      const { test } = await accountFor(port, { security: 'none', allowPlaintext: true });
      const report = await test();
      const auth = report.steps.find((step) => step.step === 'auth');
      expect(auth).toMatchObject({ status: 'failed', error: { code: 'auth_required' } });
      expect(auth?.detail).toContain('530');
      expect(auth?.hint).toMatch(/STARTTLS or TLS/);
    } finally {
      await close();
    }
  });

  test('a server that offers nothing newer than TLS 1.1 is refused: TLS 1.2 at least', async () => {
    const { port, close } = await customServer({
      secure: true,
      key: cert.key,
      cert: cert.cert,
      authOptional: true,
      // Let OpenSSL on the server side offer the old protocols at all.
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    });
    try {
      const { test } = await accountFor(port, { security: 'tls' });
      const report = await test();
      expect(outcome(report)).toContain('tls:failed:tls_failed');
      expect(report.steps.find((step) => step.step === 'tls')?.detail).toBe(
        'The server does not offer TLS 1.2 or newer.',
      );
    } finally {
      await close();
    }
  });

  test('no password saved: the sign-in step says so', async () => {
    const smtp = await server({});
    const harness = accountsHarness({ connectionTestTimeouts: TIMEOUTS });
    const { id } = await harness.call(
      'accounts:create',
      accountDraft({ host: '127.0.0.1', port: smtp.port, security: 'none', allowPlaintext: true }),
    );
    const report = await harness.call('accounts:test', { id });
    expect(outcome(report).at(-1)).toBe('auth:failed:auth_required');
  });
});
