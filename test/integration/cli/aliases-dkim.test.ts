import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dkimVerify } from 'mailauth';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountsListJson } from '../../../main/cli/json-output.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { localAccountArgs, makeHome, runCli } from './run-cli.ts';

let server: TestServer;
let home: string;
/** A file that exists but holds no key. */
const junkKey = path.join(tmpdir(), `outbox-junk-key-${process.pid}.pem`);

beforeAll(async () => {
  server = await startTestServer();
  home = await makeHome();
  await fsp.writeFile(junkKey, 'hello\n');
});
afterAll(async () => {
  await server.close();
  await fsp.rm(home, { recursive: true, force: true });
  await fsp.rm(junkKey, { force: true });
});

const plainArgs = (label: string, rest: readonly string[]) =>
  localAccountArgs(label, 'me@example.org', server.port, [
    '--security',
    'none',
    '--allow-plaintext',
    '--no-password',
    ...rest,
  ]);
const listed = async () =>
  accountsListJson.parse(JSON.parse((await runCli(home, ['accounts', 'list', '--json'])).stdout)).accounts;

describe('accounts add: aliases and DKIM', () => {
  it('keeps the DKIM key in the keychain only, and signs mail sent as an alias verifiably', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const keyFile = path.join(home, 'dkim.pem');
    await fsp.writeFile(keyFile, pem, { mode: 0o600 });
    const added = await runCli(
      home,
      plainArgs('Shop', [
        ...['--alias', 'Sales Team <sales@example.org>', '--alias', 'help@example.org'],
        ...['--dkim-selector', 'mail2026', '--dkim-key-file', keyFile],
      ]),
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const id = added.stdout.trim();

    expect(await listed()).toEqual([
      expect.objectContaining({
        id,
        aliases: ['Sales Team <sales@example.org>', 'help@example.org'],
        dkim: { domain: 'example.org', selector: 'mail2026', hasKey: true },
      }),
    ]);
    const stored = spawnSync('secret-tool', ['lookup', 'service', 'Outbox', 'username', `${id}:dkim`], {
      encoding: 'utf8',
    });
    expect(stored.stdout).toBe(pem);
    const keyBody = pem.split('\n')[1] ?? '';
    expect(keyBody.length).toBeGreaterThan(40);
    expect(await fsp.readFile(path.join(home, 'config.json'), 'utf8')).not.toContain(keyBody);

    const message = [
      'From: Sales Team <sales@example.org>',
      'To: ann@example.net',
      'Subject: Offer',
      '',
      'Hi',
      '',
    ];
    const queued = await runCli(home, ['sendmail', '-t'], message.join('\n'));
    expect(queued.stderr).toBe('');
    expect(queued.code).toBe(0);
    expect((await runCli(home, ['queue', 'flush', '--wait'])).code).toBe(0);

    const raw = server.messages[0]?.raw ?? Buffer.alloc(0);
    expect((await simpleParser(raw)).from?.value).toEqual([
      { name: 'Sales Team', address: 'sales@example.org' },
    ]);
    const record = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
    const resolver = (name: string, type: string) =>
      name === 'mail2026._domainkey.example.org' && type === 'TXT'
        ? Promise.resolve([[record]])
        : Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
    const verified = await dkimVerify(raw, { resolver });
    expect(verified.results.map((r) => [r.signingDomain, r.status.result])).toEqual([
      ['example.org', 'pass'],
    ]);

    expect((await runCli(home, ['accounts', 'remove', 'Shop'])).code).toBe(0);
    expect(
      spawnSync('secret-tool', ['lookup', 'service', 'Outbox', 'username', `${id}:dkim`]).status,
    ).not.toBe(0);
  });

  it.each([
    ['an alias that is no address', ['--alias', 'Sales <sales@>'], 65, '--alias: "Sales <sales@>"'],
    [
      'a selector without a key',
      ['--dkim-selector', 's1'],
      64,
      'needs both --dkim-selector and --dkim-key-file',
    ],
    [
      'a key file that is not there',
      ['--dkim-selector', 's1', '--dkim-key-file', '/nonexistent/k.pem'],
      66,
      'cannot read /nonexistent/k.pem',
    ],
    [
      'a key file that holds no key',
      ['--dkim-selector', 's1', '--dkim-key-file', junkKey],
      65,
      'not a readable private key',
    ],
  ])('refuses %s and saves nothing', async (_, rest, code, message) => {
    const config = path.join(home, 'config.json');
    const before = await fsp.readFile(config, 'utf8');
    const added = await runCli(home, plainArgs('Refused', rest));
    expect(added.code).toBe(code);
    expect(added.stderr).toContain(message);
    expect(added.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(await fsp.readFile(config, 'utf8')).toBe(before);
  });
});
