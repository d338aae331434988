import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Discovery } from '../../../preload/contract/discovery.ts';
import type { DiscoveryTimeouts } from '../../../main/discovery/discover.ts';
import type { Route } from '../../../main/discovery/discovery-ports.ts';
import { osKeychain } from '../../../main/accounts/os-keychain.ts';
import { buildCore } from '../../../main/app/build-core.ts';
import { MAX_CLIENT_CONFIG_BYTES } from '../../../main/discovery/client-config.ts';
import { silentLogger } from '../../../main/errors/logger.ts';
import { accountsHarness, removeTempSettings } from '../../support/accounts-fixtures.ts';
import { startDnsTestServer, type DnsTestServer } from '../../support/dns-test-server.ts';
import {
  closedPort,
  redirectTo,
  startHttpTestServer,
  startHttpsTestServer,
  streamedBody,
  type WebTestServer,
} from '../../support/https-test-server.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { makeTestCa, type TestCa } from '../../support/test-ca.ts';

afterAll(removeTempSettings);

interface ConfigServer {
  readonly host: string;
  readonly port: number;
  readonly socketType: 'SSL' | 'STARTTLS' | 'plain';
}

/** A client configuration in Thunderbird's format (config-v1.1.xml). */
function clientConfig(domain: string, servers: readonly ConfigServer[]): string {
  const outgoing = servers.map(
    (server) => `
    <outgoingServer type="smtp">
      <hostname>${server.host}</hostname>
      <port>${server.port}</port>
      <socketType>${server.socketType}</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </outgoingServer>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${domain}">
    <domain>${domain}</domain>
    <displayName>${domain} mail</displayName>${outgoing.join('')}
  </emailProvider>
</clientConfig>`;
}

const AUTOCONFIG_PATH = '/mail/config-v1.1.xml';
const WELL_KNOWN_PATH = '/.well-known/autoconfig/mail/config-v1.1.xml';

const dir = fs.mkdtempSync(path.join(tmpdir(), 'outbox-discovery-net-'));
let ca: TestCa;
let dns: DnsTestServer;
let web: WebTestServer;
let plainWeb: WebTestServer;
let rogueWeb: WebTestServer;
let nowhere: number;
/** host → port on 127.0.0.1 for HTTPS (443); `host:port` → port for SMTP. */
const webHosts = new Map<string, () => number>();
const smtpPorts = new Map<string, number>();
const smtpServers: TestServer[] = [];

/** Names go to the test's servers on 127.0.0.1; anything else to a closed port, never the internet. */
const route: Route = (host, port) => {
  const to = port === 443 ? webHosts.get(host)?.() : smtpPorts.get(`${host}:${port}`);
  return { host: '127.0.0.1', port: to ?? nowhere };
};

const TIMEOUTS: DiscoveryTimeouts = { sourcesMs: 20_000, probeMs: 20_000 };

function lookup(address: string, options: { liveIspdb?: boolean; timeouts?: DiscoveryTimeouts } = {}) {
  const harness = accountsHarness({
    dnsServers: [dns.server],
    discoveryNetwork: { route, extraCa: [ca.ca] },
    discoveryTimeouts: options.timeouts ?? TIMEOUTS,
    liveIspdbLookup: () => options.liveIspdb ?? false,
  });
  return harness.call('accounts:discover', { address });
}

function attemptOf(found: Discovery, source: string) {
  return found.attempts.find((attempt) => attempt.source === source);
}

const TEST_HOSTS = [
  'autoconfig.ac.test',
  'wk.test',
  'autoconfig.off.test',
  'autoconfig.both.test',
  'autoconfig.hoster.test',
  'autoconfig.bad.test',
  'autoconfig.bomb.test',
  'autoconfig.root.test',
  'autoconfig.huge.test',
  'autoconfig.redir.test',
  'autoconfig.hop.test',
  'www.hop.test',
  'autoconfig.thunderbird.net',
  'smtp.probe.test',
  'smtp.starttls.test',
  'mail.nostarttls.test',
];

beforeAll(async () => {
  ca = makeTestCa(dir, TEST_HOSTS);
  const rogue = makeTestCa(fs.mkdtempSync(path.join(dir, 'rogue-')), ['autoconfig.rogue.test']);
  [dns, web, plainWeb, rogueWeb, nowhere] = await Promise.all([
    startDnsTestServer(),
    startHttpsTestServer(ca),
    startHttpTestServer(),
    startHttpsTestServer(rogue),
    closedPort(),
  ]);
  for (const host of TEST_HOSTS) webHosts.set(host, () => web.port);
  webHosts.set('autoconfig.plain.test', () => plainWeb.port);
  webHosts.set('autoconfig.rogue.test', () => rogueWeb.port);
});

afterAll(async () => {
  await Promise.all([dns.close(), web.close(), plainWeb.close(), rogueWeb.close()]);
  await Promise.all(smtpServers.map((server) => server.close()));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("the domain's own autoconfig file", () => {
  test('autoconfig.<domain> answers, asked with the address, and its own server needs no confirmation', async () => {
    web.files.set(
      `autoconfig.ac.test${AUTOCONFIG_PATH}`,
      clientConfig('ac.test', [{ host: 'smtp.ac.test', port: 465, socketType: 'SSL' }]),
    );
    const found = await lookup('ada@ac.test');
    expect(found).toMatchObject({
      status: 'found',
      source: 'autoconfig',
      via: 'the autoconfig file of ac.test',
      providerName: 'ac.test mail',
      confirm: false,
      servers: [
        { host: 'smtp.ac.test', port: 465, security: 'tls', username: 'ada@ac.test', signIn: ['password'] },
      ],
    });
    expect(web.requestsFor('autoconfig.ac.test')).toEqual([
      `autoconfig.ac.test${AUTOCONFIG_PATH}?emailaddress=ada%40ac.test`,
    ]);
  });

  test('the .well-known file on the domain itself is asked next', async () => {
    web.files.set(
      `wk.test${WELL_KNOWN_PATH}`,
      clientConfig('wk.test', [{ host: 'mail.wk.test', port: 587, socketType: 'STARTTLS' }]),
    );
    const found = await lookup('ada@wk.test');
    expect(found).toMatchObject({
      status: 'found',
      source: 'autoconfig',
      confirm: false,
      servers: [{ host: 'mail.wk.test', port: 587, security: 'starttls' }],
    });
  });

  test('a server outside the domain must be confirmed', async () => {
    web.files.set(
      `autoconfig.off.test${AUTOCONFIG_PATH}`,
      clientConfig('off.test', [{ host: 'smtp.elsewhere.test', port: 465, socketType: 'SSL' }]),
    );
    const found = await lookup('ada@off.test');
    expect(found).toMatchObject({ status: 'found', source: 'autoconfig', confirm: true });
  });

  test('an https redirect is followed, and the file it leads to is read', async () => {
    web.files.set(`autoconfig.hop.test${AUTOCONFIG_PATH}`, redirectTo(`https://www.hop.test/config.xml`));
    web.files.set(
      'www.hop.test/config.xml',
      clientConfig('hop.test', [{ host: 'smtp.hop.test', port: 465, socketType: 'SSL' }]),
    );
    const found = await lookup('ada@hop.test');
    expect(found).toMatchObject({
      status: 'found',
      source: 'autoconfig',
      servers: [{ host: 'smtp.hop.test' }],
    });
  });
});

describe('what is refused', () => {
  test('a configuration over plain HTTP is never read', async () => {
    plainWeb.files.set(
      `autoconfig.plain.test${AUTOCONFIG_PATH}`,
      clientConfig('plain.test', [{ host: 'smtp.plain.test', port: 465, socketType: 'SSL' }]),
    );
    const found = await lookup('ada@plain.test');
    expect(found.status).toBe('not_found');
    expect(attemptOf(found, 'autoconfig')).toMatchObject({ outcome: 'failed' });
    // The TLS handshake failed before any request was made.
    expect(plainWeb.requests).toEqual([]);
  });

  test('a redirect to plain HTTP is not followed', async () => {
    plainWeb.files.set(
      `autoconfig.redir.test${AUTOCONFIG_PATH}`,
      clientConfig('redir.test', [{ host: 'smtp.redir.test', port: 465, socketType: 'SSL' }]),
    );
    web.files.set(
      `autoconfig.redir.test${AUTOCONFIG_PATH}`,
      redirectTo(`http://autoconfig.redir.test:${plainWeb.port}${AUTOCONFIG_PATH}`),
    );
    const found = await lookup('ada@redir.test');
    expect(found.status).toBe('not_found');
    expect(attemptOf(found, 'autoconfig')).toMatchObject({ outcome: 'failed' });
    expect(attemptOf(found, 'autoconfig')?.detail).toContain('redirects to http, not HTTPS; ignored.');
    expect(plainWeb.requestsFor('autoconfig.redir.test')).toEqual([]);
  });

  test('a certificate from a CA nobody trusts is refused before anything is read', async () => {
    rogueWeb.files.set(
      `autoconfig.rogue.test${AUTOCONFIG_PATH}`,
      clientConfig('rogue.test', [{ host: 'smtp.attacker.test', port: 465, socketType: 'SSL' }]),
    );
    const found = await lookup('ada@rogue.test');
    expect(found.status).toBe('not_found');
    expect(attemptOf(found, 'autoconfig')).toMatchObject({ outcome: 'failed' });
    expect(attemptOf(found, 'autoconfig')?.detail).toContain(
      'The certificate of autoconfig.rogue.test is not trusted',
    );
    expect(rogueWeb.requests).toEqual([]);
  });

  test.each([
    ['malformed', 'bad.test', '<clientConfig><emailProvider id="bad.test">', 'is not well-formed XML'],
    [
      'hostile (entity expansion)',
      'bomb.test',
      '<?xml version="1.0"?><!DOCTYPE clientConfig [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]><clientConfig>&b;</clientConfig>',
      'declares a DOCTYPE',
    ],
    [
      'wrong-root',
      'root.test',
      '<html><body>Welcome</body></html>',
      'is not a client configuration: its root element is <html>',
    ],
  ])('a %s file is refused with the reason, and the lookup goes on', async (_kind, domain, body, reason) => {
    web.files.set(`autoconfig.${domain}${AUTOCONFIG_PATH}`, body);
    const found = await lookup(`ada@${domain}`);
    expect(found.status).toBe('not_found');
    const attempt = attemptOf(found, 'autoconfig');
    expect(attempt).toMatchObject({ outcome: 'failed' });
    expect(attempt?.detail).toContain(`autoconfig.${domain}: The mail server settings file ${reason}`);
    expect(attemptOf(found, 'srv')).toMatchObject({ outcome: 'nothing' });
  });

  test('a file larger than the cap is cut off while it streams in', async () => {
    const total = 64 * MAX_CLIENT_CONFIG_BYTES;
    const huge = streamedBody('<?xml version="1.0"?><clientConfig><emailProvider id="huge.test">', total);
    web.files.set(`autoconfig.huge.test${AUTOCONFIG_PATH}`, huge.reply);
    const found = await lookup('ada@huge.test');
    expect(found.status).toBe('not_found');
    expect(attemptOf(found, 'autoconfig')).toMatchObject({ outcome: 'failed' });
    expect(attemptOf(found, 'autoconfig')?.detail).toContain(
      `The file at autoconfig.huge.test is larger than ${MAX_CLIENT_CONFIG_BYTES / 1024} KB; it was not read.`,
    );
    await huge.done;
    expect(huge.sent()).toBeLessThan(total);
  });
});

describe('SRV records (RFC 6186, RFC 8314)', () => {
  test('implicit TLS before STARTTLS, then priority, then the heavier weight; port 25 and "." left out', async () => {
    dns.srv.set('_submissions._tcp.srv.test', [
      { priority: 20, weight: 0, port: 465, target: 'backup.srv.test' },
      { priority: 10, weight: 1, port: 465, target: 'light.srv.test' },
      { priority: 10, weight: 9, port: 465, target: 'heavy.srv.test' },
      { priority: 0, weight: 0, port: 25, target: 'relay.srv.test' },
    ]);
    dns.srv.set('_submission._tcp.srv.test', [
      { priority: 0, weight: 0, port: 587, target: 'smtp.srv.test' },
    ]);
    const found = await lookup('ada@srv.test');
    expect(found).toMatchObject({
      status: 'found',
      source: 'srv',
      via: 'the SRV records of srv.test',
      confirm: false,
    });
    if (found.status !== 'found') return;
    expect(found.servers.map((server) => `${server.host}:${server.port} ${server.security}`)).toEqual([
      'heavy.srv.test:465 tls',
      'light.srv.test:465 tls',
      'backup.srv.test:465 tls',
      'smtp.srv.test:587 starttls',
    ]);
    expect(found.servers[0]).toMatchObject({ username: 'ada@srv.test', signIn: ['password'] });
  });

  test('a target of "." says implicit TLS is not offered; STARTTLS elsewhere must be confirmed', async () => {
    dns.srv.set('_submissions._tcp.dot.test', [{ priority: 0, weight: 0, port: 0, target: '.' }]);
    dns.srv.set('_submission._tcp.dot.test', [
      { priority: 0, weight: 0, port: 587, target: 'submission.hoster.test' },
    ]);
    const found = await lookup('ada@dot.test');
    expect(found).toMatchObject({
      status: 'found',
      source: 'srv',
      confirm: true,
      servers: [{ host: 'submission.hoster.test', port: 587, security: 'starttls' }],
    });
  });
});

describe('the order when several sources answer', () => {
  test('autoconfig wins over SRV even when SRV answers first', async () => {
    dns.srv.set('_submissions._tcp.both.test', [
      { priority: 0, weight: 0, port: 465, target: 'srv.both.test' },
    ]);
    // The file is sent only once the SRV question has been answered: SRV is surely faster.
    web.files.set(`autoconfig.both.test${AUTOCONFIG_PATH}`, (_request, response) => {
      const send = () => {
        if (response.destroyed) return;
        if (!dns.questions.includes('SRV _submissions._tcp.both.test')) {
          setImmediate(send);
          return;
        }
        response
          .writeHead(200)
          .end(clientConfig('both.test', [{ host: 'smtp.both.test', port: 465, socketType: 'SSL' }]));
      };
      send();
    });
    const found = await lookup('ada@both.test');
    expect(found).toMatchObject({
      status: 'found',
      source: 'autoconfig',
      servers: [{ host: 'smtp.both.test' }],
    });
    expect(attemptOf(found, 'srv')).toMatchObject({ outcome: 'skipped' });
  });
});

describe("Thunderbird's ISP database, bundled", () => {
  test('a domain it lists answers without the network, and needs no confirmation', async () => {
    const found = await lookup('ada@web.de');
    expect(found).toMatchObject({
      status: 'found',
      source: 'ispdb',
      via: "Thunderbird's ISP database (bundled)",
      confirm: false,
    });
    expect(found.status === 'found' && found.servers[0]).toEqual({
      host: 'smtp.web.de',
      port: 465,
      security: 'tls',
      username: 'ada',
      signIn: ['password'],
    });
    expect(found.attempts.map((attempt) => attempt.source)).toEqual(['provider', 'ispdb']);
    expect(dns.questions.filter((question) => question.endsWith('web.de'))).toEqual([]);
  });

  test("a custom domain whose MX is a provider it lists is found through the exchanger's domain", async () => {
    dns.mx.set('ru-custom.test', ['emx.mail.ru']);
    const found = await lookup('ada@ru-custom.test');
    expect(found).toMatchObject({
      status: 'found',
      source: 'mx',
      via: 'the MX record of ru-custom.test (emx.mail.ru)',
      confirm: true,
    });
    expect(found.status === 'found' && found.servers[0]).toMatchObject({
      host: 'smtp.mail.ru',
      port: 465,
      username: 'ada@ru-custom.test',
    });
  });
});

describe('a custom domain found through its MX', () => {
  test("the exchanger's domain's autoconfig names the provider, without the address, and it is confirmed", async () => {
    dns.mx.set('custom.test', ['mx1.hoster.test']);
    web.files.set(
      `autoconfig.hoster.test${AUTOCONFIG_PATH}`,
      clientConfig('hoster.test', [{ host: 'smtp.hoster.test', port: 465, socketType: 'SSL' }]),
    );
    const found = await lookup('grace@custom.test');
    expect(found).toMatchObject({
      status: 'found',
      source: 'mx',
      via: 'the MX record of custom.test (mx1.hoster.test)',
      confirm: true,
      servers: [{ host: 'smtp.hoster.test', port: 465, username: 'grace@custom.test' }],
    });
    expect(web.requestsFor('autoconfig.hoster.test')).toEqual([`autoconfig.hoster.test${AUTOCONFIG_PATH}`]);
  });
});

describe("Thunderbird's live ISPDB", () => {
  const ISPDB = 'autoconfig.thunderbird.net';

  test('is not asked while the setting is off, and is when it is on', async () => {
    web.files.set(
      `${ISPDB}/v1.1/live.test`,
      clientConfig('live.test', [{ host: 'smtp.live-provider.test', port: 465, socketType: 'SSL' }]),
    );
    const off = await lookup('ada@live.test');
    expect(off.status).toBe('not_found');
    expect(attemptOf(off, 'live-ispdb')).toEqual({
      source: 'live-ispdb',
      outcome: 'skipped',
      detail: "Thunderbird's online ISP database is turned off in Settings.",
    });
    expect(web.requestsFor(ISPDB)).toEqual([]);

    const on = await lookup('ada@live.test', { liveIspdb: true });
    expect(on).toMatchObject({
      status: 'found',
      source: 'live-ispdb',
      via: "Thunderbird's ISP database (online)",
      // Curated data: a provider's server is outside the address's domain by nature.
      confirm: false,
      servers: [{ host: 'smtp.live-provider.test', port: 465, security: 'tls' }],
    });
    expect(web.requestsFor(ISPDB)).toEqual([`${ISPDB}/v1.1/live.test`]);
  });

  test("the app's setting decides, read again at each lookup", async () => {
    web.files.set(
      `${ISPDB}/v1.1/setting.test`,
      clientConfig('setting.test', [{ host: 'smtp.setting-provider.test', port: 465, socketType: 'SSL' }]),
    );
    const dataDir = fs.mkdtempSync(path.join(dir, 'core-'));
    // The app's and the CLI's wiring, on a settings file as electron-store keeps it.
    const core = buildCore({
      dataDir,
      store: new Conf({ cwd: dataDir, projectName: 'outbox-test', configName: 'config' }),
      keychain: osKeychain,
      platform: { isOnline: () => true, notify: () => undefined },
      emit: () => undefined,
      log: silentLogger,
      dnsServers: [dns.server],
      discoveryNetwork: { route, extraCa: [ca.ca] },
      discoveryTimeouts: TIMEOUTS,
    });
    const before = await core.accounts.service.discover('ada@setting.test');
    expect(attemptOf(before, 'live-ispdb')).toMatchObject({ outcome: 'skipped' });
    core.settings.update({ liveIspdbLookup: true });
    const after = await core.accounts.service.discover('ada@setting.test');
    expect(after).toMatchObject({ status: 'found', source: 'live-ispdb' });
    expect(web.requestsFor(ISPDB)).toContain(`${ISPDB}/v1.1/setting.test`);
  });
});

describe('probing smtp.<domain> and mail.<domain>', () => {
  async function smtpAt(host: string, port: number, options: Parameters<typeof startTestServer>[0]) {
    const server = await startTestServer(options);
    smtpServers.push(server);
    smtpPorts.set(`${host}:${port}`, server.port);
    return server;
  }

  test('finds an implicit-TLS server on 465, saying its certificate is not trusted', async () => {
    const server = await smtpAt('smtp.probe.test', 465, { tls: { key: ca.key, cert: ca.cert, mode: 'tls' } });
    const found = await lookup('ada@probe.test');
    expect(found).toMatchObject({
      status: 'found',
      source: 'probe',
      via: 'a test connection to smtp.probe.test:465',
      confirm: false,
      servers: [
        {
          host: 'smtp.probe.test',
          port: 465,
          security: 'tls',
          username: 'ada@probe.test',
          signIn: ['password'],
        },
      ],
    });
    const detail = found.attempts.find((attempt) => attempt.outcome === 'found')?.detail ?? '';
    expect(detail).toContain(
      "smtp.probe.test:465: TLS on port 465 answers, but the server's certificate is not trusted",
    );
    expect(server.authAttempts).toEqual([]);
    expect(server.messages).toEqual([]);
  });

  test('finds a server on 587 whose STARTTLS works', async () => {
    const server = await smtpAt('smtp.starttls.test', 587, {
      tls: { key: ca.key, cert: ca.cert, mode: 'starttls' },
    });
    const found = await lookup('ada@starttls.test');
    expect(found).toMatchObject({
      status: 'found',
      source: 'probe',
      servers: [{ host: 'smtp.starttls.test', port: 587, security: 'starttls' }],
    });
    const refused465 = found.attempts.find((attempt) => attempt.detail.startsWith('smtp.starttls.test:465:'));
    expect(refused465).toMatchObject({ source: 'probe', outcome: 'nothing' });
    expect(server.authAttempts).toEqual([]);
    expect(server.messages).toEqual([]);
  });

  test('a server on 587 without STARTTLS is not offered', async () => {
    await smtpAt('mail.nostarttls.test', 587, {});
    const found = await lookup('ada@nostarttls.test');
    expect(found.status).toBe('not_found');
    expect(found.attempts).toContainEqual({
      source: 'probe',
      outcome: 'nothing',
      detail: 'mail.nostarttls.test:587: it does not offer STARTTLS.',
    });
  });
});
