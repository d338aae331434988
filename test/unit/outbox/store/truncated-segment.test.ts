import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../../../main/files/atomic-file.ts';
import { decodeFrames, encodeFrame } from '../../../../main/outbox/store/queue-log-format.ts';
import { queuePaths, type QueuePaths } from '../../../../main/outbox/store/queue-paths.ts';
import {
  createQueueStore,
  type QuarantineNotice,
  type QueueStore,
} from '../../../../main/outbox/store/queue-store.ts';
import { enqueueAndDie } from '../../../support/dead-writer.ts';
import { makeDataDir } from '../../../support/outbox-fixture.ts';
import { messageBytes } from '../../../support/message-bytes.ts';
import { quarantinedFiles, queuedIds, segmentFiles } from '../../../support/queue-on-disk.ts';
import { sampleRecord } from '../../../support/sample-record.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openStore(paths: QueuePaths, notices: QuarantineNotice[] = []): Promise<QueueStore> {
  const store = createQueueStore(paths, { fs: nodeFileSystem, onQuarantine: (n) => notices.push(n) });
  await store.init();
  cleanups.push(() => store.close());
  return store;
}

/** A segment sealed by a store that queued one message per id; where each message's frame starts. */
async function sealedSegment(paths: QueuePaths, ids: readonly string[]) {
  const writer = await openStore(paths);
  for (const [n, id] of ids.entries()) {
    const bytes = messageBytes(n, 700 + n * 300);
    await writer.save(sampleRecord(id, { sizeBytes: await writer.writeBytes(id, bytes) }));
  }
  await writer.close();
  const [segment = ''] = await segmentFiles(paths);
  const file = path.join(paths.queue, segment);
  const log = await fsp.readFile(file);
  const puts = decodeFrames(log).frames.flatMap((f) => (f.entry.op === 'put' ? [f.at] : []));
  return { segment, file, log, puts };
}

const missing = (segment: string, bytes: number) =>
  `the end of ${segment} is missing: ${bytes} bytes of committed queue data`;

describe('a segment that loses committed frames', () => {
  it('is reported when it shrinks under a running store, once', async () => {
    const paths = queuePaths(await makeDataDir());
    const { segment, file, log, puts } = await sealedSegment(paths, ['first', 'second']);
    const notices: QuarantineNotice[] = [];
    const reader = await openStore(paths, notices);
    expect(queuedIds(reader)).toEqual(['first', 'second']);
    expect(notices).toEqual([]);

    // Cut inside the second message's frame, which the reader has read.
    const from = puts[1] ?? 0;
    const cut = from + 100;
    await fsp.truncate(file, cut);
    await reader.sync();
    expect(notices).toEqual([expect.objectContaining({ reason: missing(segment, log.length - cut) })]);
    // What is left after the last commit still there is set aside.
    expect(await quarantinedFiles(paths)).toEqual([log.subarray(from, cut)]);

    await reader.sync();
    expect(notices).toHaveLength(1);
  });

  it('is reported, with what is missing, by a store that opens it after its end was cut off', async () => {
    const paths = queuePaths(await makeDataDir());
    const { segment, file, log, puts } = await sealedSegment(paths, ['kept', 'lost']);
    const cut = (puts[1] ?? 0) + 10;
    await fsp.truncate(file, cut);

    const notices: QuarantineNotice[] = [];
    const reader = await openStore(paths, notices);
    expect(queuedIds(reader)).toEqual(['kept']);
    expect(notices).toEqual([expect.objectContaining({ reason: missing(segment, log.length - cut) })]);
    await reader.sync();
    expect(notices).toHaveLength(1);
  });

  it('stays silent when torn after its last commit by a writer that died (never acknowledged)', async () => {
    const paths = queuePaths(await makeDataDir());
    await enqueueAndDie(paths, ['a', 'b']);
    const [segment = ''] = await segmentFiles(paths);
    expect(await fsp.readdir(paths.queue)).toEqual([segment]);
    // Half of a batch whose write the crash cut short.
    const torn = encodeFrame(
      { op: 'put', rev: 1, record: sampleRecord('c', { sizeBytes: 4 }) },
      Buffer.from('body'),
    );
    await fsp.appendFile(path.join(paths.queue, segment), torn.subarray(0, torn.length >> 1));

    const notices: QuarantineNotice[] = [];
    const reader = await openStore(paths, notices);
    expect(queuedIds(reader)).toEqual(['a', 'b']);
    // The deliverer reads it to its end (its writer is gone) and reclaims it.
    await reader.compact();
    expect(await segmentFiles(paths)).not.toContain(segment);
    expect(queuedIds(reader)).toEqual(['a', 'b']);
    expect(notices).toEqual([]);
    expect(await quarantinedFiles(paths)).toEqual([]);
    expect(queuedIds(await openStore(paths))).toEqual(['a', 'b']);
  });
});

describe('seal markers', () => {
  it('are removed with their segment by compaction, and those left without one are cleaned up', async () => {
    const paths = queuePaths(await makeDataDir());
    const { segment } = await sealedSegment(paths, ['m', 'n', 'o']);
    expect((await fsp.readdir(paths.queue)).sort()).toEqual([segment, `${segment}.sealed`]);
    // Left by crashes: a marker whose segment was reclaimed, and one whose write never finished.
    const stray = ['mx000000-1-00000000.log.sealed', 'mx000000-2-00000000.log.sealed.0a1b2c3d4e5f.tmp'];
    const longAgo = new Date(Date.now() - 3_600_000);
    for (const name of stray) {
      await fsp.writeFile(path.join(paths.queue, name), '{}');
      await fsp.utimes(path.join(paths.queue, name), longAgo, longAgo);
    }
    // Being written right now by a writer sealing a segment that is reclaimed meanwhile.
    const writing = 'mx000000-3-00000000.log.sealed.0a1b2c3d4e5f.tmp';
    await fsp.writeFile(path.join(paths.queue, writing), '{}');

    const deliverer = await openStore(paths);
    // Two of its three messages gone: the sealed segment is mostly dead, so reclaimed.
    for (const id of ['n', 'o']) await deliverer.remove(id);
    await deliverer.compact();
    const [own = '', ...others] = await segmentFiles(paths);
    expect(others).toEqual([]);
    expect(deliverer.ownsSegment(own)).toBe(true);
    expect((await fsp.readdir(paths.queue)).sort()).toEqual([own, writing].sort());
    expect(queuedIds(deliverer)).toEqual(['m']);
  });
});
