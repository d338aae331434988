import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FileContent } from '../../files/atomic-file.ts';
import { BodyCache } from './body-cache.ts';

/** Messages up to this size travel inside the log; larger ones get a file of their own. */
export const INLINE_BODY_BYTES = 256 * 1024;
/** Own small messages are kept in memory from enqueue to delivery, up to this much in all. */
const CACHE_BUDGET_BYTES = 32 * 1024 * 1024;

/**
 * Where a message's bytes wait for its state: in memory (they go into the log with it) or in a file,
 * whose SHA-256 (hex) goes into the state.
 */
export type Staged =
  | { readonly kind: 'inline'; readonly bytes: Buffer }
  | { readonly kind: 'file'; readonly sha256: string; readonly size: number };

/** Writes the bytes that did not fit in memory, the gathered ones first, to a file; returns their size. */
export type Spill = (all: AsyncIterable<Uint8Array>) => Promise<number>;

/**
 * Gathers `content` in memory while it stays small; past that, the rest follows into a file, hashed
 * on its way there (no second read: what is hashed is what was handed to the file).
 */
export async function stage(content: FileContent, spill: Spill): Promise<{ staged: Staged; size: number }> {
  if (content instanceof Uint8Array && content.length <= INLINE_BODY_BYTES) {
    // Already whole in memory: no stream to drain. A copy, as below.
    return { staged: { kind: 'inline', bytes: Buffer.from(content) }, size: content.length };
  }
  const source: AsyncIterable<Uint8Array | string> =
    typeof content === 'string' || content instanceof Uint8Array ? Readable.from([content]) : content;
  const chunks: Buffer[] = [];
  let size = 0;
  const iterator = source[Symbol.asyncIterator]();
  for (;;) {
    const next = await iterator.next();
    if (next.done) return { staged: { kind: 'inline', bytes: Buffer.concat(chunks, size) }, size };
    // A copy: a stream may reuse the memory of a chunk it handed out.
    const chunk = typeof next.value === 'string' ? Buffer.from(next.value, 'utf8') : Buffer.from(next.value);
    chunks.push(chunk);
    size += chunk.length;
    if (size > INLINE_BODY_BYTES) break;
  }
  const hash = createHash('sha256');
  const rest = (async function* () {
    for (const chunk of chunks) {
      hash.update(chunk);
      yield chunk;
    }
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      hash.update(chunk);
      yield chunk;
    }
  })();
  const spilled = await spill(rest);
  return { staged: { kind: 'file', sha256: hash.digest('hex'), size: spilled }, size: spilled };
}

/**
 * The bytes of this process's own messages: staged from `writeBytes` until their state is saved,
 * then, when small, kept in memory until they are delivered or removed.
 */
export class BodyStaging {
  private readonly staged = new Map<string, Staged>();
  private readonly cache = new BodyCache(CACHE_BUDGET_BYTES);

  /** Stages a message's bytes (see `stage`); returns their size. */
  async stage(id: string, content: FileContent, spill: Spill): Promise<number> {
    const { staged, size } = await stage(content, spill);
    this.staged.set(id, staged);
    return size;
  }

  /** Bytes written for a message whose state is not saved yet. */
  pending(id: string): Staged | undefined {
    return this.staged.get(id);
  }

  /** The message's state, with `body` when its bytes went into the log, is saved. */
  saved(id: string, body: Buffer | undefined): void {
    this.staged.delete(id);
    if (body) this.cache.put(id, body);
  }

  /** The message is being removed: its bytes are let go; returns what was staged. */
  discard(id: string): Staged | undefined {
    const pending = this.staged.get(id);
    this.staged.delete(id);
    this.cache.delete(id);
    return pending;
  }

  /** A copy of a saved message's bytes, if this process still holds one. */
  cached(id: string): Buffer | undefined {
    return this.cache.get(id);
  }

  /** The message's bytes if they are in memory, staged or saved. */
  inMemory(id: string): Buffer | undefined {
    const pending = this.staged.get(id);
    return pending?.kind === 'inline' ? pending.bytes : this.cache.get(id);
  }
}
