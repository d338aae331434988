import fsp from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueListJson } from '../../../main/cli/json-output.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { localAccountArgs, makeHome, runCli, tempHomes } from './run-cli.ts';

let server: TestServer;
let home: string;

beforeAll(async () => {
  server = await startTestServer();
  home = await makeHome();
  const added = await runCli(
    home,
    localAccountArgs('Shop', 'me@example.org', server.port, [
      ...['--security', 'none', '--allow-plaintext', '--no-password'],
      ...['--alias', 'Sales Team <sales@example.org>'],
    ]),
  );
  if (added.code !== 0) throw new Error(`accounts add failed: ${added.stderr}`);
});
afterAll(async () => {
  await server.close();
  await fsp.rm(home, { recursive: true, force: true });
});

const send = (from: string, subject: string) =>
  runCli(home, ['send', '--from', from, '--to', 'ann@example.net', '--subject', subject, '--text', 'Hi']);

describe('send --from', () => {
  it("sends as the account's alias, with the alias's display name unless another is given", async () => {
    expect((await send('sales@example.org', 'As alias')).code).toBe(0);
    expect((await send('Sales Desk <SALES@example.org>', 'Named')).code).toBe(0);
    expect((await runCli(home, ['queue', 'flush', '--wait'])).code).toBe(0);

    const received = await Promise.all(
      server.messages.map(async (m) => ({ envelope: m.from, mail: await simpleParser(m.raw) })),
    );
    const asAlias = received.find((r) => r.mail.subject === 'As alias');
    expect(asAlias?.mail.from?.value).toEqual([{ name: 'Sales Team', address: 'sales@example.org' }]);
    expect(asAlias?.envelope).toBe('sales@example.org');
    const named = received.find((r) => r.mail.subject === 'Named');
    expect(named?.mail.from?.value).toEqual([{ name: 'Sales Desk', address: 'SALES@example.org' }]);
  });

  it("refuses an address that is not the account's (65), on one line, queueing nothing", async () => {
    const result = await send('ceo@example.org', 'Spoofed');
    expect(result.code).toBe(65);
    expect(result.stderr).toBe('outbox: from: ceo@example.org is not an address of this account.\n');
    expect(result.stdout).toBe('');
    expect((await runCli(home, ['queue', 'list', '--json'])).stdout).not.toContain('Spoofed');
  });
});

const newHome = tempHomes();

/** Two accounts, the first the default; the second sends as an alias too. Nothing is delivered (port 9). */
async function twoAccounts(): Promise<string> {
  const home = await newHome();
  const plain = ['--security', 'none', '--allow-plaintext', '--no-password'];
  for (const args of [
    localAccountArgs('Work', 'me@example.org', 9, plain),
    localAccountArgs('Shop', 'shop@example.com', 9, [...plain, '--alias', 'Sales <sales@example.com>']),
  ]) {
    const added = await runCli(home, args);
    expect(added.stderr).toBe('');
  }
  return home;
}

const sendFrom = (home: string, from: string) =>
  runCli(home, ['send', '--from', from, '--to', 'ann@example.net', '--subject', 'Offer', '--text', 'Hi']);

async function queued(home: string) {
  const listed = await runCli(home, ['queue', 'list', '--json']);
  return queueListJson.parse(JSON.parse(listed.stdout)).messages.map((m) => [m.account.label, m.from]);
}

describe('outbox send --from without --account', () => {
  it('queues through the account that sends as that address, an alias included, as sendmail does', async () => {
    const home = await twoAccounts();
    for (const from of ['Sales <sales@example.com>', 'SHOP@example.com']) {
      const result = await sendFrom(home, from);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    expect(await queued(home)).toEqual([
      ['Shop', 'Sales <sales@example.com>'],
      ['Shop', 'SHOP@example.com'],
    ]);
  });

  it('refuses an address no account sends as, and one that is no address, queueing nothing', async () => {
    const home = await twoAccounts();
    const stranger = await sendFrom(home, 'someone@else.example');
    expect(stranger.code).toBe(65);
    expect(stranger.stderr).toContain('someone@else.example is not an address of this account');
    const broken = await sendFrom(home, 'me@example.org\r\nBcc: spy@example.net');
    expect(broken.code).toBe(65);
    expect(await queued(home)).toEqual([]);
  });

  it('prefers the default account when it sends as that address too', async () => {
    const home = await newHome();
    const plain = ['--security', 'none', '--allow-plaintext', '--no-password'];
    for (const args of [
      localAccountArgs('Shop', 'shop@example.com', 9, [...plain, '--alias', 'team@example.com']),
      localAccountArgs('Work', 'me@example.org', 9, [...plain, '--alias', 'team@example.com', '--default']),
    ]) {
      expect((await runCli(home, args)).stderr).toBe('');
    }
    expect((await sendFrom(home, 'team@example.com')).code).toBe(0);
    expect(await queued(home)).toEqual([['Work', 'team@example.com']]);
  });
});
