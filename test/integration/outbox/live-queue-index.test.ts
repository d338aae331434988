import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/errors/logger.ts';
import { nodeFileSystem } from '../../../main/files/atomic-file.ts';
import { createOutboxHandlers } from '../../../main/outbox/outbox-handlers.ts';
import { createChosenFiles } from '../../../main/security/chosen-files.ts';
import { createSentHandlers } from '../../../main/sent/sent-handlers.ts';
import { CONTACTS_FROM_LAST } from '../../../main/sent/sent-history.ts';
import { queuePaths } from '../../../main/outbox/store/queue-paths.ts';
import { createQueueStore } from '../../../main/outbox/store/queue-store.ts';
import { plainEndpoint, startTestOutbox, type TestOutbox } from '../../support/outbox-fixture.ts';
import { sampleRecord } from '../../support/sample-record.ts';
import { createTestAccounts } from '../../support/test-accounts.ts';

let dataDir: string;
let outbox: TestOutbox | undefined;

beforeEach(async () => {
  dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'outbox-live-index-'));
});

afterEach(async () => {
  await outbox?.stop();
  outbox = undefined;
  await fsp.rm(dataDir, { recursive: true, force: true });
});

const COUNT = 600;
const idOf = (i: number) => `m${String(i).padStart(4, '0')}`;

/** `COUNT` messages queued by a producer that then ends, a tenth of them scheduled for later. */
async function queueMessages(): Promise<void> {
  const store = createQueueStore(queuePaths(dataDir), { fs: nodeFileSystem, onQuarantine: () => undefined });
  await store.init();
  await Promise.all(
    Array.from({ length: COUNT }, async (_, i) => {
      const id = idOf(i);
      const bytes = Buffer.from(`Subject: ${id}\r\n\r\n${'x'.repeat(200)}\r\n`);
      const createdAt = new Date(Date.UTC(2026, 0, 1, 10, 0, 0, i)).toISOString();
      const later = i % 10 === 0 ? { state: 'scheduled' as const, sendAt: '2099-01-01T00:00:00.000Z' } : {};
      await store.save(
        sampleRecord(id, { createdAt, ...later, sizeBytes: await store.writeBytes(id, bytes) }),
      );
    }),
  );
  await store.close();
}

/** The deliverer, offline (nothing goes out), counting the records it reads back from the log. */
async function startCounting(
  reads: { count: number },
  accounts = createTestAccounts([{ id: 'work', fromAddress: 'me@example.org', endpoint: plainEndpoint(9) }]),
): Promise<TestOutbox> {
  const started = await startTestOutbox({
    accounts,
    dataDir,
    start: false,
    onRecordRead: () => {
      reads.count++;
    },
  });
  started.online = false;
  await started.outbox.start();
  return started;
}

describe('the core over a queue it does not hold', () => {
  it('starts, counts and orders from its index, reading no record back; a row is read on demand', async () => {
    await queueMessages();
    const reads = { count: 0 };
    outbox = await startCounting(reads);
    const { service } = outbox.outbox;
    // State, account, creation and due times are in the store's index.
    expect(reads.count).toBe(0);

    expect(service.summary()).toMatchObject({ waiting: COUNT - COUNT / 10, scheduled: COUNT / 10 });
    const rows = service.rows();
    expect(rows).toHaveLength(COUNT);
    // What the delivery timer follows: the scheduled sends.
    expect(rows.filter((row) => row.state === 'scheduled' && row.sendAt)).toHaveLength(COUNT / 10);
    expect(service.countPending('work')).toBe(COUNT);
    // What `queue flush --wait` asks every 250 ms while another process delivers.
    expect(service.hasDue(Date.now())).toBe(true);
    expect(reads.count).toBe(0);

    // Address completion, at every keystroke: the newest queued only, not the whole queue.
    const contacts = createSentHandlers(outbox.outbox.sent, (count) => service.newest(count));
    expect(await contacts['contacts:recent']({ prefix: 'nobody', limit: 8 })).toEqual([]);
    expect(reads.count).toBe(CONTACTS_FROM_LAST);
    reads.count = 0;

    // The record itself is read back from its segment.
    expect(service.find(idOf(1))?.subject).toBe(`subject ${idOf(1)}`);
    expect(reads.count).toBe(1);
    expect(service.find('gone')).toBeUndefined();
  }, 60_000);
});

describe('an account paused, resumed or needing the user, with its mail queued', () => {
  it('says each waiting message’s shown state, reading no record back', async () => {
    await queueMessages();
    const reads = { count: 0 };
    const accounts = createTestAccounts([
      { id: 'work', fromAddress: 'me@example.org', endpoint: plainEndpoint(9) },
    ]);
    outbox = await startCounting(reads, accounts);
    const started = outbox;
    /** The states the events said since `from` (the last one for each message), and whole items sent. */
    const said = (from: number) => {
      const changes = started.payloads('outbox:changed').slice(from);
      const states = new Map(changes.flatMap((change) => change.states.map((each) => [each.id, each.state])));
      return { states, items: changes.flatMap((change) => change.upserted) };
    };
    const shown = (states: Map<string, string>) => [...new Set(states.values())].sort();

    // Waiting mail is held; mail scheduled for later shows no account's state, and is not said.
    const waiting = COUNT - COUNT / 10;
    let from = started.payloads('outbox:changed').length;
    accounts.update('work', { paused: true });
    await expect.poll(() => said(from).states.size).toBe(waiting);
    expect(shown(said(from).states)).toEqual(['held']);

    from = started.payloads('outbox:changed').length;
    accounts.update('work', { paused: false });
    await expect.poll(() => said(from).states.size).toBe(waiting);
    expect(shown(said(from).states)).toEqual(['queued']);

    // An account that comes to need the user (a refused password), and no longer does.
    from = started.payloads('outbox:changed').length;
    accounts.setAttention('work', { code: 'auth_failed', message: 'The server refused the password.' });
    await expect.poll(() => said(from).states.size).toBe(waiting);
    expect(shown(said(from).states)).toEqual(['needs_attention']);
    from = started.payloads('outbox:changed').length;
    accounts.setAttention('work', undefined);
    await expect.poll(() => said(from).states.size).toBe(waiting);
    expect(shown(said(from).states)).toEqual(['queued']);

    expect(said(0).items).toEqual([]);
    expect(reads.count).toBe(0);
  }, 60_000);
});

describe('a page asked while the core starts', () => {
  it('is answered once the queue is read, with every message in it', async () => {
    await queueMessages();
    outbox = await startTestOutbox({
      accounts: createTestAccounts([
        { id: 'work', fromAddress: 'me@example.org', endpoint: plainEndpoint(9) },
      ]),
      dataDir,
      start: false,
    });
    outbox.online = false;
    const handlers = createOutboxHandlers(
      outbox.outbox,
      createChosenFiles(),
      { remove: () => Promise.resolve() },
      silentLogger,
    );
    // A window shown before start() finished: the first read takes messages in without events,
    // so an early answer would stay empty.
    const asked = handlers['outbox:page']({ limit: 1000 });
    const started = outbox.outbox.start();
    const page = await asked;
    await started;
    expect(page.items).toHaveLength(COUNT);
    expect(page.counts.total).toBe(COUNT);
  }, 60_000);
});
