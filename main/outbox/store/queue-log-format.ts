import { crc32 } from 'node:zlib';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.ts';
import { acceptedCopy, type AcceptedCopy } from '../../files/accepted-copy.ts';
import { NewerFormatError } from '../../files/versioned.ts';
import { storedId as queueId } from '../../files/stored-fields.ts';
import { sentRecordOnDisk, toStoredSentRecord } from '../../sent/sent-record.ts';
import { QUEUE_RECORD_FORMAT, queueRecord, queueRecordOnDisk } from './queue-record.ts';
import { lazySchema } from '../../../preload/contract/lazy-schema.ts';

/**
 * The queue is a set of append-only segment files, one writer each. A segment is a run of frames:
 *
 *   "OBXQ" | u32 header length | u32 body length | u32 CRC-32 of header and body | header | body
 *
 * The header is one JSON entry; the body, when there is one, is a message's RFC 5322 bytes. The
 * CRC tells a frame torn by a crash (or damaged later) from a whole one.
 */
export const MAGIC = Buffer.from('OBXQ', 'latin1');
const PREFIX_BYTES = 16;
/** Larger frames are not written, so a larger length read back is damage, not a frame. */
export const MAX_HEADER_BYTES = 1024 * 1024;
export const MAX_BODY_BYTES = 1024 * 1024;

/** A message's whole state at revision `rev`; its first revision carries its bytes as the body. */
const putEntry = lazySchema(() =>
  z.object({ op: z.literal('put'), rev: z.number().int().positive(), record: queueRecordOnDisk }),
);

export const logEntry = lazySchema(() =>
  z.discriminatedUnion('op', [
    /** First frame of every segment: who writes it, so a dead writer's segment can be reclaimed. */
    z.object({ op: z.literal('writer'), pid: z.number().int(), started: z.string().optional() }),
    putEntry,
    /** The whole body of this attempt went to the server; only its final dot is still to come. */
    z.object({ op: z.literal('handover'), id: queueId, attempt: z.number().int().positive() }),
    /**
     * The message left the queue (sent, cancelled, taken back for editing). Final. When it was sent,
     * its sent-log record comes along: this entry is what makes that record durable.
     */
    z.object({
      op: z.literal('del'),
      id: queueId,
      rev: z.number().int().positive(),
      sent: sentRecordOnDisk.optional(),
      /** When it was removed (ms since the epoch): removals are kept a while even with nothing left to hide. */
      at: z.number().int().nonnegative().optional(),
    }),
    /** The writer closed this segment: nothing follows. */
    z.object({ op: z.literal('seal') }),
    /**
     * Ends every batch, in the same write: readers apply a batch only once its commit is there, so
     * they never act on part of a batch whose write failed (and which its callers were told failed).
     */
    z.object({ op: z.literal('commit') }),
  ]),
);
export type LogEntry = z.infer<typeof logEntry>;

export const COMMIT_FRAME: Buffer = encodeFrame({ op: 'commit' });

/** A put entry's parse, rebuilt without its checks (for a record in this format): made on first use. */
let putCopy: { readonly copy: AcceptedCopy | undefined } | undefined;

/**
 * A `put` or `del` header read back from its frame by FrameSource, its bytes matching the CRC-32
 * they had when the view indexed them: bytes decodeFrames checked against `logEntry`, or that this
 * process encoded from a record it had checked. A `put` in this build's record format is rebuilt as
 * that parse returned it, without checking it again (~10 µs a record, ~8% of delivery's CPU: issue
 * 17): the shape's keys in the shape's order, as zod returns them, since readers compare records
 * by their JSON (queue-view.ts). Anything else, a record in an older format to upgrade among them,
 * is parsed again. The CRC tells damage, not a forgery: whoever can rewrite the queue's files can
 * write frames that pass any check.
 */
export function readBackCheckedEntry(json: unknown): LogEntry {
  const put = json as { op?: unknown; record?: { version?: unknown } | null } | null;
  if (put?.op === 'put' && put.record?.version === QUEUE_RECORD_FORMAT.version) {
    // The record's own schema in place of queueRecordOnDisk, whose upgrade step leaves it as it is.
    putCopy ??= { copy: acceptedCopy(z.object({ ...putEntry.shape, record: queueRecord })) };
    const entry = putCopy.copy?.(json) as LogEntry | undefined;
    if (entry) return entry;
  }
  return logEntry.parse(json);
}

/** Throws `message_too_large` rather than write a header no reader accepts. */
export function encodeFrame(entry: LogEntry, body?: Uint8Array): Buffer {
  // A removal's sent record carries its format version, as the sent log's lines do, so a later
  // format is never read back (or copied on by compaction) as this one.
  const stored =
    entry.op === 'del' && entry.sent ? { ...entry, sent: toStoredSentRecord(entry.sent) } : entry;
  const header = Buffer.from(JSON.stringify(stored));
  // Every reader takes a longer header for damage: written, it would be acknowledged and then lost.
  if (header.length > MAX_HEADER_BYTES) {
    throw new AppError(
      'message_too_large',
      `The message's queue entry would take ${header.length} bytes, more than the ${MAX_HEADER_BYTES} the queue can store, so it was not queued.`,
    );
  }
  const bodyLength = body?.length ?? 0;
  const frame = Buffer.allocUnsafe(PREFIX_BYTES + header.length + bodyLength);
  MAGIC.copy(frame, 0);
  frame.writeUInt32BE(header.length, 4);
  frame.writeUInt32BE(bodyLength, 8);
  header.copy(frame, PREFIX_BYTES);
  if (body) frame.set(body, PREFIX_BYTES + header.length);
  frame.writeUInt32BE(crc32(frame.subarray(PREFIX_BYTES)), 12);
  return frame;
}

export interface DecodedFrame {
  readonly entry: LogEntry;
  /** Where the frame starts in the segment. */
  readonly at: number;
  /** The body's place in the segment, when the frame has one. */
  readonly body?: { readonly offset: number; readonly length: number };
  /** A `put` or `del` header's place in the segment and its CRC-32, to read it back on demand. */
  readonly header?: { readonly offset: number; readonly length: number; readonly crc: number };
}

/** Where a `put` or `del` frame's header is, so the view can read it back rather than hold it. */
export function headerPlace(
  frame: Buffer,
  at: number,
  op: string,
): { offset: number; length: number; crc: number } | undefined {
  if (op !== 'put' && op !== 'del') return undefined;
  const length = frame.readUInt32BE(4);
  const crc = crc32(frame.subarray(PREFIX_BYTES, PREFIX_BYTES + length));
  return { offset: at + PREFIX_BYTES, length, crc };
}

export interface DecodeResult {
  readonly frames: DecodedFrame[];
  /** Offset after the last whole frame: where reading goes on once more has been written. */
  readonly end: number;
  /** Damaged stretches skipped because whole frames follow them (not a torn tail). */
  readonly damaged: { readonly from: number; readonly to: number }[];
}

type Parsed = { kind: 'frame'; frame: DecodedFrame; next: number } | { kind: 'short' } | { kind: 'bad' };

function parseAt(buffer: Buffer, pos: number, base: number): Parsed {
  if (buffer.length - pos < PREFIX_BYTES) return { kind: 'short' };
  if (!buffer.subarray(pos, pos + 4).equals(MAGIC)) return { kind: 'bad' };
  const headerLength = buffer.readUInt32BE(pos + 4);
  const bodyLength = buffer.readUInt32BE(pos + 8);
  if (headerLength > MAX_HEADER_BYTES || bodyLength > MAX_BODY_BYTES) return { kind: 'bad' };
  const next = pos + PREFIX_BYTES + headerLength + bodyLength;
  if (next > buffer.length) return { kind: 'short' };
  if (crc32(buffer.subarray(pos + PREFIX_BYTES, next)) !== buffer.readUInt32BE(pos + 12)) {
    return { kind: 'bad' };
  }
  const headerEnd = pos + PREFIX_BYTES + headerLength;
  let entry: LogEntry;
  try {
    const parsed = logEntry.safeParse(JSON.parse(buffer.toString('utf8', pos + PREFIX_BYTES, headerEnd)));
    if (!parsed.success) return { kind: 'bad' };
    entry = parsed.data;
  } catch (error) {
    // Whole and written by a later Outbox: refused, never skipped or set aside as damage.
    if (error instanceof NewerFormatError) throw error;
    return { kind: 'bad' };
  }
  const body = bodyLength > 0 ? { offset: base + headerEnd, length: bodyLength } : undefined;
  const header = headerPlace(buffer.subarray(pos), base + pos, entry.op);
  const frame = { entry, at: base + pos, ...(body ? { body } : {}), ...(header ? { header } : {}) };
  return { kind: 'frame', frame, next };
}

/**
 * Reads the frames in `buffer`, which holds the segment from offset `base`. An incomplete or
 * damaged frame at the end is left for later (it may still be being written, or was torn by a
 * crash and never acknowledged); damage with whole frames after it is skipped and reported.
 * `final`: the writer is gone, so an incomplete frame may also be a damaged length with more after it.
 * Throws `NewerFormatError` at a whole frame a later Outbox wrote: refused, never skipped as damage.
 * With `onFrame`, each frame goes to it as it is decoded and `frames` stays empty: a reader that
 * applies them at once never holds a whole segment's entries.
 */
export function decodeFrames(
  buffer: Buffer,
  base = 0,
  final = false,
  onFrame?: (frame: DecodedFrame) => void,
): DecodeResult {
  const frames: DecodedFrame[] = [];
  const damaged: { from: number; to: number }[] = [];
  let pos = 0;
  let end = 0;
  while (pos < buffer.length) {
    const parsed = parseAt(buffer, pos, base);
    if (parsed.kind === 'frame') {
      if (onFrame) onFrame(parsed.frame);
      else frames.push(parsed.frame);
      pos = end = parsed.next;
      continue;
    }
    if (parsed.kind === 'short' && !final) break;
    // Look for the next whole frame; if there is none, this is a torn tail.
    let resync = buffer.indexOf(MAGIC, pos + 1);
    while (resync >= 0 && parseAt(buffer, resync, base).kind !== 'frame') {
      resync = buffer.indexOf(MAGIC, resync + 1);
    }
    if (resync < 0) break;
    damaged.push({ from: base + pos, to: base + resync });
    pos = resync;
  }
  return { frames, end: base + end, damaged };
}

/** What can still be read of one frame's header in a damaged stretch. */
export interface ReadableHeader {
  readonly op?: string;
  readonly id?: string;
  readonly subject?: string;
  readonly recipients?: string[];
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The names a header's text still shows, field by field, for one too damaged or cut to parse. */
function scannedNames(header: string): ReadableHeader {
  const field = (name: string) => {
    const match = new RegExp(`"${name}":"((?:[^"\\\\]|\\\\.)*)"`).exec(header)?.[1];
    if (match === undefined) return undefined;
    try {
      return JSON.parse(`"${match}"`) as string;
    } catch {
      return undefined;
    }
  };
  const addresses = [...header.matchAll(/"address":"([^"\\]*)"/g)].map((m) => m[1] ?? '');
  return dropUndefined({
    op: field('op'),
    id: field('id'),
    subject: field('subject'),
    recipients: addresses.length > 0 ? addresses : undefined,
  });
}

/** The names a header gives: from its JSON where that parses and says them, else from its text. */
function namesIn(header: string): ReadableHeader {
  const scanned = scannedNames(header);
  let entry: unknown;
  try {
    entry = JSON.parse(header);
  } catch {
    return scanned;
  }
  if (typeof entry !== 'object' || entry === null) return scanned;
  const fields = entry as Record<string, unknown>;
  const record = (typeof fields.record === 'object' && fields.record) as Record<string, unknown> | false;
  const recipients = record && Array.isArray(record.recipients) ? record.recipients : undefined;
  const addresses = recipients?.flatMap((r: unknown) => {
    const address =
      typeof r === 'object' && r !== null ? text((r as Record<string, unknown>).address) : undefined;
    return address === undefined ? [] : [address];
  });
  const parsed = dropUndefined({
    op: text(fields.op),
    id: text(fields.id) ?? (record ? text(record.id) : undefined),
    subject: record ? text(record.subject) : undefined,
    recipients: addresses,
  });
  return { ...scanned, ...parsed };
}

function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * The headers of the frames in a damaged stretch, as far as they can be read: each frame start
 * (MAGIC) is taken at its word for the header's length, even when its CRC fails or the stretch
 * ends inside it. Best effort, never throws: it only names what was set aside.
 */
export function readableHeaders(stretch: Buffer): ReadableHeader[] {
  const found: ReadableHeader[] = [];
  for (let pos = stretch.indexOf(MAGIC); pos >= 0; pos = stretch.indexOf(MAGIC, pos + 1)) {
    if (stretch.length - pos < 8) break;
    const stated = stretch.readUInt32BE(pos + 4);
    const start = pos + PREFIX_BYTES;
    const end = Math.min(start + Math.min(stated, MAX_HEADER_BYTES), stretch.length);
    if (end <= start) continue;
    const names = namesIn(stretch.toString('utf8', start, end));
    if (names.id !== undefined || names.op !== undefined) found.push(names);
  }
  return found;
}
