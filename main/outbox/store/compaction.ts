import fsp from 'node:fs/promises';
import path from 'node:path';
import type { SentRecord } from '../../../preload/contract/outbox.ts';
import type { Clock } from '../../core/clock.ts';
import { fsyncDir, unlinkIfExists } from '../../files/atomic-file.ts';
import { isAlive } from '../../files/process-identity.ts';
import type { encodeFrame } from './queue-log-format.ts';
import type { QueuePaths } from './queue-paths.ts';
import type { QueueRecord } from './queue-record.ts';
import type { BodyRef, QueueView, SegmentState, ViewEntry } from './queue-view.ts';
import { markerFile } from './seal-marker.ts';

/**
 * A sealed segment, this process's or another's (the CLI's), is reclaimed once at most this share of
 * the messages with a frame there still has its current state or bytes there: copying them out
 * costs about what it frees. Until then it is adopted in place: read like any other, never rewritten.
 * (Damaged segments and those of writers that died before sealing are reclaimed whatever is left.)
 */
export const RECLAIM_LIVE_SHARE = 0.5;
/**
 * Message bytes read ahead while copying out, before their frames are queued: one group of reads,
 * then one write for the group (group commit), instead of one write per message.
 */
export const COPY_BATCH_BYTES = 4 * 1024 * 1024;
/**
 * A file still unfinished after this long was left by a crash: a segment without its writer header,
 * or a seal marker never renamed into place.
 */
export const HEADERLESS_GRACE_MS = 60_000;
/**
 * A removal is kept this long even once no older frame of its message is left: a process that
 * has not read it yet may still write a change to the message (say, a retry from the command
 * line), and without the removal that change would bring a sent or cancelled message back.
 */
export const REMOVAL_GRACE_MS = 3_600_000;

/** Whether few enough of a sealed segment's messages still live there to be worth copying out. */
export function mostlyDead(view: QueueView, name: string): boolean {
  const segment = view.segments.get(name);
  if (!segment) return true;
  const ids = view.idsIn(segment);
  if (ids.size === 0) return true;
  let live = 0;
  for (const id of ids) {
    const entry = view.entries.get(id);
    if (entry?.live && (entry.holdsIn(name) || entry.bodies().some((ref) => ref.segment === name))) live++;
  }
  return live <= ids.size * RECLAIM_LIVE_SHARE;
}

/**
 * Whether a removal whose every holder is being reclaimed is copied. It is kept while any other
 * segment has a frame of its message, reclaimed or not: a crash between the unlinks may leave an
 * older state behind, which the removal must still outrank. With nothing older left it is kept
 * through its grace period (removals without a time are not).
 */
export function keepsRemoval(heldElsewhere: boolean, removedAt: number | undefined, now: number): boolean {
  return heldElsewhere || (removedAt !== undefined && now - removedAt < REMOVAL_GRACE_MS);
}

type Frame = Parameters<typeof encodeFrame>[0];

/** A state to copy out, with where its bytes are when they go along. */
interface Copy {
  readonly id: string;
  readonly rev: number;
  readonly record: QueueRecord;
  readonly body: BodyRef | undefined;
}

export interface CompactionDeps {
  readonly paths: QueuePaths;
  readonly clock: Pick<Clock, 'now'>;
  /** This process's own segments that take no more frames. */
  readonly retired: () => string[];
  /** A retired segment was deleted. */
  readonly forgetRetired: (segment: string) => void;
  /** The current view (a reload replaces it, though never while a compaction runs). */
  readonly view: () => QueueView;
  /** Appends a frame to this process's segment and applies it to the view. */
  readonly append: (frame: Frame, body?: Buffer) => Promise<unknown>;
  /** A copy of a message's bytes this process still holds in memory. */
  readonly cached: (id: string) => Buffer | undefined;
  /** A message's bytes read from their segment. */
  readonly readBody: (ref: BodyRef) => Promise<Buffer>;
  /** Reads a segment whose writer is gone to its end, into the view, telling of what changed. */
  readonly readToEnd: (segment: SegmentState) => Promise<void>;
  /** Modification time of a file in the queue folder (a segment's); undefined when it is gone. */
  readonly modifiedAt: (segment: string) => Promise<number | undefined>;
  /** Runs before segments are deleted, with the sent-log records their removals carry. */
  readonly beforeReclaim?: ((sent: SentRecord[]) => Promise<void>) | undefined;
}

/**
 * The deliverer's reclaiming of segments no one appends to any more: what is still live in them
 * is copied into this process's segment first, with the same revisions, so every reader takes the
 * copies as the same states in a new place.
 */
export class Compaction {
  private readonly deps: CompactionDeps;

  constructor(deps: CompactionDeps) {
    this.deps = deps;
  }

  /** Reclaims what is finished; the caller has just read the log and holds the view's turn. */
  async run(): Promise<void> {
    const done = await this.finishedSegments();
    if (done.size === 0) return;
    await this.copyLive(done);
    await this.reclaim(done);
  }

  /**
   * Segments no one will append to and worth reclaiming: sealed ones (this process's retired ones
   * too) once mostly dead, damaged ones, and those left unsealed by a writer that is gone. A sealed
   * segment still mostly live stays where it is: starting never rewrites what other processes queued.
   */
  private async finishedSegments(): Promise<Set<string>> {
    const view = this.deps.view();
    const done = new Set<string>(this.deps.retired().filter((name) => mostlyDead(view, name)));
    for (const segment of view.segments.values()) {
      if (segment.own) continue;
      if (segment.damaged || (segment.sealed ? mostlyDead(view, segment.name) : segment.final)) {
        done.add(segment.name);
        continue;
      }
      if (segment.sealed || !(await this.writerGone(segment))) continue;
      await this.deps.readToEnd(segment);
      done.add(segment.name);
    }
    return done;
  }

  private async writerGone(segment: SegmentState): Promise<boolean> {
    if (segment.writer) return !(await isAlive(segment.writer));
    const modified = await this.deps.modifiedAt(segment.name);
    return modified !== undefined && this.deps.clock.now() - modified > HEADERLESS_GRACE_MS;
  }

  /** Copies out of `done` the states, bytes, removals and hand-over marks that nothing else holds. */
  private async copyLive(done: ReadonlySet<string>): Promise<void> {
    const view = this.deps.view();
    const copies: Promise<unknown>[] = [];
    const onlyIn = (segments: Iterable<string>) => [...segments].every((name) => done.has(name));
    let group: Copy[] = [];
    let groupBytes = 0;
    for (const id of [...view.entries.keys()]) {
      // Looked up afresh after every group's reads: a delivery may change or remove the message meanwhile.
      const entry = view.entries.get(id);
      if (!entry) continue;
      if (!entry.live) {
        if (onlyIn(entry.holderNames()) && this.keeps(id, entry)) {
          copies.push(this.deps.append(removal(id, entry, view.sentOf(entry))));
        }
        continue;
      }
      const refs = entry.bodies();
      const body = refs[0] !== undefined && onlyIn(refs.map((ref) => ref.segment)) ? refs[0] : undefined;
      if (!onlyIn(entry.holderNames()) && !body) continue;
      const record = view.record(id);
      if (record) group.push({ id, rev: entry.rev, record, body });
      groupBytes += body?.length ?? 0;
      if (groupBytes >= COPY_BATCH_BYTES) {
        copies.push(...(await this.copyGroup(group)));
        [group, groupBytes] = [[], 0];
      }
    }
    copies.push(...(await this.copyGroup(group)));
    // A mark of an attempt whose outcome is not saved yet (one in flight) must survive.
    for (const [id, mark] of view.handovers) {
      const attempts = view.summary(id)?.attempts ?? Infinity;
      if (mark.attempt > attempts && onlyIn(mark.holders)) {
        copies.push(this.deps.append({ op: 'handover', id, attempt: mark.attempt }));
      }
    }
    await Promise.all(copies);
  }

  /**
   * Reads the group's bytes together, then queues every copy at once, so the group shares one write
   * (group commit). Returns the appends, to be awaited with the others.
   */
  private async copyGroup(group: readonly Copy[]): Promise<Promise<unknown>[]> {
    const bytes = await Promise.all(group.map(({ id, body }) => this.bytesOf(id, body)));
    const view = this.deps.view();
    return group.flatMap(({ id, rev, record }, i) =>
      // Removed during the read: its removal is in this process's segment, which stays.
      view.has(id) ? [this.deps.append({ op: 'put', rev, record }, bytes[i])] : [],
    );
  }

  private async bytesOf(id: string, body: BodyRef | undefined): Promise<Buffer | undefined> {
    if (!body) return undefined;
    return this.deps.cached(id) ?? this.deps.readBody(body);
  }

  private keeps(id: string, entry: ViewEntry): boolean {
    const heldElsewhere = this.deps.view().heldElsewhere(id, new Set(entry.holderNames()));
    return keepsRemoval(heldElsewhere, entry.removedAt, this.deps.clock.now());
  }

  /** Deletes the segments in `done`, once the sent log holds what their removals carry. */
  private async reclaim(done: ReadonlySet<string>): Promise<void> {
    const view = this.deps.view();
    const sent = [...view.entries.values()].flatMap((entry) => {
      const carried = entry.delivered && entry.holderNames().some((name) => done.has(name));
      return (carried && view.sentOf(entry)) || [];
    });
    await this.deps.beforeReclaim?.(sent);
    // Out of the view first, so no read in this process goes to a file about to be deleted.
    for (const name of done) view.dropSegment(name);
    for (const name of done) {
      await unlinkIfExists(path.join(this.deps.paths.queue, name));
      this.deps.forgetRetired(name);
    }
    // Markers go after their segments: a crash between leaves a marker without a segment, which
    // nothing reads (and the next reclaim removes), never a segment whose lost end goes unnoticed.
    await this.removeMarkersWithoutSegment();
    await fsyncDir(this.deps.paths.queue);
  }

  /**
   * Seal markers whose segment is gone. One still being written is left alone until it is old
   * enough to have been left by a crash: its writer may be sealing a segment reclaimed just now.
   */
  private async removeMarkersWithoutSegment(): Promise<void> {
    const dir = this.deps.paths.queue;
    const names = await fsp.readdir(dir);
    const present = new Set(names);
    for (const name of names) {
      const marker = markerFile(name);
      if (!marker || present.has(marker.segment)) continue;
      if (!marker.complete) {
        const modified = await this.deps.modifiedAt(name);
        if (modified === undefined || this.deps.clock.now() - modified <= HEADERLESS_GRACE_MS) continue;
      }
      await unlinkIfExists(path.join(dir, name));
    }
  }
}

/** A copy of a removal, with the same revision, sent-log record and time. */
function removal(id: string, entry: ViewEntry, sent: SentRecord | undefined): Frame {
  const { rev, removedAt } = entry;
  return { op: 'del', id, rev, ...(sent ? { sent } : {}), ...(removedAt ? { at: removedAt } : {}) };
}
