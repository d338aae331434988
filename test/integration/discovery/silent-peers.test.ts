import fs from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Route } from '../../../main/discovery/discovery-ports.ts';
import { accountsHarness, removeTempSettings } from '../../support/accounts-fixtures.ts';
import { startDnsTestServer, type DnsTestServer } from '../../support/dns-test-server.ts';
import { neverAnswers, startHttpsTestServer, type WebTestServer } from '../../support/https-test-server.ts';
import { makeTestCa, type TestCa } from '../../support/test-ca.ts';

afterAll(removeTempSettings);

/** A TCP server that accepts every connection and never says a word (an SMTP port gone quiet). */
async function startMuteServer() {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    // Reads (and ignores) what comes, so that it sees the client hang up.
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => {
          resolve();
        });
      }),
  };
}

const dir = fs.mkdtempSync(path.join(tmpdir(), 'outbox-discovery-silent-'));
let ca: TestCa;
let dns: DnsTestServer;
let web: WebTestServer;
let mute: Awaited<ReturnType<typeof startMuteServer>>;

beforeAll(async () => {
  ca = makeTestCa(dir, ['autoconfig.quiet.test', 'quiet.test', 'autoconfig.thunderbird.net']);
  [dns, web, mute] = await Promise.all([startDnsTestServer(), startHttpsTestServer(ca), startMuteServer()]);
  dns.silent = true;
  web.files.set('autoconfig.quiet.test/mail/config-v1.1.xml', neverAnswers);
  web.files.set('quiet.test/.well-known/autoconfig/mail/config-v1.1.xml', neverAnswers);
  web.files.set('autoconfig.thunderbird.net/v1.1/quiet.test', neverAnswers);
});

afterAll(async () => {
  await Promise.all([dns.close(), web.close(), mute.close()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

// Every HTTPS name goes to the server that never answers, every SMTP port to the one that never greets.
const route: Route = (_host, port) => ({ host: '127.0.0.1', port: port === 443 ? web.port : mute.port });

test('when every peer is silent the lookup still answers "enter them by hand" within its time-outs', async () => {
  const harness = accountsHarness({
    dnsServers: [dns.server],
    discoveryNetwork: { route, extraCa: [ca.ca] },
    discoveryTimeouts: { sourcesMs: 500, probeMs: 500 },
    liveIspdbLookup: () => true,
  });
  const started = performance.now();
  const found = await harness.call('accounts:discover', { address: 'ada@quiet.test' });
  const elapsed = performance.now() - started;
  expect(found).toMatchObject({
    status: 'not_found',
    message: 'Could not find the settings for quiet.test; enter them by hand.',
  });
  expect(found.attempts.map((attempt) => `${attempt.source} ${attempt.outcome}`)).toEqual([
    'provider nothing',
    'ispdb nothing',
    'live-ispdb timeout',
    'autoconfig timeout',
    'mx timeout',
    'srv timeout',
    'probe timeout',
    'probe timeout',
    'probe timeout',
    'probe timeout',
  ]);
  // A correctness bound with a wide margin over 500 + 500 ms, not a speed benchmark.
  expect(elapsed).toBeLessThan(3_000);
  // Every peer was reached, and nothing the lookup opened is left open once it has answered.
  expect(dns.questions).toContain('MX quiet.test');
  expect(web.requestsFor('autoconfig.quiet.test').length).toBe(1);
  await expect.poll(() => mute.open(), { timeout: 10_000 }).toBe(0);
  await expect.poll(() => web.openConnections(), { timeout: 10_000 }).toBe(0);
});
