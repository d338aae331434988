import fsp from 'node:fs/promises';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import { afterEach, describe, expect, it } from 'vitest';
import {
  nodeFileSystem,
  type FileSystemSeam,
  type WritableFile,
} from '../../../../main/files/atomic-file.ts';
import { currentProcess } from '../../../../main/files/process-identity.ts';
import { decodeFrames, encodeFrame } from '../../../../main/outbox/store/queue-log-format.ts';
import { queuePaths, type QueuePaths } from '../../../../main/outbox/store/queue-paths.ts';
import {
  createQueueStore,
  type QuarantineNotice,
  type QueueStore,
} from '../../../../main/outbox/store/queue-store.ts';
import { createSegmentWriter } from '../../../../main/outbox/store/segment-writer.ts';
import { makeDataDir } from '../../../support/outbox-fixture.ts';
import { messageBytes } from '../../../support/message-bytes.ts';
import { queuedIds, segmentFiles } from '../../../support/queue-on-disk.ts';
import { sampleRecord } from '../../../support/sample-record.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const eio = (syscall: string) =>
  Object.assign(new Error(`EIO: i/o error, ${syscall}`), { code: 'EIO', errno: -5, syscall });

interface Faults {
  /** The next write to an O_DSYNC segment puts half its bytes on disk, then fails with EIO. */
  failNextWrite: boolean;
  /** Called once the failing write's half is on disk; the write then waits for `hold` before failing. */
  onFailing?: () => void;
  hold?: Promise<void>;
  /** The lengths truncate was asked for; every truncate fails with EIO. */
  readonly truncates: number[];
}

/** O_DSYNC segments on real files, through a handle whose truncate always fails and whose writes fail on demand. */
function failingDsyncDisk(faults: Faults): FileSystemSeam {
  const wrap = async (open: Promise<WritableFile>): Promise<WritableFile> => {
    const real = await open;
    return {
      async write(chunk, offset = 0, length = chunk.length - offset, position) {
        if (!faults.failNextWrite) return real.write(chunk, offset, length, position);
        faults.failNextWrite = false;
        await real.write(chunk, offset, Math.floor(length / 2), position);
        faults.onFailing?.();
        await faults.hold;
        throw eio('write');
      },
      sync: () => real.sync(),
      truncate(length) {
        faults.truncates.push(length);
        return Promise.reject(eio('ftruncate'));
      },
      close: () => real.close(),
    };
  };
  return {
    create: (file) => nodeFileSystem.create(file),
    createSynced(file) {
      if (!nodeFileSystem.createSynced) throw new Error('this platform has no O_DSYNC');
      return wrap(nodeFileSystem.createSynced(file));
    },
  };
}

async function openStore(
  paths: QueuePaths,
  fs: FileSystemSeam,
  notices: QuarantineNotice[],
): Promise<QueueStore> {
  const store = createQueueStore(paths, { fs, onQuarantine: (n) => notices.push(n) });
  await store.init();
  cleanups.push(() => store.close());
  return store;
}

async function enqueue(store: QueueStore, id: string, bytes: Buffer): Promise<void> {
  const size = await store.writeBytes(id, bytes);
  await store.save(sampleRecord(id, { sizeBytes: size }));
}

/** What a fresh process reading the folder sees: the ids, each one's bytes, and its notices. */
async function readBack(paths: QueuePaths) {
  const notices: QuarantineNotice[] = [];
  const store = await openStore(paths, nodeFileSystem, notices);
  const bytes = new Map<string, Buffer>();
  for (const id of queuedIds(store)) bytes.set(id, await buffer(store.openBytes(id)));
  return { bytes, notices };
}

/** The segments that still hold bytes past their last whole batch (what a failed write left). */
async function segmentsWithLeftovers(paths: QueuePaths): Promise<string[]> {
  const found: string[] = [];
  for (const name of await segmentFiles(paths)) {
    const bytes = await fsp.readFile(path.join(paths.queue, name));
    const decoded = decodeFrames(bytes);
    // Nothing whole after the leftovers: a reader takes them for a torn tail, not for damage.
    expect(decoded.damaged).toEqual([]);
    expect(decoded.frames.at(-1)?.entry.op).toBe('commit');
    if (decoded.end < bytes.length) found.push(name);
  }
  return found;
}

describe('segment recovery on an O_DSYNC disk whose truncate fails', () => {
  it('fails the batch whose write failed, keeps appending in a new segment, and a fresh reader sees exactly what was acknowledged', async () => {
    const paths = queuePaths(await makeDataDir());
    const faults: Faults = { failNextWrite: false, truncates: [] };
    const writerNotices: QuarantineNotice[] = [];
    const a = await openStore(paths, failingDsyncDisk(faults), writerNotices);
    const before = messageBytes(1, 3_000);
    const lost = messageBytes(2, 4_000);
    const after = messageBytes(3, 2_000);

    await enqueue(a, 'before', before);
    faults.failNextWrite = true;
    await expect(enqueue(a, 'lost', lost)).rejects.toMatchObject({ code: 'storage_failed' });
    // The write failed part-way and the cut-off was tried, and failed.
    expect(faults.failNextWrite).toBe(false);
    expect(faults.truncates).toHaveLength(1);
    await enqueue(a, 'after', after);
    expect(queuedIds(a)).toEqual(['after', 'before']);
    await a.close();

    // The half batch is still there, in a segment that took nothing after it.
    const leftovers = await segmentsWithLeftovers(paths);
    expect(leftovers).toHaveLength(1);
    expect(await segmentFiles(paths)).toHaveLength(2);

    const { bytes, notices } = await readBack(paths);
    expect([...bytes.keys()]).toEqual(['after', 'before']);
    expect(bytes.get('before')?.equals(before)).toBe(true);
    expect(bytes.get('after')?.equals(after)).toBe(true);
    expect({ notices, writerNotices }).toEqual({ notices: [], writerNotices: [] });
    expect(await fsp.readdir(paths.quarantine)).toEqual([]);
  });

  it('puts frames that arrive during the failing write into a new segment, never behind what it left', async () => {
    const paths = queuePaths(await makeDataDir());
    await fsp.mkdir(paths.queue, { recursive: true });
    const entered = Promise.withResolvers<undefined>();
    const hold = Promise.withResolvers<undefined>();
    const faults: Faults = {
      failNextWrite: false,
      truncates: [],
      onFailing: () => {
        entered.resolve(undefined);
      },
      hold: hold.promise,
    };
    const writer = createSegmentWriter(paths.queue, {
      fs: failingDsyncDisk(faults),
      identity: await currentProcess(),
    });
    cleanups.push(() => writer.close());
    const put = (id: string, body: Buffer) =>
      encodeFrame({ op: 'put', rev: 1, record: sampleRecord(id, { sizeBytes: body.length }) }, body);
    const contents = new Map([
      ['before', messageBytes(11, 1_500)],
      ['lost', messageBytes(12, 2_500)],
      ['meanwhile', messageBytes(13, 1_200)],
      ['later', messageBytes(14, 900)],
    ]);
    const frame = (id: string) => put(id, contents.get(id) ?? Buffer.alloc(0));

    const first = await writer.append(frame('before'));
    faults.failNextWrite = true;
    const lost = writer.append(frame('lost'));
    lost.catch(() => undefined);
    await entered.promise;
    // Its own batch: the failing one's write is under way.
    const meanwhile = writer.append(frame('meanwhile'));
    hold.resolve(undefined);
    await expect(lost).rejects.toMatchObject({ code: 'storage_failed' });
    const placed = await meanwhile;
    expect(faults.truncates).toHaveLength(1);
    expect(placed.segment).not.toBe(first.segment);
    expect(writer.retired()).toEqual([first.segment]);
    const later = await writer.append(frame('later'));
    expect(later.segment).toBe(placed.segment);
    await writer.close();

    expect(await segmentsWithLeftovers(paths)).toEqual([first.segment]);
    const { bytes, notices } = await readBack(paths);
    expect([...bytes.keys()]).toEqual(['before', 'later', 'meanwhile']);
    for (const [id, got] of bytes) expect(got.equals(contents.get(id) ?? Buffer.alloc(0))).toBe(true);
    expect(notices).toEqual([]);
  });
});
