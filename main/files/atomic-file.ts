import { constants } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors/app-error.ts';
import { ownIdentity, tempFileName } from './temp-name.ts';

/** The one part of the file system a durable write goes through, so tests can make a disk fill up. */
export interface WritableFile {
  /** Without a position, at the end of what this handle wrote so far. May write less than asked. */
  write(
    chunk: Uint8Array,
    offset?: number,
    length?: number,
    position?: number,
  ): Promise<{ bytesWritten: number }>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}
export interface FileSystemSeam {
  /** Creates a new file, owner-only, failing if it exists. */
  create(filePath: string): Promise<WritableFile>;
  /**
   * Like `create`, but each write is on disk when it returns (O_DSYNC): a write and its fsync in
   * one call, one trip to the thread pool instead of two. Absent where the platform has no O_DSYNC.
   */
  createSynced?(filePath: string): Promise<WritableFile>;
}

const { O_WRONLY, O_CREAT, O_EXCL } = constants;
/** Windows has none (Node's typings say it is always there). */
const O_DSYNC = (constants as { O_DSYNC?: number }).O_DSYNC;

export const nodeFileSystem: FileSystemSeam = {
  create: (filePath) => fsp.open(filePath, 'wx', 0o600),
  ...(O_DSYNC === undefined
    ? {}
    : {
        createSynced: (filePath: string) => fsp.open(filePath, O_WRONLY | O_CREAT | O_EXCL | O_DSYNC, 0o600),
      }),
};

/** Creates a folder and its missing parents owner-only: the queue holds private mail. */
export { ensureOwnerOnlyDir as ensureDir } from './owner-only.ts';

/** Flushes a file or a directory, by path, to disk. */
export async function syncPath(target: string): Promise<void> {
  const handle = await fsp.open(target, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

interface DirSync {
  running?: Promise<void>;
  queued?: Promise<void>;
}
const dirSyncs = new Map<string, DirSync>();

/**
 * A rename or unlink is durable only once the directory itself is on disk. Concurrent callers share
 * fsyncs (group commit): one that arrives while an fsync runs waits for the next one, which starts
 * after its change and so covers it, together with all others that arrived meanwhile.
 */
export function fsyncDir(dir: string): Promise<void> {
  let state = dirSyncs.get(dir);
  if (!state) {
    state = {};
    dirSyncs.set(dir, state);
  }
  const current = state;
  if (!current.running) {
    current.running = syncPath(dir).finally(() => {
      current.running = undefined;
      if (!current.queued) dirSyncs.delete(dir);
    });
    return current.running;
  }
  current.queued ??= current.running
    .catch(() => undefined)
    .then(() => {
      current.queued = undefined;
      return fsyncDir(dir);
    });
  return current.queued;
}

export function errno(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function isNotFound(error: unknown): boolean {
  return errno(error) === 'ENOENT';
}

/** Turns a failed write into an AppError; an AppError raised on the way (e.g. by a source stream) stays. */
export function storageError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const code = errno(error);
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new AppError('disk_full', 'The disk is full, so the message could not be saved.', {
      cause: error,
    });
  }
  return new AppError('storage_failed', `The message could not be saved (${code ?? 'write failed'}).`, {
    cause: error,
  });
}

export type FileContent = string | Uint8Array | AsyncIterable<Uint8Array | string>;

/** Streams hand over many small chunks (a line each, for MIME); one write per this many bytes. */
const WRITE_BATCH_BYTES = 256 * 1024;

/**
 * Writes every byte (a write may stop short, as when the disk fills up; the next one then reports
 * why). At `position` when given, else where the handle's writes so far ended.
 */
export async function writeFully(file: WritableFile, bytes: Uint8Array, position?: number): Promise<void> {
  for (let done = 0; done < bytes.length;) {
    const at = position === undefined ? undefined : position + done;
    const { bytesWritten } = await file.write(bytes, done, bytes.length - done, at);
    if (bytesWritten <= 0) throw Object.assign(new Error('nothing was written'), { code: 'EIO' });
    done += bytesWritten;
  }
}

async function writeAll(file: WritableFile, content: FileContent): Promise<number> {
  if (typeof content === 'string' || content instanceof Uint8Array) {
    const bytes = typeof content === 'string' ? Buffer.from(content) : content;
    await writeFully(file, bytes);
    return bytes.length;
  }
  let total = 0;
  let batch: Buffer[] = [];
  let batched = 0;
  const flush = async () => {
    if (batched === 0) return;
    await writeFully(file, Buffer.concat(batch, batched));
    batch = [];
    batched = 0;
  };
  for await (const chunk of content) {
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk)
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    batch.push(bytes);
    batched += bytes.length;
    total += bytes.length;
    if (batched >= WRITE_BATCH_BYTES) await flush();
  }
  await flush();
  return total;
}

interface AtomicWriteOptions {
  tmpDir: string;
  fs: FileSystemSeam;
  /** False when the caller syncs the directory itself, later (and before anything depends on it). */
  syncDir?: boolean;
}

/**
 * Writes `target` so that after a crash at any instant it holds either its old content or the
 * new one, never a mix: temp file, fsync, rename, fsync the directory. A failed fsync is fatal for
 * the write (the page cache may have dropped the data), so it is reported, never retried.
 * Returns the number of bytes written.
 */
export async function writeFileAtomic(
  target: string,
  content: FileContent,
  options: AtomicWriteOptions,
): Promise<number> {
  // Named after this process, so another can tell whether it was left by a writer that died.
  const temp = path.join(options.tmpDir, tempFileName(await ownIdentity()));
  let file: WritableFile | undefined;
  try {
    file = await options.fs.create(temp);
    const size = await writeAll(file, content);
    await file.sync();
    await file.close();
    file = undefined;
    await fsp.rename(temp, target);
    if (options.syncDir !== false) await fsyncDir(path.dirname(target));
    return size;
  } catch (error) {
    await file?.close().catch(() => undefined);
    await fsp.rm(temp, { force: true });
    throw storageError(error);
  }
}

/** One unlink (fs.rm would stat first); a file already gone is fine. */
export async function unlinkIfExists(file: string): Promise<void> {
  await fsp.unlink(file).catch((error: unknown) => {
    if (!isNotFound(error)) throw error;
  });
}

/** Removes files and makes the removal durable; missing files are fine. */
export async function removeFiles(files: readonly string[]): Promise<void> {
  await Promise.all(files.map(unlinkIfExists));
  const dirs = new Set(files.map((file) => path.dirname(file)));
  await Promise.all([...dirs].map((dir) => fsyncDir(dir)));
}
