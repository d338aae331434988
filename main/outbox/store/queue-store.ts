import { createReadStream } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  ensureDir,
  fsyncDir,
  isNotFound,
  unlinkIfExists,
  writeFileAtomic,
  type FileContent,
  type FileSystemSeam,
} from '../../files/atomic-file.ts';
import { currentProcess, isAlive } from '../../files/process-identity.ts';
import { COMMIT_FRAME, decodeFrames, encodeFrame, type DecodedFrame } from './queue-log-format.ts';
import type { SentRecord } from '../../../preload/contract/outbox.ts';
import { bodyFile, type QueuePaths } from './queue-paths.ts';
import { queueRecord, type QueueRecord } from './queue-record.ts';
import { QueueView, type BodyRef, type SegmentState, type ViewEntry } from './queue-view.ts';
import { createSegmentWriter, SEGMENT_FILE, type SegmentWriter } from './segment-writer.ts';

/** Messages up to this size travel inside the log; larger ones get a file of their own. */
const INLINE_BODY_BYTES = 256 * 1024;
/** Own small messages are kept in memory from enqueue to delivery, up to this much in all. */
const CACHE_BUDGET_BYTES = 32 * 1024 * 1024;
/**
 * This process's own sealed segments are reclaimed once at most this share of the messages with a
 * frame there still has its current state or bytes there: copying them out costs about what it
 * frees. (Segments of writers that are gone are reclaimed whatever is left in them.)
 */
const RECLAIM_LIVE_SHARE = 0.5;
/** A segment whose writer header is still missing after this long was left by a crash at its creation. */
const HEADERLESS_GRACE_MS = 60_000;
/**
 * A removal is kept this long even once no older frame of its message is left: a process that
 * has not read it yet may still write a change to the message (say, a retry from the command
 * line), and without the removal that change would bring a sent or cancelled message back.
 */
const REMOVAL_GRACE_MS = 3_600_000;

export interface QuarantineNotice {
  readonly id?: string;
  readonly reason: string;
}

/**
 * The durable queue. Every process appends to a segment of its own (group-committed); each reads
 * the others' segments to see their changes. Safe to use from several processes at once; only the
 * deliverer compacts.
 */
export interface QueueStore {
  readonly paths: QueuePaths;
  /** Creates the folders and reads the whole queue. */
  init(): Promise<void>;
  /**
   * Takes the message bytes and returns their size; they are durable once the state is saved (or
   * gone once removed). The message does not exist until its state is saved.
   */
  writeBytes(id: string, content: FileContent): Promise<number>;
  /** Durable on return. */
  save(record: QueueRecord): Promise<void>;
  /** Durable on return; the message's file, if it has one, goes too. `sent`: it left as delivered. */
  remove(id: string, sent?: SentRecord): Promise<void>;
  /** The sent-log records that removals in the log carry (see SentLog). */
  sentRemovals(): SentRecord[];
  /**
   * Sets the message aside, as at start-up, if its bytes are gone or cut short. True when the
   * message is no longer in the queue.
   */
  recheck(id: string): Promise<boolean>;
  /** Reads what other processes appended since the last look; returns the ids whose state changed. */
  sync(): Promise<string[]>;
  get(id: string): QueueRecord | undefined;
  /** Whether this process writes that segment (its changes are known without reading it). */
  ownsSegment(name: string): boolean;
  all(): QueueRecord[];
  openBytes(id: string): Readable;
  /** The same bytes as `openBytes`, without a stream around them (delivery reads them chunk by chunk itself). */
  readBytes(id: string): AsyncIterable<Buffer>;
  /**
   * Records durably that the whole body went to the server in this attempt, before the final dot:
   * after a crash, a mark newer than the attempts in the message's state means the server may have it.
   */
  markHandedOver(id: string, attempt: number): Promise<void>;
  /** The newest handed-over attempt per live message. */
  handovers(): Map<string, number>;
  /** Deliverer only: reclaims segments no one appends to any more, after copying what is still live. */
  compact(): Promise<void>;
  /** Removes message files and temp files nothing refers to (a producer died mid-enqueue). */
  removeOrphans(olderThanMs: number, now: number): Promise<void>;
  /** Seals this process's segment. */
  close(): Promise<void>;
}

type Staged = { readonly kind: 'inline'; readonly bytes: Buffer } | { readonly kind: 'file' };

/** Gathers `content` in memory while it stays small; past that, the rest follows into a file. */
async function stage(
  content: FileContent,
  spill: (all: AsyncIterable<Uint8Array>) => Promise<number>,
): Promise<{ staged: Staged; size: number }> {
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
  const rest = (async function* () {
    yield* chunks;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      yield typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
    }
  })();
  return { staged: { kind: 'file' }, size: await spill(rest) };
}

export function createQueueStore(
  paths: QueuePaths,
  options: {
    fs: FileSystemSeam;
    onQuarantine: (notice: QuarantineNotice) => void;
    /** Runs before compaction deletes segments, with the sent-log records their removals carry. */
    beforeReclaim?: (sent: SentRecord[]) => Promise<void>;
    /** Messages whose state changed other than by this process's save or remove: read from the log, or set aside. */
    onChange?: (ids: string[]) => void;
    /** The wall clock removals are stamped with (tests move it past the grace period). */
    now?: () => number;
  },
): QueueStore {
  const now = options.now ?? Date.now;
  let view = new QueueView();
  let writer: SegmentWriter | undefined;
  const staged = new Map<string, Staged>();
  /** Revisions handed out to changes still being written, so two changes in flight never share one. */
  const reserved = new Map<string, number>();
  const cached = new Map<string, Buffer>();
  let cachedBytes = 0;
  const reportedDamage = new Set<string>();

  function uncache(id: string): void {
    cachedBytes -= cached.get(id)?.length ?? 0;
    cached.delete(id);
  }
  function cache(id: string, bytes: Buffer): void {
    cached.set(id, bytes);
    cachedBytes += bytes.length;
    for (const oldest of cached.keys()) {
      if (cachedBytes <= CACHE_BUDGET_BYTES) break;
      uncache(oldest);
    }
  }

  function mustWriter(): SegmentWriter {
    if (!writer) throw new Error('the queue store is not initialised');
    return writer;
  }

  function nextRev(id: string): number {
    const rev = Math.max(view.nextRev(id), (reserved.get(id) ?? 0) + 1);
    reserved.set(id, rev);
    return rev;
  }
  function released(id: string, rev: number): void {
    if (reserved.get(id) === rev) reserved.delete(id);
  }

  /** Appends one frame to this process's segment and applies it to the view. */
  async function append(
    frame: Parameters<typeof encodeFrame>[0],
    body?: Buffer,
  ): Promise<{ segment: string; at: number }> {
    const bytes = encodeFrame(frame, body);
    const placed = await mustWriter().append(bytes);
    view.segment(placed.segment, true);
    const bodyAt = body ? { offset: placed.at + bytes.length - body.length, length: body.length } : undefined;
    const decoded: DecodedFrame = { entry: frame, at: placed.at, ...(bodyAt ? { body: bodyAt } : {}) };
    view.apply(placed.segment, decoded);
    appliedDuringReload?.push([placed.segment, decoded]);
    return placed;
  }

  async function setAside(id: string, reason: string): Promise<void> {
    const record = view.record(id);
    const dir = path.join(paths.quarantine, `${id}-${Date.now()}`);
    await ensureDir(dir);
    if (record) await fsp.writeFile(path.join(dir, 'state.json'), JSON.stringify(record), { mode: 0o600 });
    await fsp.rename(bodyFile(paths, id), path.join(dir, `${id}.eml`)).catch(() => undefined);
    await append({ op: 'del', id, rev: nextRev(id), at: now() });
    options.onChange?.([id]);
    options.onQuarantine({ id, reason });
  }

  /** Live messages whose bytes are missing or not the size their state says. */
  async function unreadable(ids: Iterable<string>): Promise<{ id: string; reason: string }[]> {
    const found: { id: string; reason: string }[] = [];
    for (const id of ids) {
      const record = view.record(id);
      if (!record || staged.has(id)) continue;
      const inline = view.body(id);
      const size = inline
        ? inline.length
        : await fsp.stat(bodyFile(paths, id)).then(
            (s) => s.size,
            () => -1,
          );
      if (size === (record.storedSizeBytes ?? record.sizeBytes)) continue;
      found.push({
        id,
        reason: size < 0 ? 'its message file is missing' : 'its message bytes are truncated',
      });
    }
    return found;
  }

  /** Sets aside messages that cannot be sent, once a second look shows no one removed them meanwhile. */
  async function verify(ids: Iterable<string>): Promise<void> {
    const suspects = await unreadable(ids);
    if (suspects.length === 0) return;
    await readSegments(view, false);
    for (const { id, reason } of await unreadable(suspects.map((s) => s.id))) await setAside(id, reason);
  }

  async function reportDamage(segment: string, bytes: Buffer, base: number, from: number, to: number) {
    const key = `${segment}@${from}`;
    if (reportedDamage.has(key)) return;
    reportedDamage.add(key);
    await ensureDir(paths.quarantine);
    const file = path.join(paths.quarantine, `${segment}-${from}.damaged`);
    await fsp.writeFile(file, bytes.subarray(from - base, to - base), { mode: 0o600 });
    options.onQuarantine({ reason: `${to - from} bytes of ${segment}` });
  }

  /**
   * Reads a segment from where the last read stopped, into `target`, up to its last commit: what
   * follows is a batch still being written, or one whose write failed. False when the segment is gone.
   */
  async function readSegment(
    target: QueueView,
    segment: SegmentState,
    changed: Set<string>,
    final = false,
  ): Promise<boolean> {
    let bytes: Buffer;
    try {
      const handle = await fsp.open(path.join(paths.queue, segment.name), 'r');
      try {
        const { size } = await handle.stat();
        bytes = Buffer.alloc(Math.max(0, size - segment.offset));
        if (bytes.length > 0) await handle.read(bytes, 0, bytes.length, segment.offset);
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
    const base = segment.offset;
    const decoded = decodeFrames(bytes, base, final);
    const committed = decoded.frames.findLastIndex((frame) => frame.entry.op === 'commit');
    for (const frame of decoded.frames.slice(0, committed + 1)) {
      const id = target.apply(segment.name, frame);
      if (id) changed.add(id);
    }
    const last = decoded.frames[committed];
    if (last) segment.offset = last.at + COMMIT_FRAME.length;
    for (const { from, to } of decoded.damaged) {
      if (from < segment.offset) await reportDamage(segment.name, bytes, base, from, to);
    }
    if (final) segment.final = true;
    return true;
  }

  async function segmentNames(): Promise<string[]> {
    return (await fsp.readdir(paths.queue)).filter((name) => SEGMENT_FILE.test(name)).sort();
  }

  /** Reads the other writers' segments (with `everything`, all of them) into `target`. */
  async function readSegments(target: QueueView, everything: boolean): Promise<string[]> {
    const changed = new Set<string>();
    const names = await segmentNames();
    const present = new Set(names);
    for (const name of names) {
      const own = mustWriter().owns(name);
      if (own && !everything) continue;
      const segment = target.segment(name, own);
      if (segment.final) continue;
      if (!(await readSegment(target, segment, changed))) present.delete(name);
    }
    for (const segment of [...target.segments.values()]) {
      if (!segment.own && !present.has(segment.name)) target.dropSegment(segment.name);
    }
    if (target === view && changed.size > 0) options.onChange?.([...changed]);
    return [...changed];
  }

  let viewTurn: Promise<unknown> = Promise.resolve();
  /**
   * Reading the log into the view, replacing the view and compacting take turns. Compaction drops a
   * segment from the view before deleting its file; a read running meanwhile would read that
   * segment back in from its start, and a removal already reclaimed with it would no longer hide
   * the older states.
   */
  function inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = viewTurn.then(work);
    viewTurn = run.catch(() => undefined);
    return run;
  }

  async function syncNow(): Promise<string[]> {
    const changed = await readSegments(view, false);
    await verify(changed);
    return changed;
  }

  let syncing: Promise<string[]> | undefined;
  let syncQueued: Promise<string[]> | undefined;
  /** Callers that arrive while a read runs share the next one, which starts after their call. */
  function sync(): Promise<string[]> {
    if (!syncing) {
      syncing = inTurn(syncNow).finally(() => (syncing = undefined));
      return syncing;
    }
    syncQueued ??= syncing
      .catch(() => [])
      .then(() => {
        syncQueued = undefined;
        return sync();
      });
    return syncQueued;
  }

  /** Own frames applied while a reload reads the log: they are applied to the new view too. */
  let appliedDuringReload: [string, DecodedFrame][] | undefined;

  let reloading: Promise<void> | undefined;
  /** One reload at a time: the own frames applied meanwhile are gathered for the one running. */
  function reload(): Promise<void> {
    reloading ??= inTurn(reloadNow).finally(() => (reloading = undefined));
    return reloading;
  }

  /** Reads the whole log again into a new view, which replaces the old one only once complete. */
  async function reloadNow(): Promise<void> {
    const before = new Set(view.records().map((record) => record.id));
    appliedDuringReload = [];
    const fresh = new QueueView();
    try {
      await readSegments(fresh, true);
    } catch (error) {
      appliedDuringReload = undefined;
      throw error;
    }
    for (const [segment, frame] of appliedDuringReload) {
      // A segment this process opened during the reload is its own, as in the view it replaces.
      fresh.segment(segment, true);
      fresh.apply(segment, frame);
    }
    appliedDuringReload = undefined;
    view = fresh;
    const after = view.records().map((record) => record.id);
    const changed = new Set([...before].filter((id) => !view.record(id)));
    for (const id of after) changed.add(id);
    if (changed.size > 0) options.onChange?.([...changed]);
  }

  async function readBody(ref: BodyRef): Promise<Buffer> {
    const handle = await fsp.open(path.join(paths.queue, ref.segment), 'r');
    try {
      const bytes = Buffer.alloc(ref.length);
      const { bytesRead } = await handle.read(bytes, 0, ref.length, ref.offset);
      if (bytesRead !== ref.length) throw new Error(`short read in ${ref.segment}`);
      return bytes;
    } finally {
      await handle.close();
    }
  }

  /** The bytes of a message, wherever they are; a segment reclaimed meanwhile means reading the log again. */
  async function* bytesOf(id: string): AsyncGenerator<Buffer> {
    for (let tries = 0; ; tries++) {
      const pending = staged.get(id);
      const copy = pending?.kind === 'inline' ? pending.bytes : cached.get(id);
      if (copy) {
        yield copy;
        return;
      }
      const ref = view.body(id);
      try {
        if (ref) {
          yield await readBody(ref);
        } else {
          for await (const chunk of createReadStream(bodyFile(paths, id), { highWaterMark: 256 * 1024 })) {
            yield chunk as Buffer;
          }
        }
        return;
      } catch (error) {
        if (!isNotFound(error) || tries > 0) throw error;
        await reload();
      }
    }
  }

  /** Whether few enough of an own retired segment's messages still live there to be worth copying out. */
  function mostlyDead(name: string): boolean {
    const segment = view.segments.get(name);
    if (!segment || segment.ids.size === 0) return true;
    let live = 0;
    for (const id of segment.ids) {
      const entry = view.entries.get(id);
      if (
        entry?.record &&
        (entry.holders.has(name) || view.bodies.get(id)?.some((ref) => ref.segment === name))
      )
        live++;
    }
    return live <= segment.ids.size * RECLAIM_LIVE_SHARE;
  }

  /**
   * Segments no one will append to and worth reclaiming: sealed, retired by this process (once
   * mostly dead), or left by a writer that is gone.
   */
  async function finishedSegments(): Promise<Set<string>> {
    const done = new Set<string>(mustWriter().retired().filter(mostlyDead));
    for (const segment of view.segments.values()) {
      if (segment.own) continue;
      if (segment.sealed || segment.final) {
        done.add(segment.name);
        continue;
      }
      const gone = segment.writer
        ? !(await isAlive(segment.writer))
        : await fsp.stat(path.join(paths.queue, segment.name)).then(
            (s) => Date.now() - s.mtimeMs > HEADERLESS_GRACE_MS,
            () => false,
          );
      if (!gone) continue;
      const changed = new Set<string>();
      await readSegment(view, segment, changed, true);
      if (changed.size > 0) options.onChange?.([...changed]);
      done.add(segment.name);
    }
    return done;
  }

  const recent = (entry: ViewEntry) =>
    entry.removedAt !== undefined && now() - entry.removedAt < REMOVAL_GRACE_MS;

  let compacting: Promise<void> | undefined;
  async function compactNow(): Promise<void> {
    await syncNow();
    const done = await finishedSegments();
    if (done.size === 0) return;
    // Same revisions, so every reader takes the copies as the same states in a new place.
    const copies: Promise<unknown>[] = [];
    const onlyIn = (segments: Iterable<string>) => [...segments].every((name) => done.has(name));
    for (const id of [...view.entries.keys()]) {
      // Looked up afresh after every read: a delivery may change or remove the message meanwhile.
      const entry = view.entries.get(id);
      if (!entry) continue;
      if (!entry.record) {
        // Kept while any other segment has a frame of it, reclaimed or not: a crash between the
        // unlinks below may leave an older state behind, which this removal must still outrank.
        if (onlyIn(entry.holders) && (view.heldElsewhere(id, entry.holders) || recent(entry))) {
          const { rev, sent, removedAt } = entry;
          copies.push(
            append({
              op: 'del',
              id,
              rev,
              ...(sent ? { sent } : {}),
              ...(removedAt ? { at: removedAt } : {}),
            }),
          );
        }
        continue;
      }
      const refs = view.bodies.get(id) ?? [];
      const body = refs[0];
      const bodyHere = body !== undefined && onlyIn(refs.map((ref) => ref.segment));
      if (!onlyIn(entry.holders) && !bodyHere) continue;
      const bytes = bodyHere ? (cached.get(id) ?? (await readBody(body))) : undefined;
      // Removed during the read: its removal is in this process's segment, which stays.
      if (!view.record(id)) continue;
      copies.push(append({ op: 'put', rev: entry.rev, record: entry.record }, bytes));
    }
    // A mark of an attempt whose outcome is not saved yet (one in flight) must survive.
    for (const [id, mark] of view.handovers) {
      const attempts = view.record(id)?.attempts ?? Infinity;
      if (mark.attempt > attempts && onlyIn(mark.holders)) {
        copies.push(append({ op: 'handover', id, attempt: mark.attempt }));
      }
    }
    await Promise.all(copies);
    // The removals about to go carry sent-log records: the sent log must hold them for good first.
    const sent = [...view.entries.values()].flatMap((entry) =>
      entry.sent && [...entry.holders].some((name) => done.has(name)) ? [entry.sent] : [],
    );
    await options.beforeReclaim?.(sent);
    // Out of the view first, so no read in this process goes to a file about to be deleted.
    for (const name of done) view.dropSegment(name);
    for (const name of done) {
      await unlinkIfExists(path.join(paths.queue, name));
      mustWriter().forgetRetired(name);
    }
    await fsyncDir(paths.queue);
  }

  return {
    paths,
    async init() {
      for (const dir of [
        paths.root,
        paths.queue,
        paths.bodies,
        paths.tmp,
        paths.quarantine,
        paths.sent,
        paths.edits,
      ]) {
        await ensureDir(dir);
      }
      writer ??= createSegmentWriter(paths.queue, { fs: options.fs, identity: await currentProcess() });
      await reload();
      await inTurn(() => verify([...view.entries.keys()]));
    },
    async writeBytes(id, content) {
      const { staged: result, size } = await stage(content, (all) =>
        // Its directory is synced before the state that refers to it is written.
        writeFileAtomic(bodyFile(paths, id), all, { tmpDir: paths.tmp, fs: options.fs, syncDir: false }),
      );
      staged.set(id, result);
      return size;
    },
    async save(record) {
      const normalised = queueRecord.parse(record);
      const pending = staged.get(record.id);
      if (pending?.kind === 'file') await fsyncDir(paths.bodies);
      const body = pending?.kind === 'inline' ? pending.bytes : undefined;
      const rev = nextRev(record.id);
      try {
        await append({ op: 'put', rev, record: normalised }, body);
      } finally {
        released(record.id, rev);
      }
      staged.delete(record.id);
      if (body) cache(record.id, body);
    },
    async remove(id, sent) {
      const pending = staged.get(id);
      staged.delete(id);
      uncache(id);
      const hasFile = pending ? pending.kind === 'file' : !view.bodies.has(id);
      if (view.record(id)) {
        const rev = nextRev(id);
        try {
          await append({ op: 'del', id, rev, ...(sent ? { sent } : {}), at: now() });
        } finally {
          released(id, rev);
        }
      }
      // Left behind by a crash, the file is an orphan that removeOrphans deletes.
      if (hasFile) await unlinkIfExists(bodyFile(paths, id));
    },
    sync,
    async recheck(id) {
      await inTurn(() => verify([id]));
      return view.record(id) === undefined;
    },
    sentRemovals: () => [...view.entries.values()].flatMap((entry) => (entry.sent ? [entry.sent] : [])),
    get: (id) => view.record(id),
    ownsSegment: (name) => writer?.owns(name) ?? false,
    all: () => view.records(),
    openBytes: (id) => Readable.from(bytesOf(id), { objectMode: false }),
    readBytes: (id) => bytesOf(id),
    async markHandedOver(id, attempt) {
      await append({ op: 'handover', id, attempt });
    },
    handovers: () => new Map([...view.handovers].map(([id, mark]) => [id, mark.attempt])),
    compact() {
      // One at a time: a slow compaction must not overlap the next tick's.
      compacting ??= inTurn(compactNow).finally(() => (compacting = undefined));
      return compacting;
    },
    async removeOrphans(olderThanMs, now) {
      const candidates = [
        ...(await fsp.readdir(paths.bodies))
          .filter((name) => {
            const id = name.replace(/\.eml$/, '');
            return !view.record(id) && !staged.has(id);
          })
          .map((name) => path.join(paths.bodies, name)),
        ...(await fsp.readdir(paths.tmp)).map((name) => path.join(paths.tmp, name)),
      ];
      for (const file of candidates) {
        const stat = await fsp.stat(file).catch(() => undefined);
        // Another producer may be between writing the bytes and committing the state right now.
        if (stat && now - stat.mtimeMs > olderThanMs) await unlinkIfExists(file);
      }
    },
    async close() {
      await writer?.close();
    },
  };
}
