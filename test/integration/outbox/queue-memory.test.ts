import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SentRecord } from '../../../preload/contract/outbox.ts';
import { queueListJson, queueMessage } from '../../../main/cli/json-output.ts';
import { writeQueueList } from '../../../main/cli/queue-list.ts';
import { nodeFileSystem } from '../../../main/files/atomic-file.ts';
import { decodeFrames } from '../../../main/outbox/store/queue-log-format.ts';
import { queuePaths } from '../../../main/outbox/store/queue-paths.ts';
import { toQueueItem } from '../../../main/outbox/store/queue-record.ts';
import { createQueueStore, type QueueStore } from '../../../main/outbox/store/queue-store.ts';
import { readSealMarker } from '../../../main/outbox/store/seal-marker.ts';
import { sampleRecord } from '../../support/sample-record.ts';

let dataDir: string;

beforeEach(async () => {
  dataDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'outbox-queue-memory-'));
});

afterEach(async () => {
  await fsp.rm(dataDir, { recursive: true, force: true });
});

/** What a store read: states read back from their segments, and frames decoded. */
interface Counts {
  recordReads: number;
  frames: number;
}

function openStore(counts?: Counts): QueueStore {
  return createQueueStore(queuePaths(dataDir), {
    fs: nodeFileSystem,
    onQuarantine: () => undefined,
    ...(counts
      ? {
          onRecordRead: () => {
            counts.recordReads++;
          },
          onFramesRead: (n: number) => {
            counts.frames += n;
          },
        }
      : {}),
  });
}

const idOf = (i: number) => `m${String(i).padStart(5, '0')}`;

/** `count` messages queued by a producer that then ends (its segment sealed), oldest first. */
async function queueMessages(count: number, first = 0): Promise<void> {
  const store = openStore();
  await store.init();
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = idOf(first + i);
      const bytes = Buffer.from(`Subject: ${id}\r\n\r\n${'x'.repeat(200)}\r\n`);
      const createdAt = new Date(Date.UTC(2026, 0, 1, 10, 0, 0, first + i)).toISOString();
      await store.save(sampleRecord(id, { createdAt, sizeBytes: await store.writeBytes(id, bytes) }));
    }),
  );
  await store.close();
}

const sent = (id: string): SentRecord => ({
  id,
  messageId: `<${id}@example.org>`,
  accountId: 'work',
  from: 'me@example.org',
  subject: `subject ${id}`,
  sentAt: '2026-01-01T11:00:00.000Z',
  recipients: [],
  sizeBytes: 200,
  attempts: 1,
});

/** A writable that notes, at each write, how many records had been read back by then. */
function noting(counts: Counts): { out: Writable; text: () => string; readsAtWrites: number[] } {
  const chunks: string[] = [];
  const readsAtWrites: number[] = [];
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      readsAtWrites.push(counts.recordReads);
      chunks.push(chunk.toString());
      done();
    },
  });
  return { out, text: () => chunks.join(''), readsAtWrites };
}

describe('the queue in memory', () => {
  it('holds an index of the queue, not its records: each is read from disk when asked for', async () => {
    await queueMessages(300);
    const counts: Counts = { recordReads: 0, frames: 0 };
    const store = openStore(counts);
    await store.init();
    expect(counts.frames).toBeGreaterThanOrEqual(300);
    // Opening decoded every frame but kept none of the records.
    expect(counts.recordReads).toBe(0);
    expect(store.get(idOf(7))?.subject).toBe(`subject ${idOf(7)}`);
    expect(counts.recordReads).toBe(1);
    // A message looked at again is not read again.
    expect(store.get(idOf(7))?.id).toBe(idOf(7));
    expect(counts.recordReads).toBe(1);
    await store.close();
  }, 60_000);

  it('reads records back whole walking either way through the log (newest first, as the list pages)', async () => {
    const count = 600;
    await queueMessages(count);
    const ids = Array.from({ length: count }, (_, i) => idOf(i));
    for (const order of [ids.toReversed(), ids, ids.filter((_, i) => i % 7 === 0).toReversed()]) {
      // A store of its own each time: nothing of the walk before is cached.
      const store = openStore();
      await store.init();
      expect(order.map((id) => store.get(id)?.subject)).toEqual(order.map((id) => `subject ${id}`));
      await store.close();
    }
  }, 60_000);

  it('lists as it reads: output goes out long before the last record is read, the same bytes as a whole listing', async () => {
    const count = 1000;
    await queueMessages(count);
    const counts: Counts = { recordReads: 0, frames: 0 };
    const store = openStore(counts);
    await store.init();
    const items = (function* () {
      for (const record of store.inOrder()) yield toQueueItem(record, record.state);
    })();
    const labels = new Map([['work', 'Work']]);
    const { out, text, readsAtWrites } = noting(counts);
    await writeQueueList(out, items, labels, true);

    expect(counts.recordReads).toBe(count);
    expect(readsAtWrites.length).toBeGreaterThan(1);
    expect(readsAtWrites[0]).toBeLessThan(count / 2);
    const whole = [...store.inOrder()].map((record) =>
      queueMessage(toQueueItem(record, record.state), labels),
    );
    expect(whole.map((m) => m.id)).toEqual(Array.from({ length: count }, (_, i) => idOf(i)));
    expect(text()).toBe(`${JSON.stringify(queueListJson.parse({ version: 1, messages: whole }), null, 2)}\n`);
    await store.close();
  }, 60_000);

  it('keeps none of what a walk over the queue reads: a message it passed is read again when asked for', async () => {
    await queueMessages(300);
    const counts: Counts = { recordReads: 0, frames: 0 };
    const store = openStore(counts);
    await store.init();
    expect([...store.inOrder()]).toHaveLength(300);
    expect(counts.recordReads).toBe(300);
    // Kept, each record read by a listing would outlive V8's young collections (issue 17).
    expect(store.get(idOf(299))?.id).toBe(idOf(299));
    expect(counts.recordReads).toBe(301);
    // A message looked at on its own is still read once.
    expect(store.get(idOf(299))?.id).toBe(idOf(299));
    expect(counts.recordReads).toBe(301);
    await store.close();
  }, 60_000);

  it('reads each segment into the same buffer and never past what that read filled', async () => {
    // A long segment read first, then a short one: the buffer still holds the long one's frames.
    await queueMessages(200);
    await queueMessages(2, 200);
    const dir = queuePaths(dataDir).queue;
    const segments = (await fsp.readdir(dir)).filter((name) => name.endsWith('.log')).sort();
    expect(segments).toHaveLength(2);
    const sizes = await Promise.all(
      segments.map(async (name) => (await fsp.stat(path.join(dir, name))).size),
    );
    expect(sizes[0]).toBeGreaterThan((sizes[1] ?? 0) * 10);
    let onDisk = 0;
    for (const name of segments)
      onDisk += decodeFrames(await fsp.readFile(path.join(dir, name))).frames.length;

    const counts: Counts = { recordReads: 0, frames: 0 };
    const store = openStore(counts);
    await store.init();
    expect(counts.frames).toBe(onDisk);
    expect(store.ids()).toHaveLength(202);
    await store.close();
  }, 60_000);

  it('compaction reads each message it copies once: its copy is ranked without a read back', async () => {
    await queueMessages(300);
    const counts: Counts = { recordReads: 0, frames: 0 };
    const deliverer = openStore(counts);
    await deliverer.init();
    // Most of the producer's segment delivered: compaction copies the 20 left and reclaims it.
    for (let i = 20; i < 300; i++) await deliverer.remove(idOf(i), sent(idOf(i)));
    counts.recordReads = 0;
    await deliverer.compact();
    const dir = queuePaths(dataDir).queue;
    expect((await fsp.readdir(dir)).filter((name) => name.endsWith('.log'))).toHaveLength(1);
    expect(deliverer.ids()).toHaveLength(20);
    expect(counts.recordReads).toBe(20);
    await deliverer.close();
  }, 60_000);

  it('lists an empty queue as the whole-document JSON does', async () => {
    const { out, text } = noting({ recordReads: 0, frames: 0 });
    await writeQueueList(out, [], new Map(), true);
    expect(text()).toBe(`${JSON.stringify({ version: 1, messages: [] }, null, 2)}\n`);
  });

  it('passes by what a delivery run left when nothing is queued, and still lets its removals win', async () => {
    const count = 400;
    await queueMessages(count);
    // The deliverer sends them all, reclaims the producer's segment and ends.
    const deliverer = openStore();
    await deliverer.init();
    for (let i = 0; i < count; i++) await deliverer.remove(idOf(i), sent(idOf(i)));
    await deliverer.compact();
    await deliverer.close();
    const segments = (await fsp.readdir(queuePaths(dataDir).queue)).filter((n) => n.endsWith('.log'));
    expect(segments).toHaveLength(1);
    // Removals kept through their grace period, so the segment is far from empty.
    expect(await readSealMarker(queuePaths(dataDir).queue, segments[0] ?? '')).toMatchObject({
      lifeless: true,
    });

    const listing: Counts = { recordReads: 0, frames: 0 };
    const lister = openStore(listing);
    await lister.init('listing');
    expect([...lister.inOrder()]).toEqual([]);
    expect(listing.frames).toBe(0);
    await lister.close();

    // Any other look reads them all, as before.
    const full: Counts = { recordReads: 0, frames: 0 };
    const reader = openStore(full);
    await reader.init();
    expect(full.frames).toBeGreaterThanOrEqual(count);
    expect(reader.sentRemovals()).toHaveLength(count);
    await reader.close();

    // A stale change to a sent message (a process that had not read its removal) stays hidden,
    // and a new message is listed: with something queued the delivery run's segment is read.
    const stale = openStore();
    await stale.init();
    await stale.save(sampleRecord(idOf(3), { state: 'held' }));
    await stale.close();
    await queueMessages(1, count);
    const again = openStore();
    await again.init('listing');
    expect([...again.inOrder()].map((record) => record.id)).toEqual([idOf(count)]);
    await again.close();
  }, 120_000);

  it('a producer that only adds (sendmail) reads none of the queue, and what it adds is read by the rest', async () => {
    const count = 300;
    await queueMessages(count);
    // A damaged stretch in another writer's segment is the deliverer's to set aside, not sendmail's.
    const [producer = ''] = (await fsp.readdir(queuePaths(dataDir).queue)).filter((n) => n.endsWith('.log'));
    await fsp.appendFile(path.join(queuePaths(dataDir).queue, producer), Buffer.from('OBXQ damage'));

    const appending: Counts = { recordReads: 0, frames: 0 };
    const adder = openStore(appending);
    await adder.init('append');
    const id = idOf(count);
    const bytes = Buffer.from(`Subject: ${id}\r\n\r\nadded\r\n`);
    await adder.save(sampleRecord(id, { sizeBytes: await adder.writeBytes(id, bytes) }));
    await adder.close();
    expect(appending).toEqual({ recordReads: 0, frames: 0 });

    const reader = openStore();
    await reader.init();
    expect(reader.ids()).toHaveLength(count + 1);
    expect(reader.get(id)).toMatchObject({ id, state: 'queued' });
    await reader.close();
  }, 60_000);
});
