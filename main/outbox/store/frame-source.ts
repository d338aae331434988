import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { AppError } from '../../errors/app-error.ts';
import { readBackCheckedEntry, type LogEntry } from './queue-log-format.ts';

/** Where a frame's JSON header is in a segment, and its CRC-32 as first read: enough to read it back. */
export interface HeaderRef {
  readonly segment: string;
  readonly offset: number;
  readonly length: number;
  readonly crc: number;
}

/** Records read back most recently: a message worked on is read once, not at every look. */
const CACHED_HEADERS = 256;
/**
 * Bytes read at once from where a header starts (or up to where it ends, walking backwards): a
 * walk in the order frames were written (a listing), or the reverse (the outbox list, newest
 * first), finds the next headers already read, one read for dozens of them, not one each.
 */
const READ_AHEAD = 64 * 1024;

/**
 * Reads `put` and `del` headers back from their segments on demand, so the view holds an index of
 * the queue rather than every record. Each segment read is kept open until the view lets it go:
 * a segment the deliverer deletes meanwhile (compaction) stays readable through its descriptor.
 * Synchronous: a header is a few hundred bytes in a file the page cache holds.
 */
export class FrameSource {
  private readonly dir: string;
  private readonly fds = new Map<string, number>();
  private readonly cache = new Map<string, LogEntry>();
  private readonly onRead: (() => void) | undefined;
  /** The last stretch read from a segment (READ_AHEAD), in `buffer`. */
  private window: { segment: string; start: number; bytes: Buffer } | undefined;
  /**
   * Every stretch is read into this one buffer (a header longer than it, into its own): a buffer per read
   * was garbage outside V8's heap, ~7 MB of it waiting for a collection in a listing of 100,000.
   */
  private buffer: Buffer | undefined;

  /** `onRead`: told of each header read back from disk (tests count them: the view holds an index). */
  constructor(dir: string, onRead?: () => void) {
    this.dir = dir;
    this.onRead = onRead;
  }

  /** Opens a segment that was just read, so it can be read back even once it is deleted. */
  hold(segment: string): void {
    if (this.fds.has(segment)) return;
    try {
      this.fds.set(segment, fs.openSync(path.join(this.dir, segment), 'r'));
    } catch {
      // Gone already: nothing of it is indexed for long (the next read drops it from the view).
    }
  }

  /**
   * The header at `ref`, checked against the CRC it had when the view indexed it (its record is not
   * checked against the schema again: readBackCheckedEntry). `remember: false` for a walk over the
   * queue, which reads each once: cached, every entry would outlive many of V8's young collections
   * and die in the old generation (issue 17: a listing of 100,000 grew the heap by ~60 MB of them
   * between full collections).
   */
  entry(ref: HeaderRef, remember = true): LogEntry {
    const key = `${ref.segment}:${ref.offset}`;
    const cached = this.cache.get(key);
    if (cached) {
      this.cache.delete(key);
      this.cache.set(key, cached);
      return cached;
    }
    this.onRead?.();
    const bytes = this.headerBytes(ref);
    if (bytes === undefined) {
      throw new AppError(
        'storage_failed',
        `The queue file ${ref.segment} changed on disk after it was read; the message at ${ref.offset} cannot be read back.`,
      );
    }
    const entry = readBackCheckedEntry(JSON.parse(bytes.toString('utf8')));
    if (!remember) return entry;
    this.cache.set(key, entry);
    if (this.cache.size > CACHED_HEADERS) this.cache.delete(this.cache.keys().next().value ?? key);
    return entry;
  }

  /** Closes the segments the view no longer has. */
  keepOnly(segments: ReadonlySet<string>): void {
    for (const [segment, fd] of this.fds) {
      if (segments.has(segment)) continue;
      fs.closeSync(fd);
      this.fds.delete(segment);
      if (this.window?.segment === segment) this.window = undefined;
      for (const key of this.cache.keys()) if (key.startsWith(`${segment}:`)) this.cache.delete(key);
    }
  }

  close(): void {
    this.keepOnly(new Set());
  }

  /**
   * The header's bytes, matching their CRC: from the last stretch read when it holds them, else
   * read now. Undefined when what the file holds there no longer matches.
   */
  private headerBytes(ref: HeaderRef): Buffer | undefined {
    const window = this.window;
    if (window?.segment === ref.segment && ref.offset >= window.start) {
      const from = ref.offset - window.start;
      if (from + ref.length <= window.bytes.length) {
        const bytes = window.bytes.subarray(from, from + ref.length);
        if (crc32(bytes) === ref.crc) return bytes;
      }
    }
    const size = Math.max(READ_AHEAD, ref.length);
    // A walk toward the start of the segment (the outbox list, newest first) reads the stretch
    // that ends with this header, so the next ones are in it too.
    const backwards = window?.segment === ref.segment && ref.offset < window.start;
    const start = backwards ? Math.max(0, ref.offset + ref.length - size) : ref.offset;
    const bytes = this.readBuffer(size);
    // The window is about to hold other bytes, whatever this read finds.
    this.window = undefined;
    const read = fs.readSync(this.fd(ref.segment), bytes, 0, size, start);
    this.window = { segment: ref.segment, start, bytes: bytes.subarray(0, read) };
    const header = this.window.bytes.subarray(ref.offset - start, ref.offset - start + ref.length);
    return header.length === ref.length && crc32(header) === ref.crc ? header : undefined;
  }

  private readBuffer(size: number): Buffer {
    if (size > READ_AHEAD) return Buffer.allocUnsafeSlow(size);
    this.buffer ??= Buffer.allocUnsafeSlow(READ_AHEAD);
    return this.buffer;
  }

  private fd(segment: string): number {
    const held = this.fds.get(segment);
    if (held !== undefined) return held;
    const fd = fs.openSync(path.join(this.dir, segment), 'r');
    this.fds.set(segment, fd);
    return fd;
  }
}

/** Where the header of a frame starts, given where the frame does (after magic, lengths and CRC). */
export const HEADER_AT = 16;
