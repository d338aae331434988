import type { SentRecord } from '../../../preload/contract/outbox.ts';
import type { ProcessIdentity } from '../../files/process-identity.ts';
import type { HeaderRef } from './frame-source.ts';
import type { DecodedFrame, LogEntry } from './queue-log-format.ts';
import { PreparedFrames, type OtherEntry, type PreparedState } from './prepared-frames.ts';
import type { QueueRecord } from './queue-record.ts';
import { ViewEntries, type BodyRef, type EntryState, type Summary, type ViewEntry } from './view-entries.ts';

/** Reads a frame's header back from its segment (FrameSource). */
export interface HeaderReader {
  /** A segment the view just came to know: kept readable for as long as the view needs it. */
  hold(segment: string): void;
  /** `remember: false`: a walk reads it once (see FrameSource). */
  entry(ref: HeaderRef, remember?: boolean): LogEntry;
}

export type { BodyRef, Summary, ViewEntry } from './view-entries.ts';

type State = EntryState;

/** A frame ready to apply: a message's state (a `put` or `del`), or an entry as the log has it. */
export type PreparedFrame = PreparedState | OtherEntry;
type Ranked = Pick<State, 'live' | 'rev' | 'delivered' | 'record' | 'frame'>;

export interface SegmentState {
  readonly name: string;
  readonly own: boolean;
  /** Read up to here. */
  offset: number;
  writer?: ProcessIdentity;
  sealed: boolean;
  /** Read to its end after its writer was gone: nothing more will come. */
  final: boolean;
  /** A read found damage in it (reported): the deliverer reclaims it, so it is reported no more. */
  damaged: boolean;
  /**
   * Every message with a frame in this segment, so a tombstone is dropped only when none is left
   * and compaction knows what a segment still holds. Undefined in a view for one look (a listing),
   * which compacts nothing and keeps what it read of a segment reclaimed meanwhile (dropSegment):
   * a set per segment is ~3 MB at 100,000 (issue 17).
   */
  readonly ids: Set<string> | undefined;
}

/**
 * Which state wins when two frames name the same message. Removal is final, whatever its
 * revision, and one that records a delivery says more than one that does not. Between two states
 * the higher revision wins. Two states with the same revision (two processes changed the message
 * at once) are ordered by attempts, so a delivery outcome beats a change made from elsewhere while
 * it was on the wire (which would send to recipients already served), then by content, so every
 * reader agrees. 0 means the same state: a copy made by compaction.
 */
function rank(
  a: Ranked,
  b: Ranked,
  recordOf: (state: Pick<State, 'record' | 'frame'>) => QueueRecord | undefined,
): number {
  if (!a.live || !b.live) {
    if (a.live || b.live) return a.live ? -1 : 1;
    return (a.delivered ? 1 : 0) - (b.delivered ? 1 : 0);
  }
  if (a.rev !== b.rev) return a.rev - b.rev;
  if (a.live.attempts !== b.live.attempts) return a.live.attempts - b.live.attempts;
  const ka = JSON.stringify(recordOf(a));
  const kb = JSON.stringify(recordOf(b));
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The queue as the segments say it is: frames applied in any order give the same result. */
export class QueueView {
  readonly entries = new ViewEntries();
  readonly segments = new Map<string, SegmentState>();
  /** Per live message, its newest handed-over attempt and the segments holding that mark. */
  readonly handovers = new Map<string, { attempt: number; holders: Set<string> }>();
  private readonly reader: HeaderReader | undefined;
  private readonly oneLook: boolean;
  /** A frame applied at once, as a batch of one (see `apply`). */
  private single: PreparedFrames | undefined;

  /**
   * Without `reader`, records are held in memory (tests that apply frames without files).
   * `oneLook`: the view is read once and looked at (a listing), never kept up to date or
   * compacted, so it does not track which messages each segment has (see SegmentState.ids).
   */
  constructor(reader?: HeaderReader, { oneLook = false }: { oneLook?: boolean } = {}) {
    this.reader = reader;
    this.oneLook = oneLook;
  }

  segment(name: string, own = false): SegmentState {
    let state = this.segments.get(name);
    if (!state) {
      const ids = this.oneLook ? undefined : new Set<string>();
      state = { name, own, offset: 0, sealed: false, final: false, damaged: false, ids };
      this.segments.set(name, state);
      this.reader?.hold(name);
    }
    return state;
  }

  /** Applies one frame; returns the message id whose state changed, if any. */
  apply(segmentName: string, frame: DecodedFrame): string | undefined {
    // Applied at once (this process's own appends, compaction's copies among them): the record is
    // at hand for ranking a copy against the state it copies, with no read back from disk.
    // One batch of one, kept for the segment being appended to: every enqueue and delivery comes
    // through here, and a batch's typed array is not worth making for each.
    let single = this.single;
    if (single?.segment !== segmentName) this.single = single = new PreparedFrames(segmentName);
    try {
      single.add(frame, true);
      return this.applyPrepared(segmentName, single.at(0));
    } finally {
      single.clear();
    }
  }

  /**
   * Adds a frame to a batch waiting for its commit (see PreparedFrames), its record left to be read
   * back from the frame when it can be. A state that ties with the one known is then read back to
   * be ranked (two writers at once).
   */
  prepare(batch: PreparedFrames, frame: DecodedFrame): void {
    // Held in memory only when it cannot be read back.
    batch.add(frame, !this.reader || !frame.header);
  }

  /** Applies a prepared frame (see `prepare`); returns the message id whose state changed, if any. */
  applyPrepared(segmentName: string, frame: PreparedFrame): string | undefined {
    const segment = this.segment(segmentName);
    switch (frame.op) {
      case 'writer':
        segment.writer = { pid: frame.pid, ...(frame.started ? { started: frame.started } : {}) };
        return undefined;
      case 'seal':
        segment.sealed = true;
        return undefined;
      case 'commit':
        return undefined;
      case 'handover':
        this.handedOver(segment, frame.id, frame.attempt);
        return undefined;
      case 'state': {
        const { id, body } = frame;
        const changed = this.consider(segment, id, frame);
        // Bytes of a message already removed are of no use, whichever frame was read first.
        const kept = body && this.entries.get(id);
        if (body && kept?.live)
          kept.addBody({ segment: segmentName, offset: body.offset, length: body.length });
        return changed;
      }
    }
  }

  private consider(segment: SegmentState, id: string, incoming: State): string | undefined {
    segment.ids?.add(id);
    const current = this.entries.get(id);
    const order = current ? rank(incoming, current, (state) => this.recordOf(state)) : 1;
    if (order < 0) return undefined;
    if (order === 0 && current) {
      const frameGone = current.frame !== undefined && !this.segments.has(current.frame.segment);
      current.addHolder(segment.name, incoming.frame, frameGone);
      return undefined;
    }
    const entry = current ?? this.entries.add(id);
    // Held in memory only when it cannot be read back.
    const hold = !this.reader || !incoming.frame;
    entry.take(incoming, segment.name, { record: hold, sent: hold });
    if (!incoming.live) this.handovers.delete(id);
    return id;
  }

  private handedOver(segment: SegmentState, id: string, attempt: number): void {
    segment.ids?.add(id);
    const entry = this.entries.get(id);
    if (entry && !entry.live) return;
    const known = this.handovers.get(id);
    if (known && known.attempt > attempt) return;
    if (known?.attempt === attempt) known.holders.add(segment.name);
    else this.handovers.set(id, { attempt, holders: new Set([segment.name]) });
  }

  /** The next revision for a change to this message. */
  nextRev(id: string): number {
    return (this.entries.get(id)?.rev ?? 0) + 1;
  }

  /** Whether the message is in the queue (not removed). */
  has(id: string): boolean {
    return this.entries.get(id)?.live !== undefined;
  }

  /** What the index knows of a live message. */
  summary(id: string): Summary | undefined {
    return this.entries.get(id)?.live;
  }

  /**
   * The live message's record, read back from its frame when the view does not hold it;
   * `remember: false` for a walk over the queue (see FrameSource).
   */
  record(id: string, remember = true): QueueRecord | undefined {
    const entry = this.entries.get(id);
    return entry?.live ? this.recordOf(entry, remember) : undefined;
  }

  /** The sent-log record a removal carries. */
  sentOf(entry: ViewEntry): SentRecord | undefined {
    if (!entry.delivered) return undefined;
    if (entry.sent) return entry.sent;
    const read = this.readBack(entry);
    return read.op === 'del' ? read.sent : undefined;
  }

  /** The ids of live messages, in the order they first appeared. */
  *liveIds(): Generator<string> {
    yield* this.entries.liveIds();
  }

  /** The ids of live messages oldest first (see ViewEntries.liveIdsOldestFirst). */
  liveIdsOldestFirst(): Generator<string> {
    return this.entries.liveIdsOldestFirst();
  }

  /** Every live record: each read back from disk when not held (see `liveIds` for a cheaper walk). */
  records(): QueueRecord[] {
    return [...this.liveIds()].flatMap((id) => this.record(id) ?? []);
  }

  /** Segments a live state is still read from though the view dropped them (kept open until re-read). */
  readFrom(): Set<string> {
    const names = new Set(this.segments.keys());
    for (const entry of this.entries.values()) {
      const segment = entry.frame?.segment;
      if (entry.live && segment !== undefined && !names.has(segment)) names.add(segment);
    }
    return names;
  }

  /** A segment is gone (reclaimed by the deliverer): forget what only it held. */
  dropSegment(name: string): void {
    const segment = this.segments.get(name);
    if (!segment) return;
    this.segments.delete(name);
    // A view for one look (a listing) keeps what it read of the segment: the deliverer reclaimed
    // it meanwhile, after copying what is live, and its frames stay readable through the
    // descriptor held open. Its tombstones stay too; they hide only what was removed.
    if (!segment.ids) return;
    for (const id of segment.ids) {
      const entry = this.entries.get(id);
      if (entry) {
        if (entry.dropHolder(name) && !entry.live) this.entries.delete(id);
        entry.dropBodies(name);
      }
      const mark = this.handovers.get(id);
      mark?.holders.delete(name);
      if (mark?.holders.size === 0) this.handovers.delete(id);
    }
  }

  /** Where a message's bytes can be read, if they are in the log. */
  body(id: string): BodyRef | undefined {
    return this.bodiesOf(id)[0];
  }

  /** Every place in the log holding a live message's bytes, the newest first (none: a file of its own). */
  bodiesOf(id: string): BodyRef[] {
    return this.entries.get(id)?.bodies() ?? [];
  }

  /** Whether a segment other than these still has a frame of this message. */
  heldElsewhere(id: string, except: { has(name: string): boolean }): boolean {
    for (const segment of this.segments.values()) {
      if (!except.has(segment.name) && this.idsIn(segment).has(id)) return true;
    }
    return false;
  }

  /** The messages with a frame in `segment`; a view for one look has not tracked them. */
  idsIn(segment: SegmentState): ReadonlySet<string> {
    if (!segment.ids) throw new Error(`the queue was read for one look; ${segment.name} was not tracked`);
    return segment.ids;
  }

  private recordOf(state: Pick<State, 'record' | 'frame'>, remember = true): QueueRecord | undefined {
    if (state.record) return state.record;
    const read = this.readBack(state, remember);
    return read.op === 'put' ? read.record : undefined;
  }

  private readBack(state: Pick<State, 'frame'>, remember = true): LogEntry {
    if (!this.reader || !state.frame) throw new Error('a queue state with nowhere to be read from');
    return this.reader.entry(state.frame, remember);
  }
}
