import fsp from 'node:fs/promises';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsListJson } from '../../../main/cli/json-output.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { makeSelfSignedCert, type TestCert } from '../../support/tls-cert.ts';
import { localAccountArgs, makeHome, runCli } from './run-cli.ts';

let server: TestServer;
let cert: TestCert;
let home: string;

beforeAll(async () => {
  home = await makeHome();
  cert = makeSelfSignedCert(home);
  server = await startTestServer({ tls: { key: cert.key, cert: cert.cert, mode: 'tls' } });
});
afterAll(async () => {
  await server.close();
  await fsp.rm(home, { recursive: true, force: true });
});

const add = (label: string, fingerprint: string, port = server.port, env: NodeJS.ProcessEnv = {}) =>
  runCli(
    home,
    localAccountArgs(label, 'me@example.org', port, [
      '--security',
      'tls',
      '--no-password',
      '--pin-cert',
      fingerprint,
    ]),
    '',
    env,
  );

/** A port on 127.0.0.1 that nothing listens on: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

async function labels(): Promise<string[]> {
  const listed = accountsListJson.parse(
    JSON.parse((await runCli(home, ['accounts', 'list', '--json'])).stdout),
  );
  return listed.accounts.map((a) => a.label);
}

describe('accounts add --pin-cert', () => {
  it('refuses a fingerprint the server does not show, and leaves no account behind', async () => {
    const wrong = cert.sha256.replace(/^../, cert.sha256.startsWith('00') ? '11' : '00');
    const result = await add('Wrong', wrong);
    expect(result.code).toBe(64);
    expect(result.stderr).toMatch(
      /^outbox: Only the certificate shown by the last connection test can be pinned/,
    );
    expect(await labels()).toEqual([]);
  });

  it('reports an unreachable server as such (69), not as a fingerprint mismatch, and leaves no account', async () => {
    // No keychain either: nothing was written to it, so the rollback has nothing to warn about.
    const result = await add('Unreachable', cert.sha256, await closedPort(), {
      DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent',
    });
    expect(result.stderr).toMatch(/^outbox: --pin-cert: .*refused the connection.*\n$/);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.code).toBe(69);
    expect(await labels()).toEqual([]);
  });

  it.each(['AB:CD', 'sha256:nonsense', `${'AB:'.repeat(32)}AB`])(
    'refuses the malformed fingerprint %j with 64 before connecting',
    async (fingerprint) => {
      // A refused port: had it connected, the failure would be 69.
      const result = await add('Malformed', fingerprint, await closedPort());
      expect(result.stderr).toMatch(/^outbox: --pin-cert: .*SHA-256 fingerprint like .*\n$/);
      expect(result.code).toBe(64);
      expect(await labels()).toEqual([]);
    },
  );

  it('pins the self-signed certificate the server shows, so the connection test trusts it', async () => {
    const result = await add('Pinned', cert.sha256);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const test = await runCli(home, ['accounts', 'test', 'Pinned']);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/^ok\s+tls/m);
  });

  it('takes the fingerprint in lower case or without colons too, as openssl and others print it', async () => {
    const result = await add('Lower', cert.sha256.toLowerCase().replaceAll(':', ''));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  });
});
