import fsp from 'node:fs/promises';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFileSystem, type FileSystemSeam } from '../../../main/files/atomic-file.ts';
import { decodeFrames } from '../../../main/outbox/store/queue-log-format.ts';
import { queuePaths, type QueuePaths } from '../../../main/outbox/store/queue-paths.ts';
import {
  createQueueStore,
  type QuarantineNotice,
  type QueueStore,
} from '../../../main/outbox/store/queue-store.ts';
import { countingFs, type Written } from '../../support/counting-fs.ts';
import { enqueueAndDie } from '../../support/dead-writer.ts';
import { messageBytes } from '../../support/message-bytes.ts';
import { makeDataDir, plainEndpoint, startTestOutbox } from '../../support/outbox-fixture.ts';
import { queuedIds, segmentFiles } from '../../support/queue-on-disk.ts';
import { sampleRecord } from '../../support/sample-record.ts';
import { createTestAccounts } from '../../support/test-accounts.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openStore(
  paths: QueuePaths,
  options: { fs?: FileSystemSeam; notices?: QuarantineNotice[] } = {},
) {
  const store = createQueueStore(paths, {
    fs: options.fs ?? nodeFileSystem,
    onQuarantine: (notice) => options.notices?.push(notice),
  });
  await store.init();
  cleanups.push(() => store.close());
  return store;
}

async function enqueue(store: QueueStore, id: string, bytes: Buffer): Promise<void> {
  await store.save(sampleRecord(id, { sizeBytes: await store.writeBytes(id, bytes) }));
}

/** Every file in the queue folder with its size and modification time. */
async function folderState(paths: QueuePaths): Promise<Record<string, [number, number]>> {
  const state: Record<string, [number, number]> = {};
  for (const dir of [paths.queue, paths.bodies]) {
    for (const name of await fsp.readdir(dir)) {
      const stat = await fsp.stat(path.join(dir, name));
      state[path.join(path.basename(dir), name)] = [stat.size, stat.mtimeMs];
    }
  }
  return state;
}

describe('a deliverer starting over what other processes queued', () => {
  it('adopts their sealed segments in place: it writes nothing and every message is there', async () => {
    const dataDir = await makeDataDir();
    const paths = queuePaths(dataDir);
    const contents = new Map<string, Buffer>();
    // Four command-line calls, each sealing its segment as it ends; one message over 256 KB.
    for (let call = 0; call < 4; call++) {
      const cli = await openStore(paths);
      for (let i = 0; i < 25; i++) {
        const id = `c${call}-${i}`;
        contents.set(id, messageBytes(call * 100 + i, call === 0 && i === 0 ? 300_000 : 800 + i * 13));
        await enqueue(cli, id, contents.get(id) ?? Buffer.alloc(0));
      }
      await cli.close();
    }
    expect(await segmentFiles(paths)).toHaveLength(4);
    const before = await folderState(paths);

    const written: Written = { files: [], writes: 0 };
    const app = await startTestOutbox({
      dataDir,
      fs: countingFs(written),
      start: false,
      accounts: createTestAccounts([
        { id: 'work', fromAddress: 'me@example.org', endpoint: plainEndpoint(9) },
      ]),
    });
    cleanups.push(() => app.stop());
    // Offline: nothing is delivered, so anything written would be the start's own doing.
    app.online = false;
    await app.outbox.start();
    expect(app.outbox.isDeliverer()).toBe(true);
    expect(
      app.outbox.service
        .list()
        .map((item) => item.id)
        .sort(),
    ).toEqual([...contents.keys()].sort());

    // Stopping waits for whatever reclaiming the start began.
    await app.stop();
    expect(written).toEqual({ files: [], writes: 0 });
    expect(await folderState(paths)).toEqual(before);
    const reader = await openStore(paths);
    for (const [id, bytes] of contents) expect((await buffer(reader.openBytes(id))).equals(bytes)).toBe(true);
  });
});

describe('a sealed segment with damage in it', () => {
  it('is reclaimed however much of it is live, so the damage is reported once, not by every later reader', async () => {
    const paths = queuePaths(await makeDataDir());
    const cli = await openStore(paths);
    const contents = new Map(['d1', 'd2', 'd3'].map((id, n) => [id, messageBytes(500 + n, 900)]));
    for (const [id, bytes] of contents) await enqueue(cli, id, bytes);
    await cli.close();
    const [segment = ''] = await segmentFiles(paths);
    const file = path.join(paths.queue, segment);
    const log = await fsp.readFile(file);
    // A byte inside the first put's JSON (past the 16 bytes of frame prefix).
    const first = decodeFrames(log).frames.find((frame) => frame.entry.op === 'put')?.at ?? 0;
    log[first + 24] = (log[first + 24] ?? 0) ^ 0x01;
    await fsp.writeFile(file, log);

    const notices: QuarantineNotice[] = [];
    const deliverer = await openStore(paths, { notices });
    expect(notices).toHaveLength(1);
    await deliverer.compact();
    expect(await segmentFiles(paths)).not.toContain(segment);

    const later: QuarantineNotice[] = [];
    const reader = await openStore(paths, { notices: later });
    expect({ ids: queuedIds(reader), later }).toEqual({ ids: ['d2', 'd3'], later: [] });
    for (const id of ['d2', 'd3']) {
      expect((await buffer(reader.openBytes(id))).equals(contents.get(id) ?? Buffer.alloc(0))).toBe(true);
    }
  });
});

describe('reclaiming a segment whose writer died', () => {
  /** Small messages in the unsealed segment of a process that died; returns their ids. */
  async function deadWriterQueue(paths: QueuePaths, count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, (_, i) => `d${i}`);
    await enqueueAndDie(paths, ids);
    return ids;
  }

  it('copies what is live out in a few batched writes, not one per message', async () => {
    const paths = queuePaths(await makeDataDir());
    const ids = await deadWriterQueue(paths, 300);
    const [dead] = await segmentFiles(paths);

    const written: Written = { files: [], writes: 0 };
    const deliverer = await openStore(paths, { fs: countingFs(written) });
    await deliverer.compact();

    const [own = '', ...others] = await segmentFiles(paths);
    expect([own, others]).not.toContain(dead);
    expect(others).toEqual([]);
    expect(written.files).toEqual([own]);
    // The writer's header, then the 300 copies: one write for each group of reads, and there is one.
    expect(written.writes).toBeLessThanOrEqual(3);
    expect(queuedIds(await openStore(paths))).toEqual([...ids].sort());
  });

  it('leaves every message exactly once, wherever a crash stops the copy or the deletions', async () => {
    const paths = queuePaths(await makeDataDir());
    const ids = await deadWriterQueue(paths, 40);
    // Beside it, a sealed segment mostly dead: two messages of six left, one of them over 256 KB.
    const cli = await openStore(paths);
    const kept = new Map([
      ['s0', messageBytes(900, 300_000)],
      ['s1', messageBytes(901, 1200)],
    ]);
    for (const [id, bytes] of kept) await enqueue(cli, id, bytes);
    for (let i = 2; i < 6; i++) {
      await enqueue(cli, `s${i}`, messageBytes(900 + i, 700));
      await cli.remove(`s${i}`);
    }
    await cli.close();
    const reclaimed = await segmentFiles(paths);
    expect(reclaimed).toHaveLength(2);
    const originals = new Map(
      await Promise.all(
        reclaimed.map(async (name) => [name, await fsp.readFile(path.join(paths.queue, name))] as const),
      ),
    );
    const expected = [...ids, ...kept.keys()].sort();
    const bytesOf = async (store: QueueStore, id: string) => buffer(store.openBytes(id));
    const before = await openStore(paths);
    const deadBytes = await Promise.all(ids.map(async (id) => [id, await bytesOf(before, id)] as const));

    const compactor = await openStore(paths);
    await compactor.compact();
    const [copies = '', ...more] = await segmentFiles(paths);
    expect(more).toEqual([]);
    const copied = await fsp.readFile(path.join(paths.queue, copies));
    await compactor.close();

    // A crash while the copies were written leaves a prefix of them (the originals all there); one
    // during the deletions leaves every copy and any of the originals.
    const frameEnds = decodeFrames(copied).frames.map((frame) => frame.at);
    const prefixes = [...frameEnds, (frameEnds.at(-1) ?? 0) + 7, copied.length].map((length) => ({
      copy: copied.subarray(0, length),
      left: reclaimed,
    }));
    const subsets = Array.from({ length: 1 << reclaimed.length }, (_, mask) => ({
      copy: copied,
      left: reclaimed.filter((_, i) => mask & (1 << i)),
    }));
    for (const { copy, left } of [...prefixes, ...subsets]) {
      for (const name of await fsp.readdir(paths.queue)) await fsp.rm(path.join(paths.queue, name));
      await fsp.writeFile(path.join(paths.queue, copies), copy, { mode: 0o600 });
      for (const name of left) await fsp.writeFile(path.join(paths.queue, name), originals.get(name) ?? '');
      const notices: QuarantineNotice[] = [];
      const reader = createQueueStore(paths, { fs: nodeFileSystem, onQuarantine: (n) => notices.push(n) });
      await reader.init();
      const state = { length: copy.length, left, ids: queuedIds(reader), notices };
      expect(state).toEqual({ length: copy.length, left, ids: expected, notices: [] });
      for (const [id, bytes] of [...kept, ...deadBytes])
        expect((await bytesOf(reader, id)).equals(bytes)).toBe(true);
      await reader.close();
      for (const name of await segmentFiles(paths)) {
        if (name !== copies && !reclaimed.includes(name)) await fsp.rm(path.join(paths.queue, name));
      }
    }
    expect(await fsp.readdir(paths.quarantine)).toEqual([]);
  });
});
