import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../../../main/files/atomic-file.ts';
import { NewerFormatError } from '../../../../main/files/versioned.ts';
import { encodeFrame, type LogEntry } from '../../../../main/outbox/store/queue-log-format.ts';
import { queuePaths } from '../../../../main/outbox/store/queue-paths.ts';
import { toQueueItem } from '../../../../main/outbox/store/queue-record.ts';
import { createQueueStore, type QueueStore } from '../../../../main/outbox/store/queue-store.ts';
import { errorCodes } from '../../../../preload/contract/errors.ts';
import { makeDataDir } from '../../../support/outbox-fixture.ts';
import { sampleRecord } from '../../../support/sample-record.ts';

const stores: QueueStore[] = [];
afterEach(async () => {
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

function openStore(dataDir: string): QueueStore {
  const store = createQueueStore(queuePaths(dataDir), { fs: nodeFileSystem, onQuarantine: () => undefined });
  stores.push(store);
  return store;
}

/** A segment as another build would have written it: a writer that is gone, one committed batch. */
async function writeSegment(dataDir: string, entries: object[], body?: Buffer): Promise<string> {
  const paths = queuePaths(dataDir);
  await fsp.mkdir(paths.queue, { recursive: true });
  const file = path.join(paths.queue, 'newer-999999-ab.log');
  const frames = [{ op: 'writer', pid: 999_999 }, ...entries, { op: 'commit' }].map((entry) =>
    encodeFrame(entry as LogEntry, 'record' in entry ? body : undefined),
  );
  await fsp.writeFile(file, Buffer.concat(frames));
  return file;
}

describe('a queue record as stored', () => {
  it('stays readable when its error code is no longer one the bridge knows, and shows it as internal', async () => {
    const code = 'smtp_auth_failed';
    expect(errorCodes).not.toContain(code);
    const dataDir = await makeDataDir();
    const lastError = { code, message: 'The server refused the login.', field: 'password' };
    const bytes = Buffer.from('Subject: hi\r\n\r\nhello\r\n');
    await writeSegment(
      dataDir,
      [
        {
          op: 'put',
          rev: 1,
          record: sampleRecord('a', { state: 'deferred', lastError, sizeBytes: bytes.length }),
        },
      ],
      bytes,
    );
    const store = openStore(dataDir);
    await store.init();
    const record = store.get('a');
    expect(record?.lastError).toEqual(lastError);
    expect(record && toQueueItem(record).lastError).toEqual({ ...lastError, code: 'internal' });
    expect(await fsp.readdir(queuePaths(dataDir).quarantine)).toEqual([]);
  });

  it.each([
    ['a message', { op: 'put', rev: 1, record: { ...sampleRecord('a'), version: 2 } }],
    [
      'a sent record',
      {
        op: 'del',
        id: 'a',
        rev: 2,
        sent: {
          version: 3,
          id: 'a',
          messageId: '<a@example.org>',
          accountId: 'work',
          from: 'me@example.org',
          subject: 'a',
          sentAt: '2026-01-01T10:00:00.000Z',
          recipients: [],
          sizeBytes: 100,
          attempts: 1,
        },
      },
    ],
  ])(
    'written by a newer Outbox (%s) is refused, and the log is left exactly as it was',
    async (_name, entry) => {
      const dataDir = await makeDataDir();
      const file = await writeSegment(dataDir, [entry]);
      const before = await fsp.readFile(file);
      const store = openStore(dataDir);
      await expect(store.init()).rejects.toThrow(NewerFormatError);
      await expect(store.init()).rejects.toThrow(/newer version of Outbox/);
      expect((await fsp.readFile(file)).equals(before)).toBe(true);
      expect(await fsp.readdir(queuePaths(dataDir).queue)).toEqual([path.basename(file)]);
      expect(await fsp.readdir(queuePaths(dataDir).quarantine)).toEqual([]);
    },
  );
});
