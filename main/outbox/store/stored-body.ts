import { createHash } from 'node:crypto';
import fsp, { type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { AppError } from '../../errors/app-error.ts';
import type { QueueRecord } from './queue-record.ts';

/** Read this much at a time, for checking and for sending alike. */
const CHUNK_BYTES = 256 * 1024;

/**
 * A message's stored bytes, checked when they were opened. May be iterated more than once (a send
 * retried on a fresh session); `close` lets go of the file once they are no longer needed.
 */
export interface StoredBody extends AsyncIterable<Buffer> {
  close(): Promise<void>;
}

/** What a message file must hold, as its record says. */
export interface ExpectedBody {
  readonly size: number;
  /** Absent in records written before files had one: then only the size is checked. */
  readonly sha256?: string | undefined;
}

export function expectedBody(record: QueueRecord): ExpectedBody {
  return { size: record.storedSizeBytes ?? record.sizeBytes, sha256: record.bodySha256 };
}

/** A message file that no longer holds what was queued: it must not be sent or handed back. */
export class MessageDamagedError extends AppError {
  /** Why, as the quarantine notice tells it. */
  readonly reason: string;

  constructor(record: Pick<QueueRecord, 'id' | 'subject'>, reason: string) {
    super('message_damaged', `The message “${record.subject}” (${record.id}) cannot be trusted: ${reason}.`);
    this.reason = reason;
  }
}

export const DAMAGED_REASON = 'its message file no longer matches what was queued (damaged on disk)';
export const RESIZED_REASON = 'its message file is no longer the size that was queued (damaged on disk)';

/** Bytes already in memory (the log's frames carry their own CRC). */
export function bodyInMemory(bytes: Buffer): StoredBody {
  return {
    close: () => Promise.resolve(),
    [Symbol.asyncIterator]: () => Readable.from([bytes])[Symbol.asyncIterator](),
  };
}

/** Reads `size` bytes of `handle` from its start, a chunk at a time, fewer if the file is shorter. */
async function* chunksOf(handle: FileHandle, size: number): AsyncGenerator<Buffer> {
  for (let position = 0; position < size;) {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - position));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/** How a message file differs from what was queued. */
export type BodyMismatch = 'missing' | 'resized' | 'damaged';

type ContentMismatch = Exclude<BodyMismatch, 'missing'>;

const REASONS: Record<ContentMismatch, string> = {
  resized: RESIZED_REASON,
  damaged: DAMAGED_REASON,
};

/** How the file's bytes differ from what was queued, or undefined when they do not. */
async function mismatch(handle: FileHandle, expected: ExpectedBody): Promise<ContentMismatch | undefined> {
  const { size } = await handle.stat();
  if (size !== expected.size) return 'resized';
  if (expected.sha256 === undefined) return undefined;
  const hash = createHash('sha256');
  for await (const chunk of chunksOf(handle, size)) hash.update(chunk);
  return hash.digest('hex') === expected.sha256 ? undefined : 'damaged';
}

/** Checks a message file without keeping it open: for listing, where nothing is sent from it. */
export async function checkStoredFile(
  file: string,
  expected: ExpectedBody,
): Promise<BodyMismatch | undefined> {
  const handle = await fsp.open(file, 'r').catch(() => undefined);
  if (!handle) return 'missing';
  try {
    return await mismatch(handle, expected);
  } finally {
    await handle.close();
  }
}

/**
 * Opens a message file and checks it against its record before anything reads it: its SHA-256
 * (or, for older records, its size). What is then read comes through the same descriptor, and no
 * further than the size checked, so the bytes sent are the bytes checked even if the file is
 * replaced meanwhile. Throws MessageDamagedError on a mismatch; a file error as it comes.
 */
export async function openCheckedFile(
  file: string,
  record: Pick<QueueRecord, 'id' | 'subject'>,
  expected: ExpectedBody,
): Promise<StoredBody> {
  const handle = await fsp.open(file, 'r');
  try {
    const why = await mismatch(handle, expected);
    if (why) throw new MessageDamagedError(record, REASONS[why]);
  } catch (error) {
    await handle.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  return {
    close: () => (closing ??= handle.close()),
    [Symbol.asyncIterator]: () => chunksOf(handle, expected.size),
  };
}
