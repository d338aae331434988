import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestAccounts } from '../../support/test-accounts.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import {
  makeDataDir,
  plainEndpoint,
  startTestOutbox,
  type TestOutbox,
} from '../../support/outbox-fixture.ts';
import { createFakeClock, type FakeClock } from '../../support/fake-clock.ts';
import { storedMessages } from '../../support/queue-on-disk.ts';
import type { OutboxService } from '../../../main/outbox/outbox-service.ts';
import { queuePaths } from '../../../main/outbox/store/queue-paths.ts';

const MINUTE = 60_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  server: TestServer;
  clock: FakeClock;
  outbox: TestOutbox;
  service: OutboxService;
  /** Every address the server was asked to take (RCPT TO), accepted or not. */
  asked: string[];
}

async function setup(): Promise<Setup> {
  const asked: string[] = [];
  const server = await startTestServer({
    onRcptTo: (address) => {
      asked.push(address);
      return undefined;
    },
  });
  cleanups.push(() => server.close());
  const accounts = createTestAccounts([
    { id: 'work', fromAddress: 'me@example.org', displayName: 'Me', endpoint: plainEndpoint(server.port) },
    { id: 'home', fromAddress: 'me@example.com', displayName: 'Me', endpoint: plainEndpoint(server.port) },
  ]);
  const clock = createFakeClock(Date.now());
  const outbox = await startTestOutbox({ accounts, clock });
  cleanups.push(() => outbox.stop());
  return { server, clock, outbox, service: outbox.outbox.service, asked };
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const bodyPath = (outbox: TestOutbox, id: string) =>
  path.join(queuePaths(outbox.dataDir).bodies, `${id}.eml`);

/** An attachment of random bytes (so base64 cannot repeat itself), big enough for a file of its own. */
async function bigAttachment(dir: string): Promise<string> {
  const file = path.join(dir, 'report.bin');
  await fsp.writeFile(file, randomBytes(400_000));
  return file;
}

/** Changes one byte in the middle of the file, keeping its size: the damage a size check misses. */
async function flipOneByte(file: string): Promise<Buffer> {
  const bytes = await fsp.readFile(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  await fsp.writeFile(file, bytes);
  return bytes;
}

/** Queues a message from 'work', due in a minute: time to damage its file before it goes. */
const queueLater = (service: OutboxService, clock: FakeClock, message: object) =>
  service.enqueue({ accountId: 'work', ...message, sendAt: new Date(clock.now() + MINUTE).toISOString() });

describe('message files carry the SHA-256 of their bytes', () => {
  it('records it at compose time, and the file it names is delivered byte for byte', async () => {
    const { server, clock, outbox, service } = await setup();
    const item = await queueLater(service, clock, {
      to: ['ann@example.net'],
      subject: 'Report',
      text: 'Attached.',
      attachments: [{ path: await bigAttachment(await makeDataDir()) }],
    });
    const file = await fsp.readFile(bodyPath(outbox, item.id));
    const [stored] = await storedMessages(outbox.dataDir);
    expect(stored?.record.bodySha256).toBe(sha256(file));

    clock.advance(MINUTE);
    await service.settled();
    expect(service.list()).toEqual([]);
    expect(server.messages.map((m) => m.raw.equals(file))).toEqual([true]);
  });

  it('keeps it when the message moves to another account, which then sends it', async () => {
    const { server, clock, outbox, service } = await setup();
    const item = await queueLater(service, clock, {
      to: ['ann@example.net'],
      subject: 'Moving',
      text: 'x'.repeat(300_000),
    });
    const digest = sha256(await fsp.readFile(bodyPath(outbox, item.id)));
    await service.moveToAccount('work', 'home');
    const [stored] = await storedMessages(outbox.dataDir);
    expect(stored?.record).toMatchObject({ accountId: 'home', bodySha256: digest });
    // The stored bytes are checked; what goes out carries the new account's From.
    clock.advance(MINUTE);
    await service.settled();
    expect(service.list()).toEqual([]);
    expect(server.messages.map((m) => m.from)).toEqual(['me@example.com']);
  });

  it('records none for bytes kept in the log (their frame has a CRC)', async () => {
    const { clock, outbox, service } = await setup();
    await queueLater(service, clock, {
      to: ['ann@example.net'],
      subject: 'Small',
      text: 'Hi',
    });
    const [stored] = await storedMessages(outbox.dataDir);
    expect(stored?.record.bodySha256).toBeUndefined();
  });
});

describe('a message file damaged on disk', () => {
  it('is set aside before any server hears of it, while the other messages go', async () => {
    const { server, clock, outbox, service, asked } = await setup();
    const damaged = await queueLater(service, clock, {
      to: ['ann@example.net'],
      subject: 'Quarterly report',
      text: 'Attached.',
      attachments: [{ path: await bigAttachment(await makeDataDir()) }],
    });
    const other = await queueLater(service, clock, {
      to: ['bob@example.net'],
      subject: 'Lunch?',
      text: 'At noon.',
    });
    const bytes = await flipOneByte(bodyPath(outbox, damaged.id));

    clock.advance(MINUTE);
    await service.settled();

    expect(server.messages.map((m) => m.messageId)).toEqual([other.messageId]);
    expect(asked).toEqual(['bob@example.net']);
    expect(service.list()).toEqual([]);
    const quarantine = queuePaths(outbox.dataDir).quarantine;
    const [folder, ...more] = await fsp.readdir(quarantine);
    expect(more).toEqual([]);
    expect(folder).toMatch(new RegExp(`^${damaged.id}-`));
    const kept = path.join(quarantine, folder ?? '');
    expect((await fsp.readFile(path.join(kept, `${damaged.id}.eml`))).equals(bytes)).toBe(true);
    const state = JSON.parse(await fsp.readFile(path.join(kept, 'state.json'), 'utf8')) as object;
    // No attempt was spent on it.
    expect(state).toMatchObject({ id: damaged.id, subject: 'Quarterly report', attempts: 0 });
    expect(outbox.payloads('app:noticed')).toEqual([
      {
        level: 'warning',
        message: expect.stringContaining('no longer matches what was queued') as unknown,
      },
    ]);
  });

  it('is not handed back for editing: the user hears message_damaged and it is set aside', async () => {
    const { clock, outbox, service } = await setup();
    const damaged = await queueLater(service, clock, {
      to: ['ann@example.net'],
      subject: 'Draft me',
      text: 'y'.repeat(300_000),
    });
    await flipOneByte(bodyPath(outbox, damaged.id));
    await expect(service.edit(damaged.id)).rejects.toMatchObject({
      code: 'message_damaged',
      message: expect.stringContaining('“Draft me”') as unknown,
    });
    expect(service.list()).toEqual([]);
    expect(await fsp.readdir(queuePaths(outbox.dataDir).edits)).toEqual([]);
    const [folder] = await fsp.readdir(queuePaths(outbox.dataDir).quarantine);
    expect(folder).toMatch(new RegExp(`^${damaged.id}-`));
  });

  it('is handed back for editing when intact', async () => {
    const { clock, service } = await setup();
    const item = await queueLater(service, clock, {
      to: ['ann@example.net'],
      subject: 'Draft me',
      text: 'y'.repeat(300_000),
    });
    const draft = await service.edit(item.id);
    // mailparser ends the text with the message's last line break.
    expect(draft.text?.trimEnd() === 'y'.repeat(300_000)).toBe(true);
    expect(service.list()).toEqual([]);
  });
});
