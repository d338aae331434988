import fsp from 'node:fs/promises';
import path from 'node:path';
import { text } from 'node:stream/consumers';
import { nodeFileSystem } from '../../main/files/atomic-file.ts';
import { decodeFrames, type LogEntry } from '../../main/outbox/store/queue-log-format.ts';
import { queuePaths, type QueuePaths } from '../../main/outbox/store/queue-paths.ts';
import type { QueueRecord } from '../../main/outbox/store/queue-record.ts';
import { createQueueStore, type QueueStore } from '../../main/outbox/store/queue-store.ts';

/** What the queue on disk holds, read by a fresh store the way another process would read it. */
export async function storedMessages(dataDir: string): Promise<{ record: QueueRecord; bytes: string }[]> {
  const store = createQueueStore(queuePaths(dataDir), { fs: nodeFileSystem, onQuarantine: () => undefined });
  await store.init();
  try {
    return await Promise.all(
      store.all().map(async (record) => ({ record, bytes: await text(store.openBytes(record.id)) })),
    );
  } finally {
    await store.close();
  }
}

/** Every whole entry in every segment of the log, in file order: what was ever appended. */
export async function loggedEntries(dataDir: string): Promise<LogEntry[]> {
  const dir = queuePaths(dataDir).queue;
  const names = await fsp.readdir(dir).catch(() => []);
  const entries: LogEntry[] = [];
  for (const name of names.sort()) {
    const decoded = decodeFrames(await fsp.readFile(path.join(dir, name)), 0, true);
    if (decoded.damaged.length > 0) throw new Error(`${name} is damaged`);
    entries.push(...decoded.frames.map((f) => f.entry));
  }
  return entries;
}

/** Files that a refused or finished message must not leave behind. */
export async function leftoverFiles(dataDir: string): Promise<string[]> {
  const paths = queuePaths(dataDir);
  const lists = await Promise.all(
    [paths.bodies, paths.tmp].map((dir) => fsp.readdir(dir).catch(() => [] as string[])),
  );
  return lists.flat();
}

/** The ids a store shows, sorted. */
export const queuedIds = (store: QueueStore): string[] =>
  store
    .all()
    .map((r) => r.id)
    .sort();

/** The log's segment files, oldest first. */
export const segmentFiles = async (paths: QueuePaths): Promise<string[]> =>
  (await fsp.readdir(paths.queue)).filter((n) => n.endsWith('.log')).sort();

/** The contents of every file set aside in the quarantine folder, however it is laid out. */
export async function quarantinedFiles(paths: QueuePaths): Promise<Buffer[]> {
  const entries = await fsp.readdir(paths.quarantine, { recursive: true, withFileTypes: true });
  // A set-aside item's notice.json describes what it keeps; it is not what was kept.
  const files = entries.filter((entry) => entry.isFile() && entry.name !== 'notice.json');
  return Promise.all(files.map((entry) => fsp.readFile(path.join(entry.parentPath, entry.name))));
}
