import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../../../main/files/atomic-file.ts';
import { encodeFrame, readableHeaders } from '../../../../main/outbox/store/queue-log-format.ts';
import { queuePaths, type QueuePaths } from '../../../../main/outbox/store/queue-paths.ts';
import {
  createQueueStore,
  type QuarantineNotice,
  type QueueStore,
} from '../../../../main/outbox/store/queue-store.ts';
import { makeDataDir } from '../../../support/outbox-fixture.ts';
import { messageBytes } from '../../../support/message-bytes.ts';
import { segmentFiles } from '../../../support/queue-on-disk.ts';
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

async function enqueue(store: QueueStore, id: string, bytes: Buffer): Promise<void> {
  const size = await store.writeBytes(id, bytes);
  await store.save(sampleRecord(id, { sizeBytes: size }));
}

const exists = (file: string) =>
  fsp.stat(file).then(
    () => true,
    () => false,
  );

/** Past the age at which a message file nothing refers to is an orphan. */
const later = () => Date.now() + 60_000;

describe('readableHeaders', () => {
  const put = encodeFrame({ op: 'put', rev: 1, record: sampleRecord('m1', { subject: 'Hello' }) });
  const del = encodeFrame({ op: 'del', id: 'm2', rev: 3 });

  it('names the messages of frames whose CRC fails, cut short, or damaged inside their JSON', () => {
    const damaged = Buffer.concat([put, del]);
    damaged.writeUInt8((damaged[put.length - 3] ?? 0) ^ 0x01, put.length - 3);
    expect(readableHeaders(damaged)).toMatchObject([
      { op: 'put', id: 'm1', subject: 'Hello', recipients: ['ann@example.net'] },
      { op: 'del', id: 'm2' },
    ]);
    // Cut inside the record, after its subject: read from the text that is there.
    const cut = put.subarray(0, put.indexOf('"recipients"'));
    expect(readableHeaders(cut)).toEqual([{ op: 'put', id: 'm1', subject: 'Hello' }]);
  });

  it('never throws, whatever it is given', () => {
    for (const junk of [
      Buffer.alloc(0),
      Buffer.from('OBXQ'),
      Buffer.from('OBXQ\xff\xff\xff\xffxx', 'latin1'),
    ]) {
      expect(() => readableHeaders(junk)).not.toThrow();
    }
    const bytes = messageBytes(3, 5000);
    for (let at = 0; at < put.length; at += 7) {
      expect(() =>
        readableHeaders(Buffer.concat([bytes.subarray(0, 50), put.subarray(0, at)])),
      ).not.toThrow();
    }
  });
});

describe('removeOrphans and what was set aside', () => {
  it('moves a message file a damaged stretch names into its folder instead of deleting it', async () => {
    const paths = queuePaths(await makeDataDir());
    const a = await openStore(paths);
    const big = messageBytes(1, 300 * 1024);
    await enqueue(a, 'big', big);
    await enqueue(a, 'next', messageBytes(2, 100));
    await a.close();

    const [segment = ''] = await segmentFiles(paths);
    const file = path.join(paths.queue, segment);
    const log = await fsp.readFile(file);
    // A bit of the big message's state: its put is damaged, its bytes (a file of their own) are whole.
    const at = log.indexOf('"subject big"') + 3;
    log.writeUInt8((log[at] ?? 0) ^ 0x01, at);
    await fsp.writeFile(file, log);
    // Something nothing refers to, which does go.
    await fsp.writeFile(path.join(paths.bodies, 'stray.eml'), 'x');

    const notices: QuarantineNotice[] = [];
    const b = await openStore(paths, notices);
    expect(notices).toMatchObject([{ id: 'big' }]);
    await b.removeOrphans(0, later());

    expect(await exists(path.join(paths.bodies, 'big.eml'))).toBe(false);
    expect(await exists(path.join(paths.bodies, 'stray.eml'))).toBe(false);
    const kept = path.join(path.dirname(notices[0]?.file ?? ''), 'big.eml');
    expect((await fsp.readFile(kept)).equals(big)).toBe(true);
  });

  it('keeps a message file whose id is in an old-layout stretch, even one too damaged to read', async () => {
    const paths = queuePaths(await makeDataDir());
    const store = await openStore(paths);
    await fsp.writeFile(
      path.join(paths.quarantine, 'w1.log-100.damaged'),
      Buffer.from('\x00garbage "old1" garbage', 'latin1'),
    );
    const folder = path.join(paths.quarantine, 'old2-1767261600000');
    await fsp.mkdir(folder);
    await fsp.writeFile(path.join(folder, 'state.json'), JSON.stringify(sampleRecord('old2')));
    for (const id of ['old1', 'old2', 'stray']) await fsp.writeFile(path.join(paths.bodies, `${id}.eml`), id);

    await store.removeOrphans(0, later());

    expect(await exists(path.join(paths.bodies, 'old1.eml'))).toBe(true);
    expect(await fsp.readFile(path.join(folder, 'old2.eml'), 'utf8')).toBe('old2');
    expect(await exists(path.join(paths.bodies, 'stray.eml'))).toBe(false);
  });
});
