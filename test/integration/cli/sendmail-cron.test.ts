import fsp from 'node:fs/promises';
import path from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { addLocalAccount, makeHome, runCli } from './run-cli.ts';

let server: TestServer;
let home: string;

beforeAll(async () => {
  server = await startTestServer();
  home = await makeHome();
  // The default account is the first one added; the second proves the default is what is chosen.
  await addLocalAccount(home, 'Personal', 'me@example.org', server.port);
  await addLocalAccount(home, 'Alerts', 'alerts@example.org', server.port);
});
afterAll(async () => {
  await server.close();
  await fsp.rm(home, { recursive: true, force: true });
});

/** What Debian's cron writes to sendmail for a job's output when MAILTO is not set. */
const CRON_MAIL = [
  'From: root (Cron Daemon)',
  'To: root',
  'Subject: Cron <root@backup-host> /usr/local/bin/nightly-backup',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=UTF-8',
  'Content-Transfer-Encoding: 8bit',
  'X-Cron-Env: <SHELL=/bin/sh>',
  'X-Cron-Env: <HOME=/root>',
  '',
  'backup: 3 volumes copied',
  '',
].join('\n');

/** Sets the "address for local mail" setting in the data folder's settings file, as the app saves it. */
async function setLocalMailAddress(address: string): Promise<void> {
  const file = path.join(home, 'config.json');
  const settings = JSON.parse(await fsp.readFile(file, 'utf8')) as Record<string, Record<string, unknown>>;
  settings.app = { ...settings.app, localMailAddress: address };
  await fsp.writeFile(file, JSON.stringify(settings, null, 2));
}

/** Runs `outbox sendmail args` with `input`, delivers the queue and returns what the server received. */
async function sendmailAndDeliver(args: readonly string[], input: string) {
  const before = server.messages.length;
  const queued = await runCli(home, ['sendmail', ...args], input);
  expect(queued.stderr).toBe('');
  expect(queued.code).toBe(0);
  const flushed = await runCli(home, ['queue', 'flush', '--wait']);
  expect(flushed.code).toBe(0);
  const received = server.messages.slice(before);
  expect(received).toHaveLength(1);
  const [message] = received;
  if (!message) throw new Error('nothing was received');
  return { message, mail: await simpleParser(message.raw) };
}

const addressesOf = (field: AddressObject | AddressObject[] | undefined) =>
  [field ?? []].flat().flatMap((object) => object.value);

describe("cron's own mail (MAILTO unset): unqualified From and recipient", () => {
  it('Debian cron: `sendmail -FCronDaemon -i -B8BITMIME -oem root` goes to the default account, from it, as "Cron Daemon"', async () => {
    const { message, mail } = await sendmailAndDeliver(
      ['-FCronDaemon', '-i', '-B8BITMIME', '-oem', 'root'],
      CRON_MAIL,
    );
    expect(message.from).toBe('me@example.org');
    expect(message.to).toEqual(['me@example.org']);
    expect(addressesOf(mail.from)).toEqual([{ name: 'Cron Daemon', address: 'me@example.org' }]);
    // Only the envelope is rewritten, as msmtp's aliases do: the message still says it was for root.
    expect(message.raw.toString('latin1')).toMatch(/^To: root\r$/m);
    expect(mail.subject).toBe('Cron <root@backup-host> /usr/local/bin/nightly-backup');
    expect(mail.text).toBe('backup: 3 volumes copied\n');
    expect(message.raw.toString('latin1')).not.toMatch(/^From: root/m);
  });

  it('vixie cron: `sendmail -FCronDaemon -odi -oem -oi -t` reads `To: root` as the local user', async () => {
    const { message, mail } = await sendmailAndDeliver(
      ['-FCronDaemon', '-odi', '-oem', '-oi', '-t'],
      CRON_MAIL,
    );
    expect(message.to).toEqual(['me@example.org']);
    expect(addressesOf(mail.from)).toEqual([{ name: 'Cron Daemon', address: 'me@example.org' }]);
  });

  it('-F names a From that has no name, and -f with a user name is the account', async () => {
    const { message, mail } = await sendmailAndDeliver(
      ['-F', 'Backup Robot', '-f', 'root', 'root'],
      'From: root\nSubject: done\n\nok\n',
    );
    expect(message.from).toBe('me@example.org');
    expect(addressesOf(mail.from)).toEqual([{ name: 'Backup Robot', address: 'me@example.org' }]);
  });

  it('with the address for local mail set, mail to a local user goes there', async () => {
    await setLocalMailAddress('ops@example.net');
    try {
      const { message, mail } = await sendmailAndDeliver(
        ['-FCronDaemon', '-i', '-B8BITMIME', '-oem', 'root', 'ann@example.net'],
        CRON_MAIL,
      );
      expect(message.to).toEqual(['ops@example.net', 'ann@example.net']);
      expect(message.from).toBe('me@example.org');
      expect(addressesOf(mail.from)).toEqual([{ name: 'Cron Daemon', address: 'me@example.org' }]);
    } finally {
      await setLocalMailAddress('');
    }
  });

  it('a -F name with a line break is refused as header injection, nothing queued', async () => {
    const result = await runCli(
      home,
      ['sendmail', '-F', 'Cron\r\nBcc: eve@example.com', 'root'],
      'Subject: x\n\ny\n',
    );
    expect(result.code).toBe(65);
    expect(result.stderr).toMatch(
      /^outbox: fullName: "Cron\\r\\nBcc: eve@example\.com" must not contain line breaks/,
    );
    expect((await runCli(home, ['queue', 'list'])).stdout).toBe('');
  });

  it('a -F name too long for the From line is refused, not sent as an overlong header line', async () => {
    const result = await runCli(home, ['sendmail', '-F', 'n'.repeat(1000), 'root'], 'Subject: x\n\ny\n');
    expect(result.code).toBe(65);
    expect(result.stderr).toMatch(/^outbox: The From field would be longer than 998 characters/);
    expect((await runCli(home, ['queue', 'list'])).stdout).toBe('');
  });
});
