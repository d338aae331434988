import type { SentRecord } from '../../../preload/contract/outbox.ts';
import type { HeaderRef } from './frame-source.ts';
import type { DecodedFrame, LogEntry } from './queue-log-format.ts';
import { timeIn, timeOf, type QueueRecord } from './queue-record.ts';
import type { EntryState, Summary } from './view-entries.ts';

/** A frame that is not a message's state, applied as the log has it. */
export type OtherEntry = Extract<LogEntry, { op: 'writer' | 'seal' | 'commit' | 'handover' }>;

// A state's numbers, FIELDS to a frame. NaN: no such time.
const REV = 0;
const FLAGS = 1;
const REMOVED_AT = 2;
const ATTEMPTS = 3;
const CREATED_AT = 4;
const STORED_SIZE = 5;
const NEXT_ATTEMPT_AT = 6;
const SEND_AT = 7;
const LAST_TRIED_AT = 8;
const HEADER_OFFSET = 9;
const HEADER_LENGTH = 10;
const HEADER_CRC = 11;
const BODY_OFFSET = 12;
const BODY_LENGTH = 13;
const FIELDS = 14;

const LIVE = 1;
const DELIVERED = 2;
const HAS_HEADER = 4;
const HAS_BODY = 8;

/**
 * Frames of one segment decoded and not yet applied: a batch waits for its commit (SegmentReader).
 * Each message's state is kept as numbers in one typed array, with its id and the strings it names,
 * not as objects: a batch of hundreds outlives V8's young collections, and a FrameState object per
 * frame, with its places as two more, was promoted and then garbage (issue 17: a listing of 100,000
 * promoted ~51 MB with them, ~34 MB without; sampling heap profiler). Read back through `at`, one
 * view moved from frame to frame.
 */
export class PreparedFrames {
  readonly segment: string;
  private numbers = new Float64Array(FIELDS * 64);
  private readonly ids: string[] = [];
  private readonly states: string[] = [];
  private readonly accounts: string[] = [];
  /** Held only when a frame cannot be read back (see `add`). */
  private readonly records: (QueueRecord | undefined)[] = [];
  private readonly sents: (SentRecord | undefined)[] = [];
  private readonly others: (OtherEntry | undefined)[] = [];
  /** Each account id and state once: one parsed from each frame would be held once per frame. */
  private readonly strings = new Map<string, string>();
  private readonly view = new PreparedState(this);
  private used = 0;

  constructor(segment: string) {
    this.segment = segment;
  }

  get size(): number {
    return this.used;
  }

  /** A decoded frame; `carry`: hold its record (or a removal's sent record), as it cannot be read back. */
  add(frame: DecodedFrame, carry: boolean): void {
    const index = this.used++;
    const { entry } = frame;
    if (entry.op !== 'put' && entry.op !== 'del') {
      this.hold(index, entry, undefined, undefined);
      return;
    }
    const at = this.slot(index);
    const numbers = this.numbers;
    const { header, body } = frame;
    // What a removal says in place of a summary: no times, nothing counted.
    numbers.fill(NaN, at, at + FIELDS);
    numbers[ATTEMPTS + at] = 0;
    numbers[CREATED_AT + at] = 0;
    numbers[STORED_SIZE + at] = 0;
    numbers[REV + at] = entry.rev;
    numbers[HEADER_OFFSET + at] = header?.offset ?? 0;
    numbers[HEADER_LENGTH + at] = header?.length ?? 0;
    numbers[HEADER_CRC + at] = header?.crc ?? 0;
    numbers[BODY_OFFSET + at] = body?.offset ?? 0;
    numbers[BODY_LENGTH + at] = body?.length ?? 0;
    const placed = (header ? HAS_HEADER : 0) | (body ? HAS_BODY : 0);
    if (entry.op === 'del') {
      numbers[FLAGS + at] = placed | (entry.sent !== undefined ? DELIVERED : 0);
      numbers[REMOVED_AT + at] = entry.at ?? NaN;
      this.ids[index] = entry.id;
      this.states[index] = 'queued';
      this.accounts[index] = '';
      this.hold(index, undefined, undefined, carry ? entry.sent : undefined);
      return;
    }
    const { record } = entry;
    numbers[FLAGS + at] = placed | LIVE;
    numbers[ATTEMPTS + at] = record.attempts;
    numbers[CREATED_AT + at] = Date.parse(record.createdAt);
    numbers[STORED_SIZE + at] = record.storedSizeBytes ?? record.sizeBytes;
    numbers[NEXT_ATTEMPT_AT + at] = timeOf(record.nextAttemptAt) ?? NaN;
    numbers[SEND_AT + at] = timeOf(record.sendAt) ?? NaN;
    numbers[LAST_TRIED_AT + at] = timeOf(record.lastTriedAt) ?? NaN;
    this.ids[index] = record.id;
    this.states[index] = this.once(record.state);
    this.accounts[index] = this.once(record.accountId);
    this.hold(index, undefined, carry ? record : undefined, undefined);
  }

  /** The frame at `index`: a message's state (a view valid until the next call) or another entry. */
  at(index: number): PreparedState | OtherEntry {
    return this.others[index] ?? this.view.moveTo(index);
  }

  /** Empties the batch: the records and entries it held are let go; its strings, once overwritten. */
  clear(): void {
    for (let index = 0; index < this.used; index++) this.hold(index, undefined, undefined, undefined);
    this.used = 0;
  }

  number(index: number, field: number): number {
    return this.numbers[index * FIELDS + field] ?? NaN;
  }

  id(index: number): string {
    return this.ids[index] ?? '';
  }

  state(index: number): QueueRecord['state'] {
    return (this.states[index] ?? 'queued') as QueueRecord['state'];
  }

  accountId(index: number): string {
    return this.accounts[index] ?? '';
  }

  record(index: number): QueueRecord | undefined {
    return this.records[index];
  }

  sent(index: number): SentRecord | undefined {
    return this.sents[index];
  }

  private hold(
    index: number,
    other: OtherEntry | undefined,
    record: QueueRecord | undefined,
    sent: SentRecord | undefined,
  ): void {
    this.others[index] = other;
    this.records[index] = record;
    this.sents[index] = sent;
  }

  private once(text: string): string {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    this.strings.set(text, text);
    return text;
  }

  /** Where frame `index`'s numbers start, the array grown (doubled) when it is full. */
  private slot(index: number): number {
    const at = index * FIELDS;
    if (at + FIELDS > this.numbers.length) {
      const grown = new Float64Array(this.numbers.length * 2);
      grown.set(this.numbers);
      this.numbers = grown;
    }
    return at;
  }
}

/**
 * A message's state as one prepared frame gives it: what applying it needs (its summary, the places
 * of its frame and bytes), read from the batch. One view serves every frame of a batch in turn.
 */
export class PreparedState implements EntryState, Summary {
  readonly op = 'state';
  private readonly frames: PreparedFrames;
  private index = 0;

  constructor(frames: PreparedFrames) {
    this.frames = frames;
  }

  moveTo(index: number): this {
    this.index = index;
    return this;
  }

  private field(field: number): number {
    return this.frames.number(this.index, field);
  }

  get id(): string {
    return this.frames.id(this.index);
  }

  get rev(): number {
    return this.field(REV);
  }

  get live(): Summary | undefined {
    return (this.field(FLAGS) & LIVE) !== 0 ? this : undefined;
  }

  get delivered(): boolean {
    return (this.field(FLAGS) & DELIVERED) !== 0;
  }

  get removedAt(): number | undefined {
    return timeIn(this.field(REMOVED_AT));
  }

  get record(): QueueRecord | undefined {
    return this.frames.record(this.index);
  }

  get sent(): SentRecord | undefined {
    return this.frames.sent(this.index);
  }

  get state(): QueueRecord['state'] {
    return this.frames.state(this.index);
  }

  get accountId(): string {
    return this.frames.accountId(this.index);
  }

  get attempts(): number {
    return this.field(ATTEMPTS);
  }

  get createdAt(): number {
    return this.field(CREATED_AT);
  }

  get storedSize(): number {
    return this.field(STORED_SIZE);
  }

  get nextAttemptAt(): number | undefined {
    return timeIn(this.field(NEXT_ATTEMPT_AT));
  }

  get sendAt(): number | undefined {
    return timeIn(this.field(SEND_AT));
  }

  get lastTriedAt(): number | undefined {
    return timeIn(this.field(LAST_TRIED_AT));
  }

  get frame(): HeaderRef | undefined {
    if ((this.field(FLAGS) & HAS_HEADER) === 0) return undefined;
    return {
      segment: this.frames.segment,
      offset: this.field(HEADER_OFFSET),
      length: this.field(HEADER_LENGTH),
      crc: this.field(HEADER_CRC),
    };
  }

  /** Where the bytes are in the frame's segment, when the frame carries them. */
  get body(): { offset: number; length: number } | undefined {
    if ((this.field(FLAGS) & HAS_BODY) === 0) return undefined;
    return { offset: this.field(BODY_OFFSET), length: this.field(BODY_LENGTH) };
  }
}
