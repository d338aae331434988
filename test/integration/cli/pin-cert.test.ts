import fsp from 'node:fs/promises';
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

const add = (label: string, fingerprint: string) =>
  runCli(
    home,
    localAccountArgs(label, 'me@example.org', server.port, [
      '--security',
      'tls',
      '--no-password',
      '--pin-cert',
      fingerprint,
    ]),
  );

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

  it('pins the self-signed certificate the server shows, so the connection test trusts it', async () => {
    const result = await add('Pinned', cert.sha256);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const test = await runCli(home, ['accounts', 'test', 'Pinned']);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/^ok\s+tls/m);
  });
});
