import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, storageError, type FileSystemSeam, type WritableFile } from './atomic-file.ts';
import type { ProcessIdentity } from './process-identity.ts';
import { encodeFrame } from './queue-log-format.ts';

/** A segment this large is sealed and a new one started, so the deliverer can reclaim the old one. */
const SEGMENT_BYTES = 4 * 1024 * 1024;

export const SEGMENT_FILE = /^[a-z0-9]+-\d+-[0-9a-f]+\.log$/;

/** Where an appended frame landed. */
export interface Placed {
  readonly segment: string;
  readonly at: number;
}

/**
 * This process's own segment: frames appended together share one write and one fsync (group
 * commit), and every caller hears back only once its frame is on disk.
 */
export interface SegmentWriter {
  append(frame: Buffer): Promise<Placed>;
  /** Segments this process created: their frames are known without reading them back. */
  owns(segment: string): boolean;
  /** Own segments that take no more frames (sealed by size, or given up after a failed write). */
  retired(): string[];
  forgetRetired(segment: string): void;
  /** Seals the current segment; the next append starts a new one. */
  close(): Promise<void>;
}

interface Pending {
  readonly frame: Buffer;
  readonly resolve: (placed: Placed) => void;
  readonly reject: (error: unknown) => void;
}

interface OpenSegment {
  readonly name: string;
  readonly file: WritableFile;
  size: number;
}

export function createSegmentWriter(
  dir: string,
  options: { fs: FileSystemSeam; identity: ProcessIdentity },
): SegmentWriter {
  const created = new Set<string>();
  const retiredSegments = new Set<string>();
  let current: OpenSegment | undefined;
  let chain: Promise<unknown> = Promise.resolve();
  let batch: Pending[] | undefined;

  async function openNew(): Promise<OpenSegment> {
    const name = `${Date.now().toString(36)}-${process.pid}-${randomBytes(4).toString('hex')}.log`;
    const file = path.join(dir, name);
    const header = encodeFrame({ op: 'writer', ...options.identity });
    const handle = await options.fs.create(file);
    created.add(name);
    try {
      await handle.write(header, 0, header.length, 0);
      await handle.sync();
      await fsyncDir(dir);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await fsp.rm(file, { force: true });
      created.delete(name);
      throw error;
    }
    return { name, file: handle, size: header.length };
  }

  async function retire(segment: OpenSegment, seal: boolean): Promise<void> {
    if (current === segment) current = undefined;
    retiredSegments.add(segment.name);
    try {
      if (seal) {
        const frame = encodeFrame({ op: 'seal' });
        await segment.file.write(frame, 0, frame.length, segment.size);
        await segment.file.sync();
      }
    } finally {
      await segment.file.close();
    }
  }

  /** After a failed write nothing of the batch may stay: cut back to the last whole frame. */
  async function rollBack(segment: OpenSegment): Promise<void> {
    try {
      await segment.file.truncate(segment.size);
      await segment.file.sync();
    } catch {
      // Whatever is left past `size` is a torn tail that readers skip; the segment takes no more.
      await retire(segment, false).catch(() => undefined);
    }
  }

  async function flush(entries: Pending[]): Promise<void> {
    if (batch === entries) batch = undefined;
    let segment: OpenSegment | undefined;
    try {
      segment = current ??= await openNew();
      const start = segment.size;
      const bytes = Buffer.concat(entries.map((e) => e.frame));
      await segment.file.write(bytes, 0, bytes.length, start);
      await segment.file.sync();
      segment.size += bytes.length;
      let at = start;
      for (const entry of entries) {
        entry.resolve({ segment: segment.name, at });
        at += entry.frame.length;
      }
    } catch (error) {
      if (segment) await rollBack(segment);
      for (const entry of entries) entry.reject(storageError(error));
      return;
    }
    if (segment.size >= SEGMENT_BYTES) await retire(segment, true).catch(() => undefined);
  }

  return {
    append(frame) {
      return new Promise<Placed>((resolve, reject) => {
        if (!batch) {
          const entries: Pending[] = [];
          batch = entries;
          chain = chain.then(() => flush(entries));
        }
        batch.push({ frame, resolve, reject });
      });
    },
    owns: (segment) => created.has(segment),
    retired: () => [...retiredSegments],
    forgetRetired(segment) {
      retiredSegments.delete(segment);
    },
    async close() {
      const done = chain.then(async () => {
        if (current) await retire(current, true);
      });
      chain = done.catch(() => undefined);
      await done;
    },
  };
}
