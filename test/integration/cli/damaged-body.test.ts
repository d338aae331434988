import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queuePaths } from '../../../main/outbox/store/queue-paths.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { storedMessages } from '../../support/queue-on-disk.ts';
import { addLocalAccount, runCli, tempHomes } from './run-cli.ts';

let server: TestServer;
/** Every address the server was asked to take (RCPT TO). */
const asked: string[] = [];
const tempHome = tempHomes();

beforeAll(async () => {
  server = await startTestServer({
    onRcptTo: (address) => {
      asked.push(address);
      return undefined;
    },
  });
});
afterEach(() => {
  server.messages.length = 0;
  asked.length = 0;
});
afterAll(async () => {
  await server.close();
});

async function newHome(): Promise<string> {
  const home = await tempHome();
  await addLocalAccount(home, 'Reports', 'reports@example.org', server.port);
  return home;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const bodyFile = (home: string, id: string) => path.join(queuePaths(home).bodies, `${id}.eml`);

/** `outbox send` with an attachment of random bytes big enough for a message file of its own. */
async function sendWithAttachment(home: string, to: string, subject: string): Promise<string> {
  const attachment = path.join(home, `${subject}.bin`);
  await fsp.writeFile(attachment, randomBytes(400_000));
  const sent = await runCli(home, [
    'send',
    '--to',
    to,
    '--subject',
    subject,
    '--text',
    'Attached.',
    '--attach',
    attachment,
  ]);
  expect(sent.stderr).toBe('');
  expect(sent.code).toBe(0);
  return sent.stdout.trim();
}

describe('message files checked against their SHA-256', () => {
  it('records the digest of what `send` and `sendmail` wrote', async () => {
    const home = await newHome();
    const sent = await sendWithAttachment(home, 'ann@example.net', 'Report');
    const big = [
      'From: reports@example.org',
      'To: bob@example.net',
      'Subject: Log',
      '',
      'z'.repeat(300_000),
      '',
    ];
    const piped = await runCli(home, ['sendmail', '-t', '-oi'], big.join('\n'));
    expect(piped.code).toBe(0);
    const stored = await storedMessages(home);
    expect(stored).toHaveLength(2);
    for (const { record } of stored) {
      expect(record.bodySha256).toBe(sha256(await fsp.readFile(bodyFile(home, record.id))));
    }
    expect(stored.map((s) => s.record.id)).toContain(sent);
  });

  it('sets aside a message whose file changed by one byte, sends the others, and says so', async () => {
    const home = await newHome();
    const damaged = await sendWithAttachment(home, 'ann@example.net', 'Quarterly');
    const intact = await sendWithAttachment(home, 'bob@example.net', 'Monthly');
    const file = bodyFile(home, damaged);
    const bytes = await fsp.readFile(file);
    const at = Math.floor(bytes.length / 2);
    bytes[at] = (bytes[at] ?? 0) ^ 0x20;
    await fsp.writeFile(file, bytes);
    const intactBytes = await fsp.readFile(bodyFile(home, intact));

    const flushed = await runCli(home, ['queue', 'flush']);
    expect(flushed.code).toBe(0);
    expect(flushed.stdout).toContain('the outbox is empty');
    expect(flushed.stderr).toContain('set aside');

    // The intact one went byte for byte; the server never heard of the damaged one.
    expect(server.messages.map((m) => m.raw.equals(intactBytes))).toEqual([true]);
    expect(asked).toEqual(['bob@example.net']);
    const quarantine = queuePaths(home).quarantine;
    const [folder, ...more] = await fsp.readdir(quarantine);
    expect(more).toEqual([]);
    expect(folder).toMatch(new RegExp(`^${damaged}-`));
    const kept = await fsp.readFile(path.join(quarantine, folder ?? '', `${damaged}.eml`));
    expect(kept.equals(bytes)).toBe(true);
    const list = await runCli(home, ['queue', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toMatchObject({ messages: [] });
  });
});
