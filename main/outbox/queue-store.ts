import { createReadStream, type Stats } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  ensureDir,
  isNotFound,
  removeFiles,
  unlinkIfExists,
  writeFileAtomic,
  writeThenCommit,
  type FileContent,
  type FileSystemSeam,
} from './atomic-file.ts';
import { createHandoverJournal } from './handover-journal.ts';
import { bytesFile, stateFile, type QueuePaths } from './queue-paths.ts';
import { queueRecord, type QueueRecord } from './queue-record.ts';

const ID_FILE = /^([A-Za-z0-9_-]+)\.json$/;

export interface QuarantineNotice {
  readonly id: string;
  readonly reason: string;
}

/** Durable per-message files. Every method is safe to call from several processes at once. */
export interface QueueStore {
  readonly paths: QueuePaths;
  init(): Promise<void>;
  /**
   * Writes the message bytes and returns their size; they are durable once the state is saved (or
   * gone once removed). The message does not exist until its state is saved.
   */
  writeBytes(id: string, content: FileContent): Promise<number>;
  save(record: QueueRecord): Promise<void>;
  /**
   * Of these ids, those whose state file another process changed, added or removed since this
   * process last wrote or read it: one stat each, so a folder event for its own write costs no read.
   */
  changedElsewhere(ids: readonly string[]): Promise<string[]>;
  /** A committed message, or undefined when it is gone or was set aside as corrupt. */
  load(id: string): Promise<QueueRecord | undefined>;
  loadAll(): Promise<QueueRecord[]>;
  /** Uncommits first (the state file), then the bytes and the hand-over marker. */
  remove(id: string): Promise<void>;
  openBytes(id: string): Readable;
  /** Records durably that the whole body went to the server in this attempt (before the final dot). */
  markHandedOver(id: string, attempt: number): Promise<void>;
  /** The newest handed-over attempt per message since the last reset. */
  handovers(): Promise<Map<string, number>>;
  /** Forgets all hand-overs; only when every attempt's outcome is saved and none is in flight. */
  resetHandovers(): Promise<void>;
  close(): Promise<void>;
  /** Removes bytes and temp files no state file refers to (a producer died mid-enqueue). */
  removeOrphans(olderThanMs: number, now: number): Promise<void>;
}

/** A state file version: every save renames a new file into place, so a new inode and mtime. */
const versionOf = (stat: Pick<Stats, 'ino' | 'size' | 'mtimeMs'>) =>
  `${stat.ino}:${stat.size}:${stat.mtimeMs}`;

/** Small messages keep a copy of their bytes from enqueue to delivery: four file operations fewer each. */
const CACHED_MESSAGE_BYTES = 256 * 1024;
const CACHE_BUDGET_BYTES = 32 * 1024 * 1024;

/** Passes `content` through, keeping a copy of it while it stays small. */
function copying(content: FileContent, keep: (bytes: Buffer) => void): FileContent {
  if (typeof content === 'string' || content instanceof Uint8Array) {
    const bytes = Buffer.from(content);
    if (bytes.length <= CACHED_MESSAGE_BYTES) keep(bytes);
    return bytes;
  }
  return (async function* () {
    let chunks: Buffer[] | undefined = [];
    let size = 0;
    for await (const chunk of content) {
      size += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
      if (size > CACHED_MESSAGE_BYTES) chunks = undefined;
      // A copy: a stream may reuse the memory of a chunk it handed out.
      chunks?.push(Buffer.from(chunk));
      yield chunk;
    }
    if (chunks) keep(Buffer.concat(chunks, size));
  })();
}

const exists = (file: string) =>
  fsp.access(file).then(
    () => true,
    () => false,
  );

export function createQueueStore(
  paths: QueuePaths,
  options: { fs: FileSystemSeam; onQuarantine: (notice: QuarantineNotice) => void },
): QueueStore {
  const journal = createHandoverJournal(paths.handovers);
  /** The version of each state file this process last wrote or read. */
  const versions = new Map<string, string>();
  /** Bytes files as written by this process, oldest first; never changed once written. */
  const cached = new Map<string, Buffer>();
  let cachedBytes = 0;
  /** Bytes files still being synced and renamed; the state file's rename waits for them. */
  const committing = new Map<string, Promise<void>>();
  function uncache(id: string): void {
    cachedBytes -= cached.get(id)?.length ?? 0;
    cached.delete(id);
  }
  function cache(id: string, bytes: Buffer): void {
    cached.set(id, bytes);
    cachedBytes += bytes.length;
    for (const oldest of cached.keys()) {
      if (cachedBytes <= CACHE_BUDGET_BYTES) break;
      uncache(oldest);
    }
  }

  async function quarantine(id: string, reason: string): Promise<void> {
    uncache(id);
    const dir = path.join(paths.quarantine, `${id}-${Date.now()}`);
    await ensureDir(dir);
    for (const file of [stateFile(paths, id), bytesFile(paths, id)]) {
      await fsp.rename(file, path.join(dir, path.basename(file))).catch((error: unknown) => {
        if (!isNotFound(error)) throw error;
      });
    }
    options.onQuarantine({ id, reason });
  }

  async function load(id: string): Promise<QueueRecord | undefined> {
    let text: string;
    let version: string;
    try {
      const handle = await fsp.open(stateFile(paths, id), 'r');
      try {
        version = versionOf(await handle.stat());
        text = await handle.readFile('utf8');
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (isNotFound(error)) {
        versions.delete(id);
        return undefined;
      }
      throw error;
    }
    let parsed: ReturnType<typeof queueRecord.safeParse>;
    try {
      parsed = queueRecord.safeParse(JSON.parse(text));
    } catch {
      await quarantine(id, 'its state file is not valid JSON');
      return undefined;
    }
    if (!parsed.success || parsed.data.id !== id) {
      await quarantine(id, 'its state file is not a valid queue record');
      return undefined;
    }
    const size = await fsp.stat(bytesFile(paths, id)).then(
      (s) => s.size,
      () => -1,
    );
    if (size !== parsed.data.sizeBytes) {
      // The deliverer in another process may have just removed a sent message.
      if (!(await exists(stateFile(paths, id)))) return undefined;
      await quarantine(id, size < 0 ? 'its message file is missing' : 'its message file is truncated');
      return undefined;
    }
    versions.set(id, version);
    return parsed.data;
  }

  return {
    paths,
    async init() {
      for (const dir of [paths.root, paths.queue, paths.tmp, paths.quarantine, paths.sent, paths.edits]) {
        await ensureDir(dir);
      }
    },
    // The state file's commit syncs the same directory afterwards, which makes this rename durable too.
    async writeBytes(id, content) {
      let copy: Buffer | undefined;
      // The state file is written and synced while these bytes sync: one fsync wait fewer per enqueue.
      const { size, committed } = await writeThenCommit(
        bytesFile(paths, id),
        copying(content, (bytes) => (copy = bytes)),
        { tmpDir: paths.tmp, fs: options.fs, syncDir: false },
      );
      const done = committed.finally(() => committing.delete(id));
      // Awaited by save or remove; a failure is theirs to report.
      done.catch(() => undefined);
      committing.set(id, done);
      if (copy) cache(id, copy);
      return size;
    },
    async save(record) {
      await writeFileAtomic(stateFile(paths, record.id), JSON.stringify(record), {
        tmpDir: paths.tmp,
        fs: options.fs,
        // Noted before the rename, so the folder event the rename causes already finds it.
        beforeRename: async (temp) => {
          // The bytes must be on disk and in place before the state file commits the message.
          await committing.get(record.id);
          versions.set(record.id, versionOf(await fsp.stat(temp)));
        },
      });
    },
    async changedElsewhere(ids) {
      const changed = await Promise.all(
        ids.map(async (id) => {
          const stat = await fsp.stat(stateFile(paths, id)).catch((error: unknown) => {
            if (isNotFound(error)) return undefined;
            throw error;
          });
          return (stat && versionOf(stat)) !== versions.get(id);
        }),
      );
      return ids.filter((_id, i) => changed[i]);
    },
    load,
    async loadAll() {
      const names = await fsp.readdir(paths.queue);
      const ids = names.flatMap((name) => ID_FILE.exec(name)?.[1] ?? []);
      const records = await Promise.all(ids.map(load));
      return records.filter((r): r is QueueRecord => r !== undefined);
    },
    async remove(id) {
      await committing.get(id)?.catch(() => undefined);
      versions.delete(id);
      uncache(id);
      await removeFiles([stateFile(paths, id)]);
      // Without their state file these are orphans either way; should a crash bring them back,
      // removeOrphans deletes them, so their removal need not wait for the disk.
      await unlinkIfExists(bytesFile(paths, id));
    },
    openBytes(id) {
      const copy = cached.get(id);
      return copy
        ? Readable.from([copy], { objectMode: false })
        : createReadStream(bytesFile(paths, id), { highWaterMark: 256 * 1024 });
    },
    markHandedOver: (id, attempt) => journal.mark(id, attempt),
    handovers: () => journal.read(),
    resetHandovers: () => journal.reset(),
    close: () => journal.close(),
    async removeOrphans(olderThanMs, now) {
      const committed = new Set(
        (await fsp.readdir(paths.queue)).flatMap((name) => ID_FILE.exec(name)?.[1] ?? []),
      );
      const candidates = [
        ...(await fsp.readdir(paths.queue))
          .filter((name) => !committed.has(name.replace(/\.eml$/, '')) && !ID_FILE.test(name))
          .map((name) => path.join(paths.queue, name)),
        ...(await fsp.readdir(paths.tmp)).map((name) => path.join(paths.tmp, name)),
      ];
      const stale: string[] = [];
      for (const file of candidates) {
        const stat = await fsp.stat(file).catch(() => undefined);
        // Another producer may be between writing the bytes and committing the state right now.
        if (stat && now - stat.mtimeMs > olderThanMs) stale.push(file);
      }
      if (stale.length > 0) await removeFiles(stale);
    },
  };
}
