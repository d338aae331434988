import { randomBytes } from '../../core/random.ts';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  errno,
  fsyncDir,
  storageError,
  writeFully,
  type FileSystemSeam,
  type WritableFile,
} from '../../files/atomic-file.ts';
import type { ProcessIdentity } from '../../files/process-identity.ts';
import { COMMIT_FRAME, encodeFrame } from './queue-log-format.ts';
import { writeSealMarker } from './seal-marker.ts';

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
  /** Opened with O_DSYNC: a write is durable when it returns, with no fsync after it. */
  readonly synced: boolean;
  size: number;
  /** Frames written so far, commits included (for the seal marker). */
  frames: number;
  /** No message state written yet: only removals and hand-over marks (see SealMarker.lifeless). */
  lifeless: boolean;
}

/** Headers that carry no message state. Judged by their first bytes; anything else counts as state. */
const LIFELESS_HEADERS = ['{"op":"del",', '{"op":"handover",'].map((h) => Buffer.from(h));
const isLifeless = (frame: Buffer): boolean =>
  LIFELESS_HEADERS.some((start) => frame.subarray(16, 16 + start.length).equals(start));

export interface SegmentWriterDeps {
  readonly fs: FileSystemSeam;
  readonly identity: ProcessIdentity;
}

export function createSegmentWriter(dir: string, deps: SegmentWriterDeps): SegmentWriter {
  return new GroupCommitWriter(dir, deps);
}

class GroupCommitWriter implements SegmentWriter {
  private readonly created = new Set<string>();
  private readonly retiredSegments = new Set<string>();
  private current: OpenSegment | undefined;
  private chain: Promise<unknown> = Promise.resolve();
  private batch: Pending[] | undefined;
  /** With O_DSYNC unless the file system refuses it (EINVAL); then, from here on, write + fsync. */
  private dsync: boolean;
  private readonly dir: string;
  private readonly deps: SegmentWriterDeps;

  constructor(dir: string, deps: SegmentWriterDeps) {
    this.dir = dir;
    this.deps = deps;
    this.dsync = deps.fs.createSynced !== undefined;
  }

  append(frame: Buffer): Promise<Placed> {
    return new Promise<Placed>((resolve, reject) => {
      if (!this.batch) {
        const entries: Pending[] = [];
        this.batch = entries;
        this.chain = this.chain.then(() => this.flush(entries));
      }
      this.batch.push({ frame, resolve, reject });
    });
  }

  owns(segment: string): boolean {
    return this.created.has(segment);
  }

  retired(): string[] {
    return [...this.retiredSegments];
  }

  forgetRetired(segment: string): void {
    this.retiredSegments.delete(segment);
  }

  async close(): Promise<void> {
    const done = this.chain.then(async () => {
      if (this.current) await this.retire(this.current, true);
    });
    this.chain = done.catch(() => undefined);
    await done;
  }

  private async createFile(file: string): Promise<{ handle: WritableFile; synced: boolean }> {
    const { fs } = this.deps;
    if (this.dsync && fs.createSynced) {
      try {
        return { handle: await fs.createSynced(file), synced: true };
      } catch (error) {
        if (errno(error) !== 'EINVAL') throw error;
        this.dsync = false;
        // In case the file was made before the flag was refused.
        await fsp.rm(file, { force: true });
      }
    }
    return { handle: await fs.create(file), synced: false };
  }

  private async openNew(): Promise<OpenSegment> {
    const name = `${Date.now().toString(36)}-${process.pid}-${randomBytes(4).toString('hex')}.log`;
    const file = path.join(this.dir, name);
    const header = Buffer.concat([encodeFrame({ op: 'writer', ...this.deps.identity }), COMMIT_FRAME]);
    const { handle, synced } = await this.createFile(file);
    this.created.add(name);
    try {
      await writeFully(handle, header, 0);
      if (!synced) await handle.sync();
      await fsyncDir(this.dir);
    } catch (error) {
      await handle.close().catch(() => undefined);
      await fsp.rm(file, { force: true });
      this.created.delete(name);
      throw error;
    }
    return { name, file: handle, synced, size: header.length, frames: 2, lifeless: true };
  }

  private async retire(segment: OpenSegment, seal: boolean): Promise<void> {
    if (this.current === segment) this.current = undefined;
    this.retiredSegments.add(segment.name);
    try {
      if (seal) {
        const sealBatch = Buffer.concat([encodeFrame({ op: 'seal' }), COMMIT_FRAME]);
        await writeFully(segment.file, sealBatch, segment.size);
        if (!segment.synced) await segment.file.sync();
        segment.size += sealBatch.length;
        segment.frames += 2;
      }
    } finally {
      await segment.file.close();
    }
    // Only once the seal is durable: a marker says the whole segment reached the disk.
    if (seal) {
      const { size: length, frames, lifeless } = segment;
      await writeSealMarker(
        this.dir,
        segment.name,
        { length, frames, ...(lifeless ? { lifeless } : {}) },
        this.deps.fs,
      );
    }
  }

  /**
   * A failed write left at most part of the batch, without its commit, which readers ignore: cut it
   * off and go on. After a failed fsync the whole batch may have been read already; its place must
   * never hold anything else, so the segment takes no more frames.
   */
  private async recover(segment: OpenSegment, written: boolean): Promise<void> {
    try {
      await segment.file.truncate(segment.size);
      await segment.file.sync();
      if (!written) return;
    } catch {
      // Whatever is left past `size` has no commit; the segment takes no more frames.
    }
    await this.retire(segment, false).catch(() => undefined);
  }

  private async flush(entries: Pending[]): Promise<void> {
    if (this.batch === entries) this.batch = undefined;
    let segment: OpenSegment | undefined;
    let written = false;
    try {
      segment = this.current ??= await this.openNew();
      const start = segment.size;
      // A failed O_DSYNC write is a failed fsync: what reached the disk is unknown, so the
      // segment takes no more frames (as after a failed sync below).
      written = segment.synced;
      await writeFully(segment.file, Buffer.concat([...entries.map((e) => e.frame), COMMIT_FRAME]), start);
      written = true;
      if (!segment.synced) await segment.file.sync();
      segment.size += entries.reduce((sum, e) => sum + e.frame.length, COMMIT_FRAME.length);
      segment.frames += entries.length + 1;
      segment.lifeless &&= entries.every((entry) => isLifeless(entry.frame));
      let at = start;
      for (const entry of entries) {
        entry.resolve({ segment: segment.name, at });
        at += entry.frame.length;
      }
    } catch (error) {
      if (segment) await this.recover(segment, written);
      for (const entry of entries) entry.reject(storageError(error));
      return;
    }
    if (segment.size >= SEGMENT_BYTES) await this.retire(segment, true).catch(() => undefined);
  }
}
