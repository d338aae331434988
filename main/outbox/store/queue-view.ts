import type { SentRecord } from '../../../preload/contract/outbox.ts';
import type { ProcessIdentity } from '../../files/process-identity.ts';
import type { HeaderRef } from './frame-source.ts';
import type { DecodedFrame, LogEntry } from './queue-log-format.ts';
import { timeOf, type QueueRecord } from './queue-record.ts';

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
  // Its times, in ms since the epoch: enough to schedule it and answer the list without its record.
  readonly nextAttemptAt: number | undefined;
  readonly sendAt: number | undefined;
  readonly lastTriedAt: number | undefined;
}

/** A state as a frame gives it, before it is kept. */
interface State {
  readonly rev: number;
  readonly live: Summary | undefined;
  readonly delivered: boolean;
  readonly removedAt?: number | undefined;
  readonly record?: QueueRecord | undefined;
  readonly sent?: SentRecord | undefined;
  readonly frame: HeaderRef | undefined;
}

type Ranked = Pick<State, 'live' | 'rev' | 'delivered' | 'record' | 'frame'>;

/** What a removed message's entry says in place of a summary: the same whatever it replaced. */
const REMOVED: Summary = {
  state: 'queued',
  accountId: '',
  attempts: 0,
  createdAt: 0,
  storedSize: 0,
  nextAttemptAt: undefined,
  sendAt: undefined,
  lastTriedAt: undefined,
};

/** Where no frame can be read back (frames applied without a file, in tests): `offset`. */
const NO_FRAME = -1;

/**
 * A message's newest state, as an index entry: live (with its summary) or removed (a tombstone,
 * kept while older frames may remain). With a header reader, the record and a removal's sent
 * record stay on disk and are read from `frame` on demand; without one they are held here.
 *
 * Laid out for 100,000 of them (issue 17): the summary, the place of the frame and of the bytes
 * are plain fields, not objects of their own, and a Map of holders exists only while a state has
 * more than one (compaction copying it).
 */
export class ViewEntry implements Summary {
  rev = 0;
  private isLive = false;
  /** A removal of a sent message carries its sent-log record. */
  delivered = false;
  /** When a removal was made; absent in removals written before it was recorded. */
  removedAt: number | undefined = undefined;
  state: QueueRecord['state'] = 'queued';
  accountId = '';
  attempts = 0;
  createdAt = 0;
  storedSize = 0;
  nextAttemptAt: number | undefined = undefined;
  sendAt: number | undefined = undefined;
  lastTriedAt: number | undefined = undefined;
  record: QueueRecord | undefined = undefined;
  sent: SentRecord | undefined = undefined;
  // Where this state can be read back (one of its holders', or the last one's once it is gone).
  private frameSegment = '';
  private frameOffset = NO_FRAME;
  private frameLength = 0;
  private frameCrc = 0;
  /** The one segment holding this state, or, while there are several, each with its frame. */
  private holder: string | Map<string, HeaderRef | undefined> | undefined;
  /** Where its bytes are, newest first: compaction reclaims the older places. */
  private bytesAt: BodyRef | BodyRef[] | undefined = undefined;

  /** Undefined once the message is removed. */
  get live(): Summary | undefined {
    return this.isLive ? this : undefined;
  }

  get frame(): HeaderRef | undefined {
    if (this.frameOffset === NO_FRAME) return undefined;
    const crc = this.frameCrc >>> 0;
    return { segment: this.frameSegment, offset: this.frameOffset, length: this.frameLength, crc };
  }

  /** This state replaces whatever the entry held, `segment` its only holder. */
  take(state: State, segment: string, keep: { record: boolean; sent: boolean }): void {
    this.rev = state.rev;
    this.isLive = state.live !== undefined;
    this.delivered = state.delivered;
    this.removedAt = state.removedAt;
    this.summarise(state.live ?? REMOVED);
    this.record = keep.record ? state.record : undefined;
    this.sent = keep.sent ? state.sent : undefined;
    this.moveFrame(state.frame);
    this.holder = segment;
    // A removed message's bytes are of no use.
    if (!state.live) this.bytesAt = undefined;
  }

  /** Every segment holding this very state. */
  holderNames(): string[] {
    if (this.holder === undefined) return [];
    return typeof this.holder === 'string' ? [this.holder] : [...this.holder.keys()];
  }

  holdsIn(segment: string): boolean {
    return typeof this.holder === 'string' ? this.holder === segment : (this.holder?.has(segment) ?? false);
  }

  /** Another segment holds the same state (a copy): read from it when the frame's segment is gone. */
  addHolder(segment: string, ref: HeaderRef | undefined, frameGone: boolean): void {
    if (this.holder === undefined || this.holder === segment) this.holder = segment;
    else {
      const holders = typeof this.holder === 'string' ? new Map([[this.holder, this.frame]]) : this.holder;
      holders.set(segment, ref);
      this.holder = holders;
    }
    if (this.frameOffset === NO_FRAME || frameGone) this.moveFrame(ref ?? this.frame);
  }

  /** A segment is gone: it holds the state no more; true when no segment does. */
  dropHolder(segment: string): boolean {
    if (typeof this.holder === 'string') {
      if (this.holder === segment) this.holder = undefined;
    } else if (this.holder?.delete(segment) === true) {
      // Read from another holder from now on; with none left, the last one stays (held open).
      if (this.frameSegment === segment) {
        this.moveFrame([...this.holder.values()].find((ref) => ref !== undefined) ?? this.frame);
      }
      const [only, ...more] = [...this.holder.keys()];
      if (more.length === 0) this.holder = only;
    }
    return this.holder === undefined;
  }

  /** Where the bytes can be read, newest first. */
  bodies(): BodyRef[] {
    if (this.bytesAt === undefined) return [];
    return Array.isArray(this.bytesAt) ? this.bytesAt : [this.bytesAt];
  }

  /** The bytes are (also) in `ref`'s segment, the newest place. */
  addBody(ref: BodyRef): void {
    const others = this.bodies().filter((body) => body.segment !== ref.segment);
    this.bytesAt = others.length === 0 ? ref : [ref, ...others];
  }

  dropBodies(segment: string): void {
    const left = this.bodies().filter((body) => body.segment !== segment);
    this.bytesAt = left.length <= 1 ? left[0] : left;
  }

  private summarise(summary: Summary): void {
    this.state = interned(summary.state);
    this.accountId = interned(summary.accountId);
    this.attempts = summary.attempts;
    this.createdAt = summary.createdAt;
    this.storedSize = summary.storedSize;
    this.nextAttemptAt = summary.nextAttemptAt;
    this.sendAt = summary.sendAt;
    this.lastTriedAt = summary.lastTriedAt;
  }

  private moveFrame(ref: HeaderRef | undefined): void {
    this.frameSegment = ref?.segment ?? '';
    this.frameOffset = ref?.offset ?? NO_FRAME;
    this.frameLength = ref?.length ?? 0;
    // As a signed 32-bit number, a small integer V8 keeps in the field rather than a boxed double.
    this.frameCrc = (ref?.crc ?? 0) | 0;
  }
}

/** Account ids and states, one string each however many messages name them. */
const shared = new Map<string, string>();
function interned<T extends string>(text: T): T {
  const known = shared.get(text) as T | undefined;
  if (known !== undefined) return known;
  shared.set(text, text);
  return text;
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

function summaryOf(record: QueueRecord): Summary {
  return {
    state: record.state,
    accountId: record.accountId,
    attempts: record.attempts,
    createdAt: Date.parse(record.createdAt),
    storedSize: record.storedSizeBytes ?? record.sizeBytes,
    nextAttemptAt: timeOf(record.nextAttemptAt),
    sendAt: timeOf(record.sendAt),
    lastTriedAt: timeOf(record.lastTriedAt),
  };
}

/** The queue as the segments say it is: frames applied in any order give the same result. */
export class QueueView {
  readonly entries = new Map<string, ViewEntry>();
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
        const changed = this.consider(segment, id, {
          rev: entry.rev,
          live: summaryOf(entry.record),
          delivered: false,
          record: entry.record,
          frame: ref,
        });
        // Bytes of a message already removed are of no use, whichever frame was read first.
        const kept = this.entries.get(id);
        // Named fields, not a spread: a spread's object keeps its fields out of line (~40 B more).
        if (frame.body && kept?.live) {
          kept.addBody({ segment: segmentName, offset: frame.body.offset, length: frame.body.length });
        }
        return changed;
      }
      case 'handover':
        this.handedOver(segment, entry.id, entry.attempt);
        return undefined;
      case 'del':
        return this.consider(segment, entry.id, {
          rev: entry.rev,
          live: undefined,
          delivered: entry.sent !== undefined,
          frame: ref,
          sent: entry.sent,
          removedAt: entry.at,
        });
      default: {
        const unknown: never = entry;
        throw new Error(`unknown log entry ${JSON.stringify(unknown)}`);
      }
    }
  }

  private consider(segment: SegmentState, id: string, incoming: State): string | undefined {
    segment.ids.add(id);
    const current = this.entries.get(id);
    const order = current ? rank(incoming, current, (state) => this.recordOf(state)) : 1;
    if (order < 0) return undefined;
    if (order === 0 && current) {
      const frameGone = current.frame !== undefined && !this.segments.has(current.frame.segment);
      current.addHolder(segment.name, incoming.frame, frameGone);
      return undefined;
    }
    const entry = current ?? new ViewEntry();
    // Held in memory only when it cannot be read back.
    const hold = !this.reader || !incoming.frame;
    entry.take(incoming, segment.name, { record: hold, sent: hold });
    if (!current) this.entries.set(id, entry);
    if (!incoming.live) this.handovers.delete(id);
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
      const segment = entry.frame?.segment;
      if (entry.live && segment !== undefined && !names.has(segment)) names.add(segment);
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
      if (!except.has(segment.name) && segment.ids.has(id)) return true;
    }
    return false;
  }

  private recordOf(state: Pick<State, 'record' | 'frame'>): QueueRecord | undefined {
    if (state.record) return state.record;
    const read = this.readBack(state);
    return read.op === 'put' ? read.record : undefined;
  }

  private readBack(state: Pick<State, 'frame'>): LogEntry {
    if (!this.reader || !state.frame) throw new Error('a queue state with nowhere to be read from');
    return this.reader.entry(state.frame);
  }
}
