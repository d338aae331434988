import type { SentRecord } from '../../../preload/contract/outbox.ts';
import type { HeaderRef } from './frame-source.ts';
import { timeIn, type QueueRecord } from './queue-record.ts';

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

type TypedArray = Float64Array | Uint32Array | Int32Array | Uint8Array;

/** Slots a page of a column holds: a column grows a page at a time, never copied or doubled. */
const PAGE_BITS = 11;
const PAGE_SLOTS = 1 << PAGE_BITS;
const PAGE_MASK = PAGE_SLOTS - 1;

/**
 * One field of every entry, by slot, in pages of typed arrays. A slot never written reads the
 * column's blank (0, NONE, or NaN for "no such time"). A page is made only once a value other than
 * the blank is written to it: most messages have no scheduled send, no try yet and no removal
 * time, and 100,000 of them would otherwise fill ~4 MB of pages with blanks (issue 17).
 */
class Column {
  private readonly pages: (TypedArray | undefined)[] = [];
  private readonly kind: new (length: number) => TypedArray;
  private readonly blank: number;

  constructor(kind: new (length: number) => TypedArray, blank = 0) {
    this.kind = kind;
    this.blank = blank;
  }

  get(slot: number): number {
    const page = this.pages[slot >>> PAGE_BITS];
    return page === undefined ? this.blank : (page[slot & PAGE_MASK] ?? this.blank);
  }

  set(slot: number, value: number): void {
    const number = slot >>> PAGE_BITS;
    let page = this.pages[number];
    if (page === undefined) {
      if (value === this.blank || (Number.isNaN(value) && Number.isNaN(this.blank))) return;
      page = new this.kind(PAGE_SLOTS);
      if (this.blank !== 0) page.fill(this.blank);
      while (this.pages.length < number) this.pages.push(undefined);
      this.pages[number] = page;
    }
    page[slot & PAGE_MASK] = value;
  }
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

/**
 * The index's fields, a column each (pages of typed arrays, by slot), so 100,000 messages cost
 * at most ~98 bytes each (~60 when they have no times yet) rather than an object with its boxed
 * numbers, a place object and a Map (issue 17). What few entries have (several holders or places,
 * a record held in memory) is in side maps.
 */
class EntryTable {
  readonly rev = new Column(Float64Array);
  readonly flags = new Column(Uint8Array);
  /** A number from `states`: a queue state, of which there are a handful. */
  readonly state = new Column(Uint8Array);
  readonly account = new Column(Uint32Array);
  readonly attempts = new Column(Uint32Array);
  readonly createdAt = new Column(Float64Array);
  readonly storedSize = new Column(Float64Array);
  // NaN: no such time.
  readonly nextAttemptAt = new Column(Float64Array, NaN);
  readonly sendAt = new Column(Float64Array, NaN);
  readonly lastTriedAt = new Column(Float64Array, NaN);
  readonly removedAt = new Column(Float64Array, NaN);
  // Where this state can be read back (one of its holders', or the last one's once it is gone).
  // Offsets and lengths within a segment, which is ~4 MB (a frame at most 2 MB): 32 bits hold them.
  readonly frameSegment = new Column(Int32Array, NONE);
  readonly frameOffset = new Column(Uint32Array);
  readonly frameLength = new Column(Uint32Array);
  readonly frameCrc = new Column(Uint32Array);
  /** The one segment holding this state (NONE, or MANY: see `holders`). */
  readonly holder = new Column(Int32Array, NONE);
  /** Where its bytes are (NONE, or MANY: see `places`). */
  readonly bodySegment = new Column(Int32Array, NONE);
  readonly bodyOffset = new Column(Uint32Array);
  readonly bodyLength = new Column(Uint32Array);
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
    this.flags.set(slot, 0);
    this.frameSegment.set(slot, NONE);
    this.holder.set(slot, NONE);
    this.bodySegment.set(slot, NONE);
    return slot;
  }

  release(slot: number): void {
    this.holders.delete(slot);
    this.places.delete(slot);
    this.records.delete(slot);
    this.sent.delete(slot);
    this.free.push(slot);
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
    return this.table.rev.get(this.slot);
  }

  /** Undefined once the message is removed. */
  get live(): Summary | undefined {
    return (this.table.flags.get(this.slot) & LIVE) !== 0 ? this : undefined;
  }

  /** A removal of a sent message carries its sent-log record. */
  get delivered(): boolean {
    return (this.table.flags.get(this.slot) & DELIVERED) !== 0;
  }

  /** When a removal was made; absent in removals written before it was recorded. */
  get removedAt(): number | undefined {
    return timeIn(this.table.removedAt.get(this.slot));
  }

  get state(): QueueRecord['state'] {
    return this.table.states.nameOf(this.table.state.get(this.slot)) as QueueRecord['state'];
  }

  get accountId(): string {
    return this.table.names.nameOf(this.table.account.get(this.slot));
  }

  get attempts(): number {
    return this.table.attempts.get(this.slot);
  }

  get createdAt(): number {
    return this.table.createdAt.get(this.slot);
  }

  get storedSize(): number {
    return this.table.storedSize.get(this.slot);
  }

  get nextAttemptAt(): number | undefined {
    return timeIn(this.table.nextAttemptAt.get(this.slot));
  }

  get sendAt(): number | undefined {
    return timeIn(this.table.sendAt.get(this.slot));
  }

  get lastTriedAt(): number | undefined {
    return timeIn(this.table.lastTriedAt.get(this.slot));
  }

  get record(): QueueRecord | undefined {
    return this.table.records.get(this.slot);
  }

  get sent(): SentRecord | undefined {
    return this.table.sent.get(this.slot);
  }

  get frame(): HeaderRef | undefined {
    const { table, slot } = this;
    const segment = table.frameSegment.get(slot);
    if (segment === NONE) return undefined;
    return {
      segment: table.names.nameOf(segment),
      offset: table.frameOffset.get(slot),
      length: table.frameLength.get(slot),
      crc: table.frameCrc.get(slot),
    };
  }

  /** This state replaces whatever the entry held, `segment` its only holder. */
  take(state: EntryState, segment: string, keep: { record: boolean; sent: boolean }): void {
    const { table, slot } = this;
    const live = state.live;
    // First: it refuses a place no segment can have before anything of this state is written.
    this.moveFrame(state.frame);
    table.rev.set(slot, state.rev);
    table.flags.set(slot, (live ? LIVE : 0) | (state.delivered ? DELIVERED : 0));
    table.removedAt.set(slot, state.removedAt ?? NaN);
    // What a removed message's entry says in place of a summary: the same whatever it replaced.
    table.state.set(slot, table.states.numberOf(live?.state ?? 'queued'));
    table.account.set(slot, table.names.numberOf(live?.accountId ?? ''));
    table.attempts.set(slot, live?.attempts ?? 0);
    table.createdAt.set(slot, live?.createdAt ?? 0);
    table.storedSize.set(slot, live?.storedSize ?? 0);
    table.nextAttemptAt.set(slot, live?.nextAttemptAt ?? NaN);
    table.sendAt.set(slot, live?.sendAt ?? NaN);
    table.lastTriedAt.set(slot, live?.lastTriedAt ?? NaN);
    setOrDelete(table.records, slot, keep.record ? state.record : undefined);
    setOrDelete(table.sent, slot, keep.sent ? state.sent : undefined);
    table.holders.delete(slot);
    table.holder.set(slot, table.names.numberOf(segment));
    // A removed message's bytes are of no use.
    if (!live) this.placeBodies([]);
  }

  /** Every segment holding this very state. */
  holderNames(): string[] {
    const { table, slot } = this;
    const holder = table.holder.get(slot);
    if (holder === NONE) return [];
    if (holder === MANY) return [...(table.holders.get(slot)?.keys() ?? [])];
    return [table.names.nameOf(holder)];
  }

  holdsIn(segment: string): boolean {
    const { table, slot } = this;
    const holder = table.holder.get(slot);
    if (holder === MANY) return table.holders.get(slot)?.has(segment) ?? false;
    return holder !== NONE && table.names.nameOf(holder) === segment;
  }

  /** Another segment holds the same state (a copy): read from it when the frame's segment is gone. */
  addHolder(segment: string, ref: HeaderRef | undefined, frameGone: boolean): void {
    const { table, slot } = this;
    const holder = table.holder.get(slot);
    if (holder === NONE || (holder !== MANY && table.names.nameOf(holder) === segment)) {
      table.holder.set(slot, table.names.numberOf(segment));
    } else {
      const holders = table.holders.get(slot) ?? new Map([[table.names.nameOf(holder), this.frame]]);
      holders.set(segment, ref);
      table.holders.set(slot, holders);
      table.holder.set(slot, MANY);
    }
    if (table.frameSegment.get(slot) === NONE || frameGone) this.moveFrame(ref ?? this.frame);
  }

  /** A segment is gone: it holds the state no more; true when no segment does. */
  dropHolder(segment: string): boolean {
    const { table, slot } = this;
    const holder = table.holder.get(slot);
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
          table.holder.set(slot, only === undefined ? NONE : table.names.numberOf(only));
        }
      }
    } else if (holder !== NONE && table.names.nameOf(holder) === segment) {
      table.holder.set(slot, NONE);
    }
    return table.holder.get(slot) === NONE;
  }

  /** Where the bytes can be read, newest first. */
  bodies(): BodyRef[] {
    const { table, slot } = this;
    const segment = table.bodySegment.get(slot);
    if (segment === NONE) return [];
    if (segment === MANY) return table.places.get(slot) ?? [];
    const offset = table.bodyOffset.get(slot);
    return [{ segment: table.names.nameOf(segment), offset, length: table.bodyLength.get(slot) }];
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
      table.bodySegment.set(slot, MANY);
      table.places.set(slot, refs);
    } else if (only) {
      const [offset, length] = [within32Bits(only.offset), within32Bits(only.length)];
      table.bodySegment.set(slot, table.names.numberOf(only.segment));
      table.bodyOffset.set(slot, offset);
      table.bodyLength.set(slot, length);
    } else {
      table.bodySegment.set(slot, NONE);
    }
  }

  private moveFrame(ref: HeaderRef | undefined): void {
    const { table, slot } = this;
    const [offset, length] = [within32Bits(ref?.offset ?? 0), within32Bits(ref?.length ?? 0)];
    table.frameSegment.set(slot, ref ? table.names.numberOf(ref.segment) : NONE);
    table.frameOffset.set(slot, offset);
    table.frameLength.set(slot, length);
    table.frameCrc.set(slot, ref?.crc ?? 0);
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
    for (const [id, slot] of this.slots) if ((this.table.flags.get(slot) & LIVE) !== 0) yield id;
  }

  /**
   * The ids of live messages oldest first (by `createdAt`; those created in the same millisecond
   * in the order they first appeared), as they are now. Sorted as numbers in typed arrays: a sort
   * of the ids that looked each one's entry up made ~3 MB of garbage at 100,000 (issue 17).
   */
  *liveIdsOldestFirst(): Generator<string> {
    const ids = new Array<string>(this.slots.size);
    const created = new Float64Array(this.slots.size);
    let count = 0;
    for (const [id, slot] of this.slots) {
      if ((this.table.flags.get(slot) & LIVE) === 0) continue;
      ids[count] = id;
      created[count++] = this.table.createdAt.get(slot);
    }
    const order = new Uint32Array(count);
    for (let index = 0; index < count; index++) order[index] = index;
    order.sort((a, b) => (created[a] ?? 0) - (created[b] ?? 0) || a - b);
    for (const index of order) {
      const id = ids[index];
      if (id !== undefined) yield id;
    }
  }
}
