import type { SentRecord } from '../../../preload/contract/outbox.ts';
import type { ProcessIdentity } from '../../files/process-identity.ts';
import type { HeaderRef } from './frame-source.ts';
import type { DecodedFrame, LogEntry } from './queue-log-format.ts';
import type { QueueRecord } from './queue-record.ts';

/** Where a message's bytes sit inside a segment. */
export interface BodyRef {
  readonly segment: string;
  readonly offset: number;
  readonly length: number;
}

/** Reads a frame's header back from its segment (FrameSource). */
export interface HeaderReader {
  /** A segment the view just came to know: kept readable for as long as the view needs it. */
  hold(segment: string): void;
  entry(ref: HeaderRef): LogEntry;
}

/** What scheduling, listing and reclaiming need of a live message, without its record. */
export interface Summary {
  readonly state: QueueRecord['state'];
  readonly accountId: string;
  readonly attempts: number;
  /** When it was created, in ms since the epoch: lists are in this order. */
  readonly createdAt: number;
  /** The size of its bytes where they are stored. */
  readonly storedSize: number;
}

/**
 * A message's newest state, as an index entry: live (with its summary) or removed (a tombstone,
 * kept while older frames may remain). With a header reader, the record and a removal's sent
 * record stay on disk and are read from `frame` on demand; without one they are held here.
 */
export interface ViewEntry {
  readonly rev: number;
  /** Undefined once the message is removed. */
  readonly live: Summary | undefined;
  /** A removal of a sent message carries its sent-log record. */
  readonly delivered: boolean;
  /** When a removal was made; absent in removals written before it was recorded. */
  readonly removedAt?: number;
  /** Where this state can be read back (one of its holders', or the last one's once it is gone). */
  frame: HeaderRef | undefined;
  readonly record?: QueueRecord;
  readonly sent?: SentRecord;
  /** Every segment holding this very state, with where (compaction copies it before reclaiming the original). */
  readonly holders: Map<string, HeaderRef | undefined>;
}

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
  /** Every message with a frame in this segment, so a tombstone is dropped only when none is left. */
  readonly ids: Set<string>;
}

type State = Pick<ViewEntry, 'rev' | 'live' | 'delivered' | 'removedAt' | 'record' | 'sent' | 'frame'>;

/**
 * Which state wins when two frames name the same message. Removal is final, whatever its
 * revision, and one that records a delivery says more than one that does not. Between two states
 * the higher revision wins. Two states with the same revision (two processes changed the message
 * at once) are ordered by attempts, so a delivery outcome beats a change made from elsewhere while
 * it was on the wire (which would send to recipients already served), then by content, so every
 * reader agrees. 0 means the same state: a copy made by compaction.
 */
function rank(a: State, b: State, recordOf: (state: State) => QueueRecord | undefined): number {
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

function summaryOf(record: QueueRecord): Summary {
  return {
    state: record.state,
    accountId: record.accountId,
    attempts: record.attempts,
    createdAt: Date.parse(record.createdAt),
    storedSize: record.storedSizeBytes ?? record.sizeBytes,
  };
}

/** The queue as the segments say it is: frames applied in any order give the same result. */
export class QueueView {
  readonly entries = new Map<string, ViewEntry>();
  /** Where each live message's bytes are, one place per segment holding them (none: a file of its own). */
  readonly bodies = new Map<string, BodyRef[]>();
  readonly segments = new Map<string, SegmentState>();
  /** Per live message, its newest handed-over attempt and the segments holding that mark. */
  readonly handovers = new Map<string, { attempt: number; holders: Set<string> }>();
  private readonly reader: HeaderReader | undefined;

  /** Without `reader`, records are held in memory (tests that apply frames without files). */
  constructor(reader?: HeaderReader) {
    this.reader = reader;
  }

  segment(name: string, own = false): SegmentState {
    let state = this.segments.get(name);
    if (!state) {
      state = { name, own, offset: 0, sealed: false, final: false, damaged: false, ids: new Set() };
      this.segments.set(name, state);
      this.reader?.hold(name);
    }
    return state;
  }

  /** Applies one frame; returns the message id whose state changed, if any. */
  apply(segmentName: string, frame: DecodedFrame): string | undefined {
    const segment = this.segment(segmentName);
    const { entry } = frame;
    const ref = frame.header && { segment: segmentName, ...frame.header };
    // Held in memory only when it cannot be read back.
    const hold = !this.reader || !ref;
    switch (entry.op) {
      case 'writer':
        segment.writer = { pid: entry.pid, ...(entry.started ? { started: entry.started } : {}) };
        return undefined;
      case 'seal':
        segment.sealed = true;
        return undefined;
      case 'commit':
        return undefined;
      case 'put': {
        const { id } = entry.record;
        const changed = this.consider(
          segment,
          id,
          ref,
          {
            rev: entry.rev,
            live: summaryOf(entry.record),
            delivered: false,
            record: entry.record,
            frame: ref,
          },
          hold,
        );
        // Bytes of a message already removed are of no use, whichever frame was read first.
        if (frame.body && this.entries.get(id)?.live) {
          const refs = (this.bodies.get(id) ?? []).filter((body) => body.segment !== segmentName);
          // The newest place first: compaction reclaims the older ones.
          this.bodies.set(id, [{ segment: segmentName, ...frame.body }, ...refs]);
        }
        return changed;
      }
      case 'handover':
        this.handedOver(segment, entry.id, entry.attempt);
        return undefined;
      case 'del':
        return this.consider(
          segment,
          entry.id,
          ref,
          {
            rev: entry.rev,
            live: undefined,
            delivered: entry.sent !== undefined,
            frame: ref,
            ...(entry.sent ? { sent: entry.sent } : {}),
            ...(entry.at === undefined ? {} : { removedAt: entry.at }),
          },
          hold,
        );
      default: {
        const unknown: never = entry;
        throw new Error(`unknown log entry ${JSON.stringify(unknown)}`);
      }
    }
  }

  private consider(
    segment: SegmentState,
    id: string,
    ref: HeaderRef | undefined,
    incoming: State,
    hold: boolean,
  ): string | undefined {
    segment.ids.add(id);
    const current = this.entries.get(id);
    const order = current ? rank(incoming, current, (state) => this.recordOf(state)) : 1;
    if (order < 0) return undefined;
    if (order === 0 && current) {
      current.holders.set(segment.name, ref);
      if (!current.frame || !this.segments.has(current.frame.segment)) current.frame = ref ?? current.frame;
      return undefined;
    }
    const { record, sent, ...index } = incoming;
    this.entries.set(id, {
      ...index,
      ...(hold && record ? { record } : {}),
      ...(hold && sent ? { sent } : {}),
      holders: new Map([[segment.name, ref]]),
    });
    if (!incoming.live) {
      this.bodies.delete(id);
      this.handovers.delete(id);
    }
    return id;
  }

  private handedOver(segment: SegmentState, id: string, attempt: number): void {
    segment.ids.add(id);
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

  /** The live message's record, read back from its frame when the view does not hold it. */
  record(id: string): QueueRecord | undefined {
    const entry = this.entries.get(id);
    return entry?.live ? this.recordOf(entry) : undefined;
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
    for (const [id, entry] of this.entries) if (entry.live) yield id;
  }

  /** Every live record: each read back from disk when not held (see `liveIds` for a cheaper walk). */
  records(): QueueRecord[] {
    return [...this.liveIds()].flatMap((id) => this.record(id) ?? []);
  }

  /** Segments a live state is still read from though the view dropped them (kept open until re-read). */
  readFrom(): Set<string> {
    const names = new Set(this.segments.keys());
    for (const entry of this.entries.values()) {
      if (entry.live && entry.frame && !names.has(entry.frame.segment)) names.add(entry.frame.segment);
    }
    return names;
  }

  /** A segment is gone (reclaimed by the deliverer): forget what only it held. */
  dropSegment(name: string): void {
    const segment = this.segments.get(name);
    this.segments.delete(name);
    if (!segment) return;
    for (const id of segment.ids) {
      const entry = this.entries.get(id);
      if (entry) {
        entry.holders.delete(name);
        if (!entry.live && entry.holders.size === 0) this.entries.delete(id);
        // Read from another holder from now on; with none left, the last one stays (held open).
        else if (entry.frame?.segment === name) {
          entry.frame = [...entry.holders.values()].find((ref) => ref !== undefined) ?? entry.frame;
        }
      }
      const refs = this.bodies.get(id)?.filter((ref) => ref.segment !== name);
      if (refs?.length) this.bodies.set(id, refs);
      else this.bodies.delete(id);
      const mark = this.handovers.get(id);
      mark?.holders.delete(name);
      if (mark?.holders.size === 0) this.handovers.delete(id);
    }
  }

  /** Where a message's bytes can be read, if they are in the log. */
  body(id: string): BodyRef | undefined {
    return this.bodies.get(id)?.[0];
  }

  /** Whether a segment other than these still has a frame of this message. */
  heldElsewhere(id: string, except: { has(name: string): boolean }): boolean {
    for (const segment of this.segments.values()) {
      if (!except.has(segment.name) && segment.ids.has(id)) return true;
    }
    return false;
  }

  private recordOf(state: State): QueueRecord | undefined {
    if (state.record) return state.record;
    const read = this.readBack(state);
    return read.op === 'put' ? read.record : undefined;
  }

  private readBack(state: Pick<State, 'frame'>): LogEntry {
    if (!this.reader || !state.frame) throw new Error('a queue state with nowhere to be read from');
    return this.reader.entry(state.frame);
  }
}
