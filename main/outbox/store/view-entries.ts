import type { SentRecord } from '../../../preload/contract/outbox.ts';
import type { HeaderRef } from './frame-source.ts';
import type { QueueRecord } from './queue-record.ts';

/** Where a message's bytes sit inside a segment. */
export interface BodyRef {
  readonly segment: string;
  readonly offset: number;
  readonly length: number;
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

/** A state as a frame gives it, to be kept in an entry. */
export interface EntryState {
  readonly rev: number;
  readonly live: Summary | undefined;
  readonly delivered: boolean;
  readonly removedAt?: number | undefined;
  readonly record?: QueueRecord | undefined;
  readonly sent?: SentRecord | undefined;
  readonly frame: HeaderRef | undefined;
}

// Column codes. A segment, holder or body column holds an index into the table's names.
const NONE = -1;
/** More than one: the side map has them. */
const MANY = -2;
const LIVE = 1;
const DELIVERED = 2;

type Column = Float64Array | Uint32Array | Int32Array | Uint8Array;

function grown<T extends Column>(column: T, capacity: number, fill?: number): T {
  const bigger = new (column.constructor as new (length: number) => T)(capacity);
  bigger.set(column);
  if (fill !== undefined) bigger.fill(fill, column.length);
  return bigger;
}

/** Strings many entries name (segments, accounts, states), each kept once and named by a number. */
class Names {
  private readonly list: string[] = [];
  private readonly numbers = new Map<string, number>();

  numberOf(name: string): number {
    let number = this.numbers.get(name);
    if (number === undefined) {
      number = this.list.length;
      this.list.push(name);
      this.numbers.set(name, number);
    }
    return number;
  }

  nameOf(number: number): string {
    return this.list[number] ?? '';
  }
}

const timeIn = (value: number): number | undefined => (Number.isNaN(value) ? undefined : value);

/**
 * The index's fields, a column each (typed arrays by slot), so 100,000 messages cost ~100 bytes
 * each rather than an object with its boxed numbers, a place object and a Map (issue 17). What
 * few entries have (several holders or places, a record held in memory) is in side maps.
 */
class EntryTable {
  capacity = 0;
  rev = new Uint32Array(0);
  flags = new Uint8Array(0);
  /** A number from `states`: a queue state, of which there are a handful. */
  state = new Uint8Array(0);
  account = new Uint32Array(0);
  attempts = new Uint32Array(0);
  createdAt = new Float64Array(0);
  storedSize = new Float64Array(0);
  // NaN: no such time.
  nextAttemptAt = new Float64Array(0);
  sendAt = new Float64Array(0);
  lastTriedAt = new Float64Array(0);
  removedAt = new Float64Array(0);
  // Where this state can be read back (one of its holders', or the last one's once it is gone).
  // Offsets and lengths within a segment, which is ~4 MB (a frame at most 2 MB): 32 bits hold them.
  frameSegment = new Int32Array(0);
  frameOffset = new Uint32Array(0);
  frameLength = new Uint32Array(0);
  frameCrc = new Uint32Array(0);
  /** The one segment holding this state (NONE, or MANY: see `holders`). */
  holder = new Int32Array(0);
  /** Where its bytes are (NONE, or MANY: see `places`). */
  bodySegment = new Int32Array(0);
  bodyOffset = new Uint32Array(0);
  bodyLength = new Uint32Array(0);
  /** While several segments hold a state (compaction copying it): each with its frame. */
  readonly holders = new Map<number, Map<string, HeaderRef | undefined>>();
  /** Where a message's bytes are, newest first, while there are several places. */
  readonly places = new Map<number, BodyRef[]>();
  /** Records and sent records held in memory: only when they cannot be read back. */
  readonly records = new Map<number, QueueRecord>();
  readonly sent = new Map<number, SentRecord>();
  readonly names = new Names();
  readonly states = new Names();
  private readonly free: number[] = [];
  private used = 0;

  allocate(): number {
    const slot = this.free.pop() ?? this.used++;
    if (slot >= this.capacity) this.grow(Math.max(1024, this.capacity * 2));
    this.flags[slot] = 0;
    this.frameSegment[slot] = NONE;
    this.holder[slot] = NONE;
    this.bodySegment[slot] = NONE;
    return slot;
  }

  release(slot: number): void {
    this.holders.delete(slot);
    this.places.delete(slot);
    this.records.delete(slot);
    this.sent.delete(slot);
    this.free.push(slot);
  }

  private grow(capacity: number): void {
    this.capacity = capacity;
    this.rev = grown(this.rev, capacity);
    this.flags = grown(this.flags, capacity);
    this.state = grown(this.state, capacity);
    this.account = grown(this.account, capacity);
    this.attempts = grown(this.attempts, capacity);
    this.createdAt = grown(this.createdAt, capacity);
    this.storedSize = grown(this.storedSize, capacity);
    this.nextAttemptAt = grown(this.nextAttemptAt, capacity);
    this.sendAt = grown(this.sendAt, capacity);
    this.lastTriedAt = grown(this.lastTriedAt, capacity);
    this.removedAt = grown(this.removedAt, capacity);
    this.frameSegment = grown(this.frameSegment, capacity, NONE);
    this.frameOffset = grown(this.frameOffset, capacity);
    this.frameLength = grown(this.frameLength, capacity);
    this.frameCrc = grown(this.frameCrc, capacity);
    this.holder = grown(this.holder, capacity, NONE);
    this.bodySegment = grown(this.bodySegment, capacity, NONE);
    this.bodyOffset = grown(this.bodyOffset, capacity);
    this.bodyLength = grown(this.bodyLength, capacity);
  }
}

/**
 * A message's newest state, as an index entry: live (with its summary) or removed (a tombstone,
 * kept while older frames may remain). A view of one slot of the table, made when asked for:
 * read it at once rather than keep it, as the slot goes to another message once this one is
 * forgotten. The record and a removal's sent record stay on disk and are read from `frame` on
 * demand, unless the view holds them (no reader).
 */
export class ViewEntry implements Summary {
  private readonly table: EntryTable;
  private readonly slot: number;

  constructor(table: EntryTable, slot: number) {
    this.table = table;
    this.slot = slot;
  }

  get rev(): number {
    return this.table.rev[this.slot] ?? 0;
  }

  /** Undefined once the message is removed. */
  get live(): Summary | undefined {
    return ((this.table.flags[this.slot] ?? 0) & LIVE) !== 0 ? this : undefined;
  }

  /** A removal of a sent message carries its sent-log record. */
  get delivered(): boolean {
    return ((this.table.flags[this.slot] ?? 0) & DELIVERED) !== 0;
  }

  /** When a removal was made; absent in removals written before it was recorded. */
  get removedAt(): number | undefined {
    return timeIn(this.table.removedAt[this.slot] ?? NaN);
  }

  get state(): QueueRecord['state'] {
    return this.table.states.nameOf(this.table.state[this.slot] ?? 0) as QueueRecord['state'];
  }

  get accountId(): string {
    return this.table.names.nameOf(this.table.account[this.slot] ?? 0);
  }

  get attempts(): number {
    return this.table.attempts[this.slot] ?? 0;
  }

  get createdAt(): number {
    return this.table.createdAt[this.slot] ?? 0;
  }

  get storedSize(): number {
    return this.table.storedSize[this.slot] ?? 0;
  }

  get nextAttemptAt(): number | undefined {
    return timeIn(this.table.nextAttemptAt[this.slot] ?? NaN);
  }

  get sendAt(): number | undefined {
    return timeIn(this.table.sendAt[this.slot] ?? NaN);
  }

  get lastTriedAt(): number | undefined {
    return timeIn(this.table.lastTriedAt[this.slot] ?? NaN);
  }

  get record(): QueueRecord | undefined {
    return this.table.records.get(this.slot);
  }

  get sent(): SentRecord | undefined {
    return this.table.sent.get(this.slot);
  }

  get frame(): HeaderRef | undefined {
    const { table, slot } = this;
    const segment = table.frameSegment[slot] ?? NONE;
    if (segment === NONE) return undefined;
    return {
      segment: table.names.nameOf(segment),
      offset: table.frameOffset[slot] ?? 0,
      length: table.frameLength[slot] ?? 0,
      crc: table.frameCrc[slot] ?? 0,
    };
  }

  /** This state replaces whatever the entry held, `segment` its only holder. */
  take(state: EntryState, segment: string, keep: { record: boolean; sent: boolean }): void {
    const { table, slot } = this;
    const live = state.live;
    table.rev[slot] = state.rev;
    table.flags[slot] = (live ? LIVE : 0) | (state.delivered ? DELIVERED : 0);
    table.removedAt[slot] = state.removedAt ?? NaN;
    // What a removed message's entry says in place of a summary: the same whatever it replaced.
    table.state[slot] = table.states.numberOf(live?.state ?? 'queued');
    table.account[slot] = table.names.numberOf(live?.accountId ?? '');
    table.attempts[slot] = live?.attempts ?? 0;
    table.createdAt[slot] = live?.createdAt ?? 0;
    table.storedSize[slot] = live?.storedSize ?? 0;
    table.nextAttemptAt[slot] = live?.nextAttemptAt ?? NaN;
    table.sendAt[slot] = live?.sendAt ?? NaN;
    table.lastTriedAt[slot] = live?.lastTriedAt ?? NaN;
    setOrDelete(table.records, slot, keep.record ? state.record : undefined);
    setOrDelete(table.sent, slot, keep.sent ? state.sent : undefined);
    this.moveFrame(state.frame);
    table.holders.delete(slot);
    table.holder[slot] = table.names.numberOf(segment);
    // A removed message's bytes are of no use.
    if (!live) this.placeBodies([]);
  }

  /** Every segment holding this very state. */
  holderNames(): string[] {
    const { table, slot } = this;
    const holder = table.holder[slot] ?? NONE;
    if (holder === NONE) return [];
    if (holder === MANY) return [...(table.holders.get(slot)?.keys() ?? [])];
    return [table.names.nameOf(holder)];
  }

  holdsIn(segment: string): boolean {
    const { table, slot } = this;
    const holder = table.holder[slot] ?? NONE;
    if (holder === MANY) return table.holders.get(slot)?.has(segment) ?? false;
    return holder !== NONE && table.names.nameOf(holder) === segment;
  }

  /** Another segment holds the same state (a copy): read from it when the frame's segment is gone. */
  addHolder(segment: string, ref: HeaderRef | undefined, frameGone: boolean): void {
    const { table, slot } = this;
    const holder = table.holder[slot] ?? NONE;
    if (holder === NONE || (holder !== MANY && table.names.nameOf(holder) === segment)) {
      table.holder[slot] = table.names.numberOf(segment);
    } else {
      const holders = table.holders.get(slot) ?? new Map([[table.names.nameOf(holder), this.frame]]);
      holders.set(segment, ref);
      table.holders.set(slot, holders);
      table.holder[slot] = MANY;
    }
    if ((table.frameSegment[slot] ?? NONE) === NONE || frameGone) this.moveFrame(ref ?? this.frame);
  }

  /** A segment is gone: it holds the state no more; true when no segment does. */
  dropHolder(segment: string): boolean {
    const { table, slot } = this;
    const holder = table.holder[slot] ?? NONE;
    if (holder === MANY) {
      const holders = table.holders.get(slot);
      if (holders?.delete(segment) === true) {
        // Read from another holder from now on; with none left, the last one stays (held open).
        if (this.frame?.segment === segment) {
          this.moveFrame([...holders.values()].find((ref) => ref !== undefined) ?? this.frame);
        }
        const [only, ...more] = [...holders.keys()];
        if (more.length === 0) {
          table.holders.delete(slot);
          table.holder[slot] = only === undefined ? NONE : table.names.numberOf(only);
        }
      }
    } else if (holder !== NONE && table.names.nameOf(holder) === segment) {
      table.holder[slot] = NONE;
    }
    return table.holder[slot] === NONE;
  }

  /** Where the bytes can be read, newest first. */
  bodies(): BodyRef[] {
    const { table, slot } = this;
    const segment = table.bodySegment[slot] ?? NONE;
    if (segment === NONE) return [];
    if (segment === MANY) return table.places.get(slot) ?? [];
    const offset = table.bodyOffset[slot] ?? 0;
    return [{ segment: table.names.nameOf(segment), offset, length: table.bodyLength[slot] ?? 0 }];
  }

  /** The bytes are (also) in `ref`'s segment, the newest place. */
  addBody(ref: BodyRef): void {
    const others = this.bodies().filter((body) => body.segment !== ref.segment);
    this.placeBodies([ref, ...others]);
  }

  dropBodies(segment: string): void {
    this.placeBodies(this.bodies().filter((body) => body.segment !== segment));
  }

  private placeBodies(refs: BodyRef[]): void {
    const { table, slot } = this;
    const [only] = refs;
    table.places.delete(slot);
    if (refs.length > 1) {
      table.bodySegment[slot] = MANY;
      table.places.set(slot, refs);
    } else if (only) {
      table.bodySegment[slot] = table.names.numberOf(only.segment);
      table.bodyOffset[slot] = within32Bits(only.offset);
      table.bodyLength[slot] = within32Bits(only.length);
    } else {
      table.bodySegment[slot] = NONE;
    }
  }

  private moveFrame(ref: HeaderRef | undefined): void {
    const { table, slot } = this;
    table.frameSegment[slot] = ref ? table.names.numberOf(ref.segment) : NONE;
    table.frameOffset[slot] = within32Bits(ref?.offset ?? 0);
    table.frameLength[slot] = within32Bits(ref?.length ?? 0);
    table.frameCrc[slot] = ref?.crc ?? 0;
  }
}

/** A place in a segment, which never nears 4 GB: one that did could only be damage, refused here. */
function within32Bits(value: number): number {
  if (value > 0xffff_ffff) throw new Error(`a place in a queue segment beyond 4 GB (${value})`);
  return value;
}

function setOrDelete<T>(map: Map<number, T>, slot: number, value: T | undefined): void {
  if (value === undefined) map.delete(slot);
  else map.set(slot, value);
}

/** The index's entries by message id, as a Map of them would be; each entry read is made afresh. */
export class ViewEntries {
  private readonly slots = new Map<string, number>();
  private readonly table = new EntryTable();

  get size(): number {
    return this.slots.size;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  get(id: string): ViewEntry | undefined {
    const slot = this.slots.get(id);
    return slot === undefined ? undefined : new ViewEntry(this.table, slot);
  }

  /** A new entry for `id`, which has none: it holds nothing until it takes a state. */
  add(id: string): ViewEntry {
    const slot = this.table.allocate();
    this.slots.set(id, slot);
    return new ViewEntry(this.table, slot);
  }

  delete(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    this.slots.delete(id);
    this.table.release(slot);
    return true;
  }

  keys(): IterableIterator<string> {
    return this.slots.keys();
  }

  *values(): Generator<ViewEntry> {
    for (const slot of this.slots.values()) yield new ViewEntry(this.table, slot);
  }

  *[Symbol.iterator](): Generator<[string, ViewEntry]> {
    for (const [id, slot] of this.slots) yield [id, new ViewEntry(this.table, slot)];
  }

  /** The ids of live messages, in the order they first appeared: no entry is made for the walk. */
  *liveIds(): Generator<string> {
    // The table read afresh at each step: it may grow while the walk is paused.
    for (const [id, slot] of this.slots) if (((this.table.flags[slot] ?? 0) & LIVE) !== 0) yield id;
  }
}
