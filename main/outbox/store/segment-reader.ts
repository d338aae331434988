import fsp from 'node:fs/promises';
import path from 'node:path';
import { isNotFound } from '../../files/atomic-file.ts';
import { COMMIT_FRAME, decodeFrames, type DecodedFrame } from './queue-log-format.ts';
import { PreparedFrames } from './prepared-frames.ts';
import type { BodyRef, QueueView, SegmentState } from './queue-view.ts';
import { readSealMarker, type SealMarker } from './seal-marker.ts';
import { SEGMENT_FILE } from './segment-writer.ts';

export interface SegmentReaderDeps {
  /** The queue folder the segments are in. */
  readonly dir: string;
  /** Whether this process writes that segment (its frames are applied as they are appended). */
  readonly owns: (segment: string) => boolean;
  /**
   * A stretch of a segment, found at `from`, is damaged (its frames fail their checks), or is what
   * is left of an end that was cut off; `reason` then says what is gone.
   */
  readonly onDamage: (segment: string, from: number, stretch: Buffer, reason?: string) => Promise<void>;
  /** Told how many whole frames each read decoded (tests count them). */
  readonly onFrames?: ((count: number) => void) | undefined;
}

/** A scratch buffer up to this size is kept for the next read: a segment is ~4 MB (SEGMENT_BYTES). */
const SPARE_BYTES = 16 * 1024 * 1024;

/**
 * A scratch buffer longer than this is made in whole steps of it: segments end a little past
 * SEGMENT_BYTES, each by its own last frame, and one made to the byte was too small for the next
 * segment half the time; 100,000 messages' segments then held ~18 MB of buffers awaiting a full
 * collection. A short read (a tail of a few frames) gets a buffer of its own length.
 */
const SCRATCH_STEP = 1024 * 1024;

/** Reads segments into a view, each from where the last read stopped, and message bytes out of them. */
export class SegmentReader {
  private readonly deps: SegmentReaderDeps;
  /**
   * The buffer the last read was made into, reused by the next: a buffer per segment lived until a
   * full collection found it, so reading 100,000 messages' segments held ~50 MB of them (issue 17).
   */
  private spare: Buffer | undefined;

  constructor(deps: SegmentReaderDeps) {
    this.deps = deps;
  }

  /**
   * Reads a segment from where the last read stopped, into `target`, up to its last commit: what
   * follows is a batch still being written, or one whose write failed. With `final`, the writer is
   * gone and the segment is read to its end. Adds the ids whose state changed to `changed`, if
   * given (a set of every id in the queue, when nobody asks, is memory for nothing: issue 17). False
   * when the segment is gone. A segment that lost committed frames (cut short after its writer
   * sealed it, or shorter than what was already read) is reported as damaged.
   */
  async read(
    target: QueueView,
    segment: SegmentState,
    changed: Set<string> | undefined,
    final = false,
  ): Promise<boolean> {
    // Looked up before the segment is read: a marker already there means the whole segment, seal
    // included, was on disk before this read began.
    const marker =
      segment.sealed || segment.own ? undefined : await readSealMarker(this.deps.dir, segment.name);
    const file = await this.tail(segment);
    if (!file) return false;
    if (file.size < segment.offset) {
      this.giveBack(file.scratch);
      await this.shrunk(segment);
      return true;
    }
    try {
      await this.decode(target, segment, changed, file, { final, marker });
    } finally {
      this.giveBack(file.scratch);
    }
    return true;
  }

  /** Applies what `bytes` (the segment from where the last read stopped) holds, and reports damage. */
  private async decode(
    target: QueueView,
    segment: SegmentState,
    changed: Set<string> | undefined,
    { bytes, size }: { bytes: Buffer; size: number },
    { final, marker }: { final: boolean; marker: SealMarker | undefined },
  ): Promise<void> {
    const base = segment.offset;
    // A sealed segment's writer is gone too: an incomplete frame cannot be one still being written.
    const ended = final || marker !== undefined;
    const batch = new CommittedBatches(target, segment, changed);
    const decoded = decodeFrames(bytes, base, ended, (frame) => {
      batch.add(frame);
    });
    this.deps.onFrames?.(batch.count);
    for (const { from, to } of decoded.damaged) {
      if (from >= segment.offset) continue;
      segment.damaged = true;
      // A copy: `bytes` is the reader's scratch buffer, and damage is set aside after the read.
      await this.deps.onDamage(segment.name, from, Buffer.from(bytes.subarray(from - base, to - base)));
    }
    const rest = bytes.subarray(segment.offset - base);
    if (marker && !segment.sealed && (size < marker.length || rest.length > 0)) {
      segment.damaged = true;
      const reason = lostEnd(segment.name, marker, size);
      await this.deps.onDamage(segment.name, segment.offset, Buffer.from(rest), reason);
      segment.final = true;
    }
    if (final) segment.final = true;
  }

  /**
   * The segment is shorter than what was already read of it: committed frames are gone. Reported
   * from its last commit still there, with what follows it; reading goes on from there.
   */
  private async shrunk(segment: SegmentState): Promise<void> {
    const read = segment.offset;
    segment.offset = 0;
    const file = await this.tail(segment);
    if (!file) return;
    try {
      const last = decodeFrames(file.bytes).frames.findLast((frame) => frame.entry.op === 'commit');
      segment.offset = last ? last.at + COMMIT_FRAME.length : 0;
      const reason = missing(segment.name, read - file.size);
      segment.damaged = true;
      const rest = Buffer.from(file.bytes.subarray(segment.offset));
      await this.deps.onDamage(segment.name, segment.offset, rest, reason);
    } finally {
      this.giveBack(file.scratch);
    }
  }

  /**
   * Reads the other writers' segments (with `everything`, all of them) into `target`, and forgets
   * those that are gone. The ids whose state changed are added to `changed`, if given, which holds
   * what was applied even when a read throws part-way.
   */
  async readAll(
    target: QueueView,
    everything: boolean,
    passLifeless: boolean,
    changed: Set<string> | undefined,
  ): Promise<void> {
    const names = await this.segmentNames();
    const present = new Set(names);
    const lifeless = passLifeless ? await this.lifeless(names) : new Set<string>();
    const readOne = async (name: string) => {
      const own = this.deps.owns(name);
      if (own && !everything) return;
      const segment = target.segment(name, own);
      if (segment.final) return;
      if (!(await this.read(target, segment, changed))) present.delete(name);
    };
    for (const name of names) if (!lifeless.has(name)) await readOne(name);
    // Removals and hand-over marks of messages no other segment has could change nothing.
    const anyLive = !target.liveIds().next().done;
    for (const name of lifeless) if (anyLive) await readOne(name);
    for (const segment of [...target.segments.values()]) {
      if (!segment.own && !present.has(segment.name)) target.dropSegment(segment.name);
    }
  }

  /** The sealed segments whose marker says they hold no message state. */
  private async lifeless(names: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const name of names) {
      if (this.deps.owns(name)) continue;
      if ((await readSealMarker(this.deps.dir, name))?.lifeless === true) found.add(name);
    }
    return found;
  }

  /** Lets the spare buffer go (up to SPARE_BYTES): a process that reads no more (a listing) has no use for it. */
  releaseSpare(): void {
    this.spare = undefined;
  }

  /** A message's bytes held in a segment. */
  async readBody(ref: BodyRef): Promise<Buffer> {
    const handle = await fsp.open(path.join(this.deps.dir, ref.segment), 'r');
    try {
      const bytes = Buffer.alloc(ref.length);
      const { bytesRead } = await handle.read(bytes, 0, ref.length, ref.offset);
      if (bytesRead !== ref.length) throw new Error(`short read in ${ref.segment}`);
      return bytes;
    } finally {
      await handle.close();
    }
  }

  /** When the segment's file was last written, or undefined when it is gone. */
  async modifiedAt(segment: string): Promise<number | undefined> {
    return fsp.stat(path.join(this.deps.dir, segment)).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
  }

  /** A buffer of at least `length` bytes, the spare when it is large enough and no other read has it. */
  private scratch(length: number): Buffer {
    const spare = this.spare;
    if (spare && spare.length >= length) {
      this.spare = undefined;
      return spare;
    }
    // Its own memory, never a slice of Node's shared pool: it is kept and written over.
    return Buffer.allocUnsafeSlow(
      length > SCRATCH_STEP ? Math.ceil(length / SCRATCH_STEP) * SCRATCH_STEP : length,
    );
  }

  private giveBack(scratch: Buffer): void {
    if (scratch.length <= SPARE_BYTES && scratch.length > (this.spare?.length ?? 0)) this.spare = scratch;
  }

  private async segmentNames(): Promise<string[]> {
    return (await fsp.readdir(this.deps.dir)).filter((name) => SEGMENT_FILE.test(name)).sort();
  }

  /**
   * The bytes past what was read of the segment (in `scratch`, to be given back), and its size;
   * undefined when it is gone.
   */
  private async tail(
    segment: SegmentState,
  ): Promise<{ bytes: Buffer; size: number; scratch: Buffer } | undefined> {
    try {
      const handle = await fsp.open(path.join(this.deps.dir, segment.name), 'r');
      try {
        const { size } = await handle.stat();
        const length = Math.max(0, size - segment.offset);
        const scratch = this.scratch(length);
        // What was read, never more: the rest of the scratch buffer holds an older read.
        const { bytesRead } =
          length > 0 ? await handle.read(scratch, 0, length, segment.offset) : { bytesRead: 0 };
        return { bytes: scratch.subarray(0, bytesRead), size, scratch };
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}

/**
 * Frames applied a batch at a time, as each batch's commit is decoded: what follows the last commit
 * is never applied (a batch still being written, or one whose write failed), and no more than one
 * batch's entries is held at once. The segment's offset moves past each batch as it is applied, so
 * a read stopped by a later frame (a newer format) never applies a batch twice.
 */
class CommittedBatches {
  /** Frames decoded, applied or not. */
  count = 0;
  private readonly pending: PreparedFrames;
  private readonly target: QueueView;
  private readonly segment: SegmentState;
  private readonly changed: Set<string> | undefined;

  constructor(target: QueueView, segment: SegmentState, changed: Set<string> | undefined) {
    this.target = target;
    this.segment = segment;
    this.changed = changed;
    this.pending = new PreparedFrames(segment.name);
  }

  add(frame: DecodedFrame): void {
    this.count++;
    this.target.prepare(this.pending, frame);
    if (frame.entry.op !== 'commit') return;
    for (let index = 0; index < this.pending.size; index++) {
      const id = this.target.applyPrepared(this.segment.name, this.pending.at(index));
      if (id) this.changed?.add(id);
    }
    this.pending.clear();
    this.segment.offset = frame.at + COMMIT_FRAME.length;
  }
}

const missing = (segment: string, bytes: number): string =>
  `the end of ${segment} is missing: ${bytes} bytes of committed queue data`;

/** What a sealed segment that no longer ends in its seal has lost. */
function lostEnd(segment: string, marker: SealMarker, size: number): string {
  if (size < marker.length) return missing(segment, marker.length - size);
  return `the end of ${segment} is damaged: its committed queue data no longer ends where it was sealed`;
}
