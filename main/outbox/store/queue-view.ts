import type { SentRecord } from '../../../preload/contract/outbox.ts';
import type { ProcessIdentity } from '../../files/process-identity.ts';
import type { DecodedFrame } from './queue-log-format.ts';
import type { QueueRecord } from './queue-record.ts';

/** Where a message's bytes sit inside a segment. */
export interface BodyRef {
  readonly segment: string;
  readonly offset: number;
  readonly length: number;
}

/** A message's newest state: a record, or removed (a tombstone, kept while older frames may remain). */
export interface ViewEntry {
  readonly rev: number;
  readonly record: QueueRecord | undefined;
  /** A removal of a sent message carries its sent-log record. */
  readonly sent?: SentRecord;
  /** When a removal was made; absent in removals written before it was recorded. */
  readonly removedAt?: number;
  /** Every segment holding this very state (compaction copies it before reclaiming the original). */
  readonly holders: Set<string>;
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

type State = Pick<ViewEntry, 'rev' | 'record' | 'sent' | 'removedAt'>;

/**
 * Which state wins when two frames name the same message. Removal is final, whatever its
 * revision, and one that records a delivery says more than one that does not. Between two states
 * the higher revision wins. Two states with the same revision (two processes changed the message
 * at once) are ordered by attempts, so a delivery outcome beats a change made from elsewhere while
 * it was on the wire (which would send to recipients already served), then by content, so every
 * reader agrees. 0 means the same state: a copy made by compaction.
 */
function rank(a: State, b: State): number {
  if (!a.record || !b.record) {
    if (a.record || b.record) return a.record ? -1 : 1;
    return (a.sent ? 1 : 0) - (b.sent ? 1 : 0);
  }
  if (a.rev !== b.rev) return a.rev - b.rev;
  if (a.record.attempts !== b.record.attempts) return a.record.attempts - b.record.attempts;
  const ka = JSON.stringify(a.record);
  const kb = JSON.stringify(b.record);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

/** The queue as the segments say it is: frames applied in any order give the same result. */
export class QueueView {
  readonly entries = new Map<string, ViewEntry>();
  /** Where each live message's bytes are, one place per segment holding them (none: a file of its own). */
  readonly bodies = new Map<string, BodyRef[]>();
  readonly segments = new Map<string, SegmentState>();
  /** Per live message, its newest handed-over attempt and the segments holding that mark. */
  readonly handovers = new Map<string, { attempt: number; holders: Set<string> }>();

  segment(name: string, own = false): SegmentState {
    let state = this.segments.get(name);
    if (!state) {
      state = { name, own, offset: 0, sealed: false, final: false, damaged: false, ids: new Set() };
      this.segments.set(name, state);
    }
    return state;
  }

  /** Applies one frame; returns the message id whose state changed, if any. */
  apply(segmentName: string, frame: DecodedFrame): string | undefined {
    const segment = this.segment(segmentName);
    const { entry } = frame;
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
        const changed = this.consider(segment, id, { rev: entry.rev, record: entry.record });
        // Bytes of a message already removed are of no use, whichever frame was read first.
        if (frame.body && this.entries.get(id)?.record) {
          const refs = (this.bodies.get(id) ?? []).filter((ref) => ref.segment !== segmentName);
          // The newest place first: compaction reclaims the older ones.
          this.bodies.set(id, [{ segment: segmentName, ...frame.body }, ...refs]);
        }
        return changed;
      }
      case 'handover':
        this.handedOver(segment, entry.id, entry.attempt);
        return undefined;
      case 'del':
        return this.consider(segment, entry.id, {
          rev: entry.rev,
          record: undefined,
          ...(entry.sent ? { sent: entry.sent } : {}),
          ...(entry.at === undefined ? {} : { removedAt: entry.at }),
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
    const order = current ? rank(incoming, current) : 1;
    if (order < 0) return undefined;
    if (order === 0 && current) {
      current.holders.add(segment.name);
      return undefined;
    }
    this.entries.set(id, { ...incoming, holders: new Set([segment.name]) });
    if (!incoming.record) {
      this.bodies.delete(id);
      this.handovers.delete(id);
    }
    return id;
  }

  private handedOver(segment: SegmentState, id: string, attempt: number): void {
    segment.ids.add(id);
    const entry = this.entries.get(id);
    if (entry && !entry.record) return;
    const known = this.handovers.get(id);
    if (known && known.attempt > attempt) return;
    if (known?.attempt === attempt) known.holders.add(segment.name);
    else this.handovers.set(id, { attempt, holders: new Set([segment.name]) });
  }

  /** The next revision for a change to this message. */
  nextRev(id: string): number {
    return (this.entries.get(id)?.rev ?? 0) + 1;
  }

  record(id: string): QueueRecord | undefined {
    return this.entries.get(id)?.record;
  }

  records(): QueueRecord[] {
    return [...this.entries.values()].flatMap((e) => (e.record ? [e.record] : []));
  }

  /** A segment is gone (reclaimed by the deliverer): forget what only it held. */
  dropSegment(name: string): void {
    const segment = this.segments.get(name);
    this.segments.delete(name);
    if (!segment) return;
    for (const id of segment.ids) {
      const entry = this.entries.get(id);
      entry?.holders.delete(name);
      if (entry && !entry.record && entry.holders.size === 0) this.entries.delete(id);
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
  heldElsewhere(id: string, except: ReadonlySet<string>): boolean {
    for (const segment of this.segments.values()) {
      if (!except.has(segment.name) && segment.ids.has(id)) return true;
    }
    return false;
  }
}
