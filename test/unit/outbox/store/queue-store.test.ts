import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  nodeFileSystem,
  type FileSystemSeam,
  type WritableFile,
} from '../../../../main/files/atomic-file.ts';
import { decodeFrames, encodeFrame } from '../../../../main/outbox/store/queue-log-format.ts';
import { queuePaths, type QueuePaths } from '../../../../main/outbox/store/queue-paths.ts';
import type { QueueRecord } from '../../../../main/outbox/store/queue-record.ts';
import {
  createQueueStore,
  type QuarantineNotice,
  type QueueStore,
} from '../../../../main/outbox/store/queue-store.ts';
import { makeDataDir } from '../../../support/outbox-fixture.ts';
import { messageBytes } from '../../../support/message-bytes.ts';
import { queuedIds, segmentFiles } from '../../../support/queue-on-disk.ts';
import { sampleRecord } from '../../../support/sample-record.ts';

const run = promisify(execFile);
const repo = path.resolve(import.meta.dirname, '../../../..');
const node = path.join(repo, 'node_modules/.bin/node');

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const record = (id: string, sizeBytes: number, extra: Partial<QueueRecord> = {}): QueueRecord =>
  sampleRecord(id, { sizeBytes, ...extra });

async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < bytes.length; at += size) yield bytes.subarray(at, at + size);
  await Promise.resolve();
}

/** Past the hour a removal is kept for when nothing older of its message is left. */
const afterRemovalGrace = () => Date.now() + 3_600_001;

/** A store on `paths` as one process would open it, closed after the test. */
async function openStore(
  paths: QueuePaths,
  notices: QuarantineNotice[] = [],
  now?: () => number,
): Promise<QueueStore> {
  const store = createQueueStore(paths, {
    fs: nodeFileSystem,
    onQuarantine: (n) => notices.push(n),
    ...(now ? { clock: { now } } : {}),
  });
  await store.init();
  cleanups.push(() => store.close());
  return store;
}

async function enqueue(store: QueueStore, id: string, bytes: Buffer | AsyncIterable<Uint8Array>) {
  const size = await store.writeBytes(id, bytes);
  const saved = record(id, size);
  await store.save(saved);
  return saved;
}

const bytesOf = (store: QueueStore, id: string) => buffer(store.openBytes(id));
const mode = async (file: string) => (await fsp.stat(file)).mode & 0o777;

describe('queue store', () => {
  it('shows what one process saves and removes to another reading the same folder', async () => {
    const paths = queuePaths(await makeDataDir());
    const a = await openStore(paths);
    const first = messageBytes(1, 3000);
    const second = messageBytes(2, 5000);
    const savedFirst = await enqueue(a, 'first', first);
    await enqueue(a, 'second', second);

    const b = await openStore(paths);
    expect(queuedIds(b)).toEqual(['first', 'second']);
    expect(b.get('first')).toEqual(savedFirst);
    expect((await bytesOf(b, 'first')).equals(first)).toBe(true);
    expect((await bytesOf(b, 'second')).equals(second)).toBe(true);
    expect(await b.sync()).toEqual([]);

    await a.remove('first');
    expect(a.get('first')).toBeUndefined();
    // Not seen until the other process looks again.
    expect(b.get('first')).toEqual(savedFirst);
    expect(await b.sync()).toEqual(['first']);
    expect(b.get('first')).toBeUndefined();
    expect(queuedIds(b)).toEqual(['second']);

    // A new state of a message reaches the other process the same way.
    await a.save(record('second', second.length, { state: 'held' }));
    expect(await b.sync()).toEqual(['second']);
    expect(b.get('second')?.state).toBe('held');
    expect((await bytesOf(b, 'second')).equals(second)).toBe(true);
  });

  it('keeps a message over 256 KB in a file of its own and a small one in the log, and removes the file with it', async () => {
    const paths = queuePaths(await makeDataDir());
    const store = await openStore(paths);
    const large = messageBytes(3, 256 * 1024 + 1);
    const small = messageBytes(4, 256 * 1024);
    await enqueue(store, 'large', chunked(large, 64 * 1024 - 7));
    await enqueue(store, 'small', small);

    const largeFile = path.join(paths.bodies, 'large.eml');
    expect(await fsp.readdir(paths.bodies)).toEqual(['large.eml']);
    expect((await fsp.readFile(largeFile)).equals(large)).toBe(true);
    expect(await mode(largeFile)).toBe(0o600);
    expect(await fsp.readdir(paths.tmp)).toEqual([]);

    const other = await openStore(paths);
    expect((await bytesOf(other, 'large')).equals(large)).toBe(true);
    expect((await bytesOf(other, 'small')).equals(small)).toBe(true);

    await store.remove('large');
    await expect(fsp.stat(largeFile)).rejects.toMatchObject({ code: 'ENOENT' });
    await store.remove('small');
    expect(await fsp.readdir(paths.bodies)).toEqual([]);
    expect(await other.sync()).toEqual(expect.arrayContaining(['large', 'small']));
    expect(other.all()).toEqual([]);
  });

  it('keeps the queue folder and its segments private', async () => {
    const paths = queuePaths(await makeDataDir());
    const store = await openStore(paths);
    await enqueue(store, 'private', messageBytes(5, 100));

    const segments = await segmentFiles(paths);
    expect(segments).toHaveLength(1);
    expect(await mode(path.join(paths.queue, segments[0] ?? ''))).toBe(0o600);
    expect(await mode(paths.queue)).toBe(0o700);
    expect(await mode(paths.bodies)).toBe(0o700);
  });

  it('compacts a closed segment: what is live survives, what was removed stays removed', async () => {
    const paths = queuePaths(await makeDataDir());
    const a = await openStore(paths);
    const contents = new Map<string, Buffer>();
    for (let i = 0; i < 24; i++) {
      // Every sixth one large, so both kinds of body are reclaimed.
      const bytes = messageBytes(100 + i, i % 6 === 0 ? 300_000 : 1000 + i * 37);
      contents.set(`m${i}`, bytes);
      await enqueue(a, `m${i}`, bytes);
    }
    const kept = ['m0', 'm5', 'm6', 'm11', 'm17', 'm23'];
    const removed = [...contents.keys()].filter((id) => !kept.includes(id));
    for (const id of removed) await a.remove(id);
    // A survivor with a newer state than the one its bytes came with.
    await a.save(record('m5', contents.get('m5')?.length ?? 0, { state: 'deferred', attempts: 1 }));
    await a.close();

    const [segmentA, ...more] = await segmentFiles(paths);
    expect(more).toEqual([]);
    expect(a.ownsSegment(segmentA ?? '')).toBe(true);
    const sealed = decodeFrames(await fsp.readFile(path.join(paths.queue, segmentA ?? '')));
    // Every batch ends with a commit, the seal's too.
    expect(sealed.frames.slice(-2).map((f) => f.entry)).toEqual([{ op: 'seal' }, { op: 'commit' }]);

    // An hour later: removals are kept that long even with nothing older left to hide.
    const b = await openStore(paths, [], afterRemovalGrace);
    expect(queuedIds(b)).toEqual([...kept].sort());
    await b.compact();

    const after = await segmentFiles(paths);
    expect(after).not.toContain(segmentA);
    expect(after).toHaveLength(1);
    expect(b.ownsSegment(after[0] ?? '')).toBe(true);
    expect(queuedIds(b)).toEqual([...kept].sort());
    for (const id of kept)
      expect((await bytesOf(b, id)).equals(contents.get(id) ?? Buffer.alloc(0))).toBe(true);

    // The compactor's segment holds one copy of each live state and no removals (nothing older is left).
    const copied = decodeFrames(await fsp.readFile(path.join(paths.queue, after[0] ?? '')));
    expect(copied.damaged).toEqual([]);
    const entries = copied.frames.map((f) => f.entry);
    expect(entries.filter((e) => e.op === 'del')).toEqual([]);
    expect(entries.flatMap((e) => (e.op === 'put' ? [e.record.id] : [])).sort()).toEqual([...kept].sort());
    expect(entries.find((e) => e.op === 'put' && e.record.id === 'm5')).toMatchObject({
      rev: 2,
      record: { state: 'deferred', attempts: 1 },
    });

    const c = await openStore(paths);
    expect(queuedIds(c)).toEqual([...kept].sort());
    expect(c.get('m5')).toMatchObject({ state: 'deferred', attempts: 1 });
    for (const id of kept)
      expect((await bytesOf(c, id)).equals(contents.get(id) ?? Buffer.alloc(0))).toBe(true);
    for (const id of removed) expect(c.get(id)).toBeUndefined();
    // The large removed messages' files went with them; the large survivors' files stay.
    expect((await fsp.readdir(paths.bodies)).sort()).toEqual(['m0.eml', 'm6.eml']);
  });

  it('reclaims the segment of a writer that died without closing it', async () => {
    const paths = queuePaths(await makeDataDir());
    const parent = await openStore(paths);
    await enqueue(parent, 'own', messageBytes(6, 700));
    const [ownSegment] = await segmentFiles(paths);

    const children = [
      { record: record('child-1', 1500), bytes: messageBytes(7, 1500) },
      { record: record('child-2', 2500), bytes: messageBytes(8, 2500) },
    ];
    const script = `
      import { nodeFileSystem } from ${JSON.stringify(path.join(repo, 'main/files/atomic-file.ts'))};
      import { queuePaths } from ${JSON.stringify(path.join(repo, 'main/outbox/store/queue-paths.ts'))};
      import { createQueueStore } from ${JSON.stringify(path.join(repo, 'main/outbox/store/queue-store.ts'))};
      const store = createQueueStore(queuePaths(${JSON.stringify(path.dirname(paths.root))}), {
        fs: nodeFileSystem,
        onQuarantine: () => undefined,
      });
      await store.init();
      for (const { record, bytes } of ${JSON.stringify(children.map((c) => ({ record: c.record, bytes: c.bytes.toString('base64') })))}) {
        await store.writeBytes(record.id, Buffer.from(bytes, 'base64'));
        await store.save(record);
      }
      process.stdout.write(String(process.pid));
      process.exit(0);
    `;
    const { stdout } = await run(node, ['--input-type=module', '-e', script], { cwd: repo });
    const childPid = Number(stdout);

    const childSegment = (await segmentFiles(paths)).find((name) => name !== ownSegment) ?? '';
    const left = decodeFrames(await fsp.readFile(path.join(paths.queue, childSegment)));
    expect(left.frames[0]?.entry).toMatchObject({ op: 'writer', pid: childPid });
    const ops = left.frames.map((f) => f.entry.op);
    expect(ops.filter((op) => op !== 'commit')).toEqual(['writer', 'put', 'put']);
    expect(ops.at(-1)).toBe('commit');

    await parent.compact();

    expect(await segmentFiles(paths)).toEqual([ownSegment]);
    const own = decodeFrames(await fsp.readFile(path.join(paths.queue, ownSegment ?? '')));
    expect(own.frames.flatMap((f) => (f.entry.op === 'put' ? [f.entry.record.id] : []))).toEqual([
      'own',
      'child-1',
      'child-2',
    ]);
    for (const { record: saved, bytes } of children) {
      expect(parent.get(saved.id)).toEqual(saved);
      expect((await bytesOf(parent, saved.id)).equals(bytes)).toBe(true);
    }

    const fresh = await openStore(paths);
    expect(queuedIds(fresh)).toEqual(['child-1', 'child-2', 'own']);
    for (const { record: saved, bytes } of children) {
      expect((await bytesOf(fresh, saved.id)).equals(bytes)).toBe(true);
    }
  });

  for (const next of ['compact', 'verify'] as const) {
    it(`keeps a message read from both the compactor's copy and the segment it reclaimed (then: ${next})`, async () => {
      const paths = queuePaths(await makeDataDir());
      const deliverer = await openStore(paths);
      const early = messageBytes(300, 900);
      await enqueue(deliverer, 'early', early);
      // The producer's segment must sort after the deliverer's, so a reader reads the copy first.
      const start = Date.now();
      while (Date.now() <= start + 1) await new Promise((resolve) => setTimeout(resolve, 1));
      const producer = await openStore(paths);
      const bytes = messageBytes(301, 1200);
      const saved = await enqueue(producer, 'm', bytes);
      // Two of its three messages gone: the producer's sealed segment is mostly dead, so reclaimed.
      for (const id of ['x', 'y']) {
        await enqueue(producer, id, messageBytes(302, 500));
        await producer.remove(id);
      }
      await producer.close();
      const [delivererSegment = '', producerSegment = '', ...more] = await segmentFiles(paths);
      expect(more).toEqual([]);
      expect(deliverer.ownsSegment(delivererSegment)).toBe(true);
      expect(producer.ownsSegment(producerSegment)).toBe(true);
      const reclaimed = await fsp.readFile(path.join(paths.queue, producerSegment));

      // The deliverer copies m (state and bytes) into its own segment, then unlinks the producer's.
      await deliverer.compact();
      expect(await segmentFiles(paths)).toEqual([delivererSegment]);
      // A reader that listed the folder between those two steps reads both: the copy first, then the
      // original, which is gone by its next look.
      await fsp.writeFile(path.join(paths.queue, producerSegment), reclaimed, { mode: 0o600 });
      const notices: QuarantineNotice[] = [];
      const reader = await openStore(paths, notices);
      await fsp.unlink(path.join(paths.queue, producerSegment));
      expect(await reader.sync()).toEqual([]);
      // (Not reading m's bytes here: a failed read makes the store read the whole log again.)
      expect(reader.get('m')).toEqual(saved);

      let expected = saved;
      if (next === 'compact') {
        // The deliverer quits (its segment is sealed) and the reader becomes the deliverer.
        await deliverer.close();
        await reader.compact();
        const [left, ...others] = await segmentFiles(paths);
        expect(others).toEqual([]);
        expect(reader.ownsSegment(left ?? '')).toBe(true);
      } else {
        // Another process changes m: the reader checks m's bytes again and must still find them.
        expected = record('m', bytes.length, { state: 'held' });
        await deliverer.save(expected);
        expect(await reader.sync()).toEqual(['m']);
      }
      expect(notices).toEqual([]);
      expect(await fsp.readdir(paths.quarantine)).toEqual([]);
      expect(reader.get('m')).toEqual(expected);
      expect((await bytesOf(reader, 'm')).equals(bytes)).toBe(true);

      const fresh = await openStore(paths);
      expect(queuedIds(fresh)).toEqual(['early', 'm']);
      expect(fresh.get('m')).toEqual(expected);
      expect((await bytesOf(fresh, 'm')).equals(bytes)).toBe(true);
      expect((await bytesOf(fresh, 'early')).equals(early)).toBe(true);
    });
  }

  it('leaves a queue that reads the same whichever of the reclaimed segments a crash left behind', async () => {
    const paths = queuePaths(await makeDataDir());
    // A producer queues two messages (state and bytes in its segment)...
    const producer = await openStore(paths);
    const sentBytes = messageBytes(21, 900);
    const liveBytes = messageBytes(22, 1300);
    await enqueue(producer, 'sent', sentBytes);
    await enqueue(producer, 'live', liveBytes);
    await producer.close();
    // ...a deliverer records an attempt on each in one segment and the removal of one in the next.
    const deliverer = await openStore(paths);
    await deliverer.save(record('sent', sentBytes.length, { state: 'deferred', attempts: 1 }));
    const deferred = record('live', liveBytes.length, { state: 'deferred', attempts: 1 });
    await deliverer.save(deferred);
    await deliverer.close();
    await deliverer.remove('sent');
    await deliverer.close();
    const reclaimed = await segmentFiles(paths);
    expect(reclaimed).toHaveLength(3);
    const before = new Map(
      await Promise.all(
        reclaimed.map(async (name) => [name, await fsp.readFile(path.join(paths.queue, name))] as const),
      ),
    );

    const compactor = await openStore(paths);
    await compactor.compact();
    const [copies = '', ...more] = await segmentFiles(paths);
    expect(more).toEqual([]);

    // A crash between the unlinks can leave any of the three behind, beside the compactor's copies.
    for (let left = 0; left < 1 << reclaimed.length; left++) {
      const kept = reclaimed.filter((_, i) => left & (1 << i));
      for (const name of reclaimed) await fsp.rm(path.join(paths.queue, name), { force: true });
      for (const name of kept) await fsp.writeFile(path.join(paths.queue, name), before.get(name) ?? '');
      const notices: QuarantineNotice[] = [];
      const reader = createQueueStore(paths, { fs: nodeFileSystem, onQuarantine: (n) => notices.push(n) });
      await reader.init();
      expect({ kept, ids: queuedIds(reader), notices }).toEqual({ kept, ids: ['live'], notices: [] });
      expect(reader.get('live')).toEqual(deferred);
      expect((await bytesOf(reader, 'live')).equals(liveBytes)).toBe(true);
      await reader.close();
      for (const name of await segmentFiles(paths)) {
        if (name !== copies && !reclaimed.includes(name)) await fsp.rm(path.join(paths.queue, name));
      }
    }
    expect(await fsp.readdir(paths.quarantine)).toEqual([]);
  });

  it('keeps a removal for an hour, so a process that has not read it cannot bring the message back', async () => {
    const paths = queuePaths(await makeDataDir());
    const cli = await openStore(paths);
    const queued = await enqueue(cli, 'm', messageBytes(31, 700));
    await cli.close();
    // A second process reads the queue now and acts on it later, before reading it again.
    const stale = await openStore(paths);
    expect(queuedIds(stale)).toEqual(['m']);

    const deliverer = await openStore(paths);
    await deliverer.remove('m');
    await deliverer.close();
    // The first reclaim copies the removal (the queued state is still beside it); the second finds
    // nothing older left anywhere, and keeps it for its hour all the same.
    for (let i = 0; i < 2; i++) {
      const compactor = await openStore(paths);
      await compactor.compact();
      await compactor.close();
    }
    const frames = await Promise.all(
      (await segmentFiles(paths)).map(async (name) =>
        decodeFrames(await fsp.readFile(path.join(paths.queue, name))),
      ),
    );
    const ofM = frames
      .flatMap((f) => f.frames.map((frame) => frame.entry))
      .filter((e) => 'id' in e || e.op === 'put');
    const removedAt = ofM[0]?.op === 'del' ? ofM[0].at : undefined;
    expect(ofM).toEqual([{ op: 'del', id: 'm', rev: 2, at: removedAt }]);
    expect(removedAt).toBeGreaterThan(Date.now() - 60_000);

    // The stale process retries the message it still shows: a state with the next revision it knows.
    await stale.save({ ...queued, state: 'queued', attempts: 1 });
    await stale.close();
    const notices: QuarantineNotice[] = [];
    const reader = await openStore(paths, notices);
    expect({ ids: queuedIds(reader), notices }).toEqual({ ids: [], notices: [] });
  });

  it('leaves its own sealed segment in place while most of it is live, and reclaims it once most is gone', async () => {
    const paths = queuePaths(await makeDataDir());
    const store = await openStore(paths);
    const contents = new Map<string, Buffer>();
    // 200 KB each, inside the log: the 4 MB segment is sealed after about 20.
    for (let i = 0; i < 24; i++) {
      contents.set(`m${i}`, messageBytes(400 + i, 200_000));
      await enqueue(store, `m${i}`, contents.get(`m${i}`) ?? Buffer.alloc(0));
    }
    const [sealed = '', current, ...more] = await segmentFiles(paths);
    expect([current, more]).toEqual([expect.any(String), []]);
    const sealedSize = (await fsp.stat(path.join(paths.queue, sealed))).size;

    await store.compact();
    expect(await segmentFiles(paths)).toEqual([sealed, current]);
    expect((await fsp.stat(path.join(paths.queue, current ?? ''))).size).toBeLessThan(sealedSize / 2);

    const removed = [...contents.keys()].slice(0, 15);
    for (const id of removed) await store.remove(id);
    await store.compact();
    expect(await segmentFiles(paths)).toEqual([current]);
    const fresh = await openStore(paths);
    const live = [...contents.keys()].filter((id) => !removed.includes(id));
    expect(queuedIds(fresh)).toEqual([...live].sort());
    for (const id of live)
      expect((await bytesOf(fresh, id)).equals(contents.get(id) ?? Buffer.alloc(0))).toBe(true);
  });

  it('tells of changes it reads while compacting, so no message another process queued is missed', async () => {
    const paths = queuePaths(await makeDataDir());
    const changed: string[] = [];
    const deliverer = createQueueStore(paths, {
      fs: nodeFileSystem,
      onQuarantine: () => undefined,
      onChange: (ids) => changed.push(...ids),
    });
    await deliverer.init();
    cleanups.push(() => deliverer.close());
    const producer = await openStore(paths);
    await enqueue(producer, 'from-cli', messageBytes(3, 200));
    // Read by the compaction's own look at the log, before any folder event would have done it.
    await deliverer.compact();
    expect(changed).toEqual(['from-cli']);
    expect(queuedIds(deliverer)).toEqual(['from-cli']);
  });

  it('tells of every message it read when it starts, and of one gone when it reads the log again', async () => {
    const paths = queuePaths(await makeDataDir());
    const writer = await openStore(paths);
    await enqueue(writer, 'm1', messageBytes(21, 900));
    await enqueue(writer, 'm2', messageBytes(22, 700));
    await writer.close();
    const told: string[][] = [];
    const reader = createQueueStore(paths, {
      fs: nodeFileSystem,
      onQuarantine: () => undefined,
      onChange: (ids) => told.push([...ids].sort()),
    });
    await reader.init();
    cleanups.push(() => reader.close());
    expect(told).toEqual([['m1', 'm2']]);
    // Another process removes m1 and reclaims the segment the reader read m2's bytes from.
    const deliverer = await openStore(paths);
    await deliverer.remove('m1');
    await deliverer.compact();
    told.length = 0;
    await bytesOf(reader, 'm2');
    expect(told).toEqual([['m1', 'm2']]);
    expect(queuedIds(reader)).toEqual(['m2']);
  });

  it('reads bytes whose segment another process reclaimed by reading the log again, never showing a shorter queue meanwhile', async () => {
    const paths = queuePaths(await makeDataDir());
    const writer = await openStore(paths);
    const first = messageBytes(11, 900);
    await enqueue(writer, 'm1', first);
    await enqueue(writer, 'm2', messageBytes(12, 700));
    await writer.close();
    const reader = await openStore(paths);
    // The deliverer copies both into its own segment and deletes the writer's, where the reader looks.
    await (await openStore(paths)).compact();

    const seen: string[][] = [];
    const reads = { done: false };
    // Saved while the reader reads the log again: the new view must take it in too.
    const saving = enqueue(reader, 'm3', messageBytes(13, 500));
    const reading = bytesOf(reader, 'm1').finally(() => (reads.done = true));
    while (!reads.done) {
      seen.push(queuedIds(reader));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await reading).equals(first)).toBe(true);
    await saving;
    expect(seen.length).toBeGreaterThan(1);
    for (const shown of seen) expect(shown).toEqual(expect.arrayContaining(['m1', 'm2']));
    expect(queuedIds(reader)).toEqual(['m1', 'm2', 'm3']);
    expect(queuedIds(await openStore(paths))).toEqual(['m1', 'm2', 'm3']);
  });

  it('applies no frame of a batch whose commit never made it to disk', async () => {
    const paths = queuePaths(await makeDataDir());
    const a = await openStore(paths);
    await enqueue(a, 'whole', messageBytes(1, 300));
    await a.close();
    // A batch cut off before its commit (its write failed, and its callers were told so).
    const [segment = ''] = await segmentFiles(paths);
    await fsp.appendFile(
      path.join(paths.queue, segment),
      encodeFrame({ op: 'put', rev: 1, record: record('uncommitted', 10) }, Buffer.alloc(10)),
    );
    const b = await openStore(paths);
    expect(queuedIds(b)).toEqual(['whole']);
  });

  /** A file that takes each write only in part (97 bytes at most), as a full or busy disk may. */
  const piecemeal = async (open: Promise<WritableFile>): Promise<WritableFile> => {
    const real = await open;
    return {
      write: (chunk, offset = 0, length = chunk.length - offset, position) =>
        real.write(chunk, offset, Math.min(length, 97), position),
      sync: () => real.sync(),
      truncate: (length) => real.truncate(length),
      close: () => real.close(),
    };
  };
  it.each<[string, FileSystemSeam]>([
    ['write, then fsync', { create: (file) => piecemeal(nodeFileSystem.create(file)) }],
    [
      'O_DSYNC',
      {
        create: (file) => nodeFileSystem.create(file),
        createSynced(file: string) {
          if (!nodeFileSystem.createSynced) throw new Error('this platform has no O_DSYNC');
          return piecemeal(nodeFileSystem.createSynced(file));
        },
      },
    ],
  ])('writes whole frames to a disk that takes each write only in part (%s)', async (_, disk) => {
    const paths = queuePaths(await makeDataDir());
    const a = createQueueStore(paths, { fs: disk, onQuarantine: () => undefined });
    await a.init();
    const bytes = messageBytes(2, 5_000);
    await enqueue(a, 'pieces', bytes);
    await a.close();
    const b = await openStore(paths);
    expect(queuedIds(b)).toEqual(['pieces']);
    expect((await bytesOf(b, 'pieces')).equals(bytes)).toBe(true);
  });

  it('falls back to write + fsync on a file system that refuses O_DSYNC', async () => {
    const paths = queuePaths(await makeDataDir());
    const refused: string[] = [];
    const disk: FileSystemSeam = {
      create: (file) => nodeFileSystem.create(file),
      createSynced(file) {
        refused.push(file);
        return Promise.reject(Object.assign(new Error('EINVAL: invalid argument, open'), { code: 'EINVAL' }));
      },
    };
    const a = createQueueStore(paths, { fs: disk, onQuarantine: () => undefined });
    await a.init();
    const bytes = messageBytes(3, 2_000);
    await enqueue(a, 'fallback', bytes);
    await a.close();
    // The next segment goes straight to write + fsync.
    await enqueue(a, 'second', messageBytes(4, 100));
    await a.close();
    expect(refused).toHaveLength(1);
    const b = await openStore(paths);
    expect(queuedIds(b)).toEqual(['fallback', 'second']);
    expect((await bytesOf(b, 'fallback')).equals(bytes)).toBe(true);
  });

  it('sets aside a damaged stretch in the middle of a segment and keeps every other message', async () => {
    const paths = queuePaths(await makeDataDir());
    const a = await openStore(paths);
    const contents = new Map<string, Buffer>([1, 2, 3].map((n) => [`d${n}`, messageBytes(200 + n, 800 * n)]));
    for (const [id, bytes] of contents) await enqueue(a, id, bytes);
    await a.close();

    const [segment = ''] = await segmentFiles(paths);
    const file = path.join(paths.queue, segment);
    const bytes = await fsp.readFile(file);
    const frames = decodeFrames(bytes).frames;
    expect(frames.map((f) => f.entry.op)).toEqual([
      ...['writer', 'commit'],
      ...['put', 'commit'],
      ...['put', 'commit'],
      ...['put', 'commit'],
      ...['seal', 'commit'],
    ]);
    // The first put's frame: the damage runs from it to its commit.
    const from = frames[2]?.at ?? 0;
    const to = frames[3]?.at ?? 0;
    // A byte inside the first put's JSON ('{"op":"put"...'), 16 bytes of frame prefix before it.
    const where = from + 16 + 8;
    bytes[where] = (bytes[where] ?? 0) ^ 0x01;
    await fsp.writeFile(file, bytes);

    const notices: QuarantineNotice[] = [];
    const b = await openStore(paths, notices);
    expect(notices).toHaveLength(1);
    // Named though its CRC fails: the header's JSON is read as far as it goes.
    expect(notices[0]?.id).toBe('d1');
    expect(notices[0]?.reason).toContain(segment);

    const quarantined = await fsp.readdir(paths.quarantine);
    expect(quarantined).toHaveLength(1);
    const setAside = notices[0]?.file ?? '';
    expect(path.dirname(setAside)).toBe(path.join(paths.quarantine, quarantined[0] ?? ''));
    expect((await fsp.readFile(setAside)).equals(bytes.subarray(from, to))).toBe(true);
    expect(await mode(setAside)).toBe(0o600);

    expect(queuedIds(b)).toEqual(['d2', 'd3']);
    for (const id of ['d2', 'd3']) {
      expect((await bytesOf(b, id)).equals(contents.get(id) ?? Buffer.alloc(0))).toBe(true);
    }
    // Looking again reports nothing new, nor does reading the whole log again (which a read of bytes
    // that are not where the store thought does).
    expect(await b.sync()).toEqual([]);
    await expect(bytesOf(b, 'd1')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(notices).toHaveLength(1);
    expect(await fsp.readdir(paths.quarantine)).toEqual(quarantined);
    expect(queuedIds(b)).toEqual(['d2', 'd3']);
  });
});
