import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { systemClock, type Clock } from '../../core/clock.ts';
import { withSmallYoungGeneration } from '../../core/young-generation.ts';
import {
  ensureDir,
  fsyncDir,
  isNotFound,
  unlinkIfExists,
  writeFileAtomic,
  type FileContent,
  type FileSystemSeam,
} from '../../files/atomic-file.ts';
import { currentProcess } from '../../files/process-identity.ts';
import { BodyStaging, type Staged } from './body-staging.ts';
import { Compaction } from './compaction.ts';
import type { SentRecord, SetAsideItem } from '../../../preload/contract/outbox.ts';
import { AppError } from '../../errors/app-error.ts';
import { findUnreadable, Quarantine, type QuarantineNotice } from './quarantine.ts';
import { QuarantineShelf } from './quarantine-shelf.ts';
import { FrameSource } from './frame-source.ts';
import { encodeFrame, headerPlace, type DecodedFrame } from './queue-log-format.ts';
import { bodyFile, type QueuePaths } from './queue-paths.ts';
import { queueRecord, type QueueRecord } from './queue-record.ts';
import { QueueView, type SegmentState, type Summary } from './queue-view.ts';
import { SegmentReader } from './segment-reader.ts';
import { bodyInMemory, expectedBody, openCheckedFile, type StoredBody } from './stored-body.ts';
import { createSegmentWriter, type Placed, type SegmentWriter } from './segment-writer.ts';
import { removeAbandonedTempFiles } from './temp-files.ts';

export type { QuarantineNotice } from './quarantine.ts';

/**
 * The durable queue. Every process appends to a segment of its own (group-committed); each reads
 * the others' segments to see their changes. Safe to use from several processes at once; only the
 * deliverer compacts.
 */
export interface QueueStore {
  readonly paths: QueuePaths;
  /** Creates the folders and, but for `append`, reads the whole queue (see OpenMode). */
  init(mode?: OpenMode): Promise<void>;
  /**
   * Takes the message bytes and returns their size; they are durable once the state is saved (or
   * gone once removed). The message does not exist until its state is saved.
   */
  writeBytes(id: string, content: FileContent): Promise<number>;
  /**
   * Durable on return. A record whose bytes were just written to a file gets their SHA-256
   * (`bodySha256`) here, from what was written; one whose bytes stay as they were keeps it.
   */
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
  /**
   * Moves a message whose bytes cannot be trusted into the quarantine folder and out of the queue,
   * and tells of it. False when it was no longer in the queue.
   */
  setAside(id: string, reason: string): Promise<boolean>;
  /** Reads what other processes appended since the last look; returns the ids whose state changed. */
  sync(): Promise<string[]>;
  get(id: string): QueueRecord | undefined;
  /** Whether this process writes that segment (its changes are known without reading it). */
  ownsSegment(name: string): boolean;
  all(): QueueRecord[];
  /** The ids of the messages in the queue, read from the index (no record is read). */
  ids(): string[];
  /**
   * The live records oldest first (by creation), each read from disk as the walk reaches it: a
   * listing holds one at a time. One removed meanwhile is left out.
   */
  inOrder(): Generator<QueueRecord>;
  /** The message's bytes as a stream, checked as `openBody` does when first read. */
  openBytes(id: string): Readable;
  /**
   * The same bytes as `openBytes`, checked before any is handed out: a file against the SHA-256
   * its record holds (its size for older records), so damage on disk throws MessageDamagedError
   * before a byte is read. Delivery opens them before connecting and reads them chunk by chunk.
   */
  openBody(id: string): Promise<StoredBody>;
  /**
   * Records durably that the whole body went to the server in this attempt, before the final dot:
   * after a crash, a mark newer than the attempts in the message's state means the server may have it.
   */
  markHandedOver(id: string, attempt: number): Promise<void>;
  /** The newest handed-over attempt per live message. */
  handovers(): Map<string, number>;
  /** Deliverer only: reclaims segments no one appends to any more, after copying what is still live. */
  compact(): Promise<void>;
  /**
   * Removes message files nothing refers to (a producer died mid-enqueue; init() clears tmp/). A
   * message file something set aside may refer to is moved into that item instead, for restore to use.
   */
  removeOrphans(olderThanMs: number, now: number): Promise<void>;
  /** What the quarantine folder holds, oldest first. */
  setAsideItems(): Promise<SetAsideItem[]>;
  /**
   * The set-aside message `key` names, with its state and the file of its bytes, which match it.
   * Throws `invalid_input` for a malformed key, `not_found` for an unknown one and `message_damaged`
   * when it cannot be restored (its files stay where they are).
   */
  setAsideMessage(key: string): Promise<{ record: QueueRecord; bytes: string }>;
  /** Claims a set-aside item for one restore across processes (`invalid_state` if taken); returns the release. */
  claimSetAside(key: string): Promise<() => Promise<void>>;
  /**
   * The queue id a restore of `key` puts its message back under: the one an earlier restore
   * recorded, else `proposed`, recorded first (durably). Hold the claim.
   */
  setAsideRestoreId(key: string, proposed: string): Promise<string>;
  /** Removes a set-aside item once what it held is durable elsewhere. */
  discardSetAside(key: string): Promise<void>;
  /** Calls `listener` whenever something is set aside or discarded by this process; returns an unsubscribe. */
  onSetAsideChanged(listener: () => void): () => void;
  /** Seals this process's segment. */
  close(): Promise<void>;
  /**
   * The revision and attempts of a message's newest state, from the index (no record is read):
   * enough to tell whether a copy of its state is still current. Undefined once it is gone.
   */
  version(id: string): StateVersion | undefined;
  /**
   * What the index knows of a live message (its state, account, times, revision), no record read.
   * The index's own entry, current rather than a snapshot: copy what is kept.
   */
  indexed(id: string): IndexedState | undefined;
}

/**
 * How a process opens the queue. `read`: the whole queue, as the app and most commands. `listing`:
 * for one look (`queue list`), so sealed segments that hold only removals and hand-over marks are
 * passed by when no other segment has a message: they could hide nothing (a later sync reads
 * them). `append`: a producer that only adds new messages (`sendmail`) reads no segment but its
 * own: the 30th patch of a series costs what the first did, however long the queue; the
 * deliverer reads what it wrote, and checks and sets aside what is damaged.
 */
export type OpenMode = 'read' | 'listing' | 'append';

/** A live message as the index has it. */
export type IndexedState = Summary & StateVersion;

/** Which state of a message: its revision, and its attempts (which break a tie between two writers). */
export interface StateVersion {
  readonly rev: number;
  readonly attempts: number;
}

export interface QueueStoreDeps {
  readonly fs: FileSystemSeam;
  readonly onQuarantine: (notice: QuarantineNotice) => void;
  /** Runs before compaction deletes segments, with the sent-log records their removals carry. */
  readonly beforeReclaim?: (sent: SentRecord[]) => Promise<void>;
  /** Messages whose state changed other than by this process's save or remove: read from the log, or set aside. */
  readonly onChange?: (ids: string[]) => void;
  /**
   * The clock the store reads time from: removal stamps and their grace period, quarantine folder
   * names, the age of a segment still without its writer header (tests move it past the grace).
   */
  readonly clock?: Pick<Clock, 'now'>;
  /** Told each time a message's state is read back from its segment (tests count them). */
  readonly onRecordRead?: () => void;
  /** Told how many frames each segment read decoded (tests count them). */
  readonly onFramesRead?: (count: number) => void;
}

export function createQueueStore(paths: QueuePaths, deps: QueueStoreDeps): QueueStore {
  return new SegmentedQueueStore(paths, deps);
}

type Frame = Parameters<typeof encodeFrame>[0];

/** Moves `from` to `to` unless something is there already (then both stay: neither is lost). */
async function moveUnlessTaken(from: string, to: string): Promise<void> {
  try {
    // A hard link fails when `to` exists, where a rename would replace it.
    await fsp.link(from, to);
    await fsp.unlink(from);
  } catch {
    // Taken, or the folder is gone: the file stays where it is.
  }
}

/**
 * The facade over the queue's parts (body staging, segment reading, compaction, quarantine). It
 * owns the view and this process's segment, and has reading, reloading and compacting take turns.
 */
class SegmentedQueueStore implements QueueStore {
  /** Reads records back from their frames: the view holds an index, not the records. */
  private readonly source: FrameSource;
  private view: QueueView;
  private writer: SegmentWriter | undefined;
  private readonly clock: Pick<Clock, 'now'>;
  private readonly staging = new BodyStaging();
  /** Revisions handed out to changes still being written, so two changes in flight never share one. */
  private readonly reserved = new Map<string, number>();
  private readonly quarantine: Quarantine;
  /** Damage a read found, set aside once the read is complete (see keepDamage). */
  private damageFound: { segment: string; from: number; stretch: Buffer; reason?: string | undefined }[] = [];
  private readonly shelf: QuarantineShelf;
  private readonly setAsideListeners = new Set<() => void>();
  private readonly reader: SegmentReader;
  private readonly compaction: Compaction;

  private viewTurn: Promise<unknown> = Promise.resolve();
  private syncing: Promise<string[]> | undefined;
  private syncQueued: Promise<string[]> | undefined;
  private reloading: Promise<void> | undefined;
  private compacting: Promise<void> | undefined;
  /** Own frames applied while a reload reads the log: they are applied to the new view too. */
  private appliedDuringReload: [string, DecodedFrame][] | undefined;

  readonly paths: QueuePaths;
  private readonly deps: QueueStoreDeps;

  constructor(paths: QueuePaths, deps: QueueStoreDeps) {
    this.paths = paths;
    this.deps = deps;
    this.clock = deps.clock ?? systemClock;
    this.source = new FrameSource(paths.queue, deps.onRecordRead);
    this.view = this.newView();
    this.quarantine = new Quarantine({
      paths,
      clock: this.clock,
      onQuarantine: (notice) => {
        deps.onQuarantine(notice);
        this.setAsideChanged();
      },
    });
    this.shelf = new QuarantineShelf(paths.quarantine);
    this.reader = new SegmentReader({
      dir: paths.queue,
      owns: (segment) => this.mustWriter().owns(segment),
      onDamage: (segment, from, stretch, reason) => {
        this.damageFound.push({ segment, from, stretch, reason });
        return Promise.resolve();
      },
      onFrames: deps.onFramesRead,
    });
    this.compaction = new Compaction({
      paths,
      clock: this.clock,
      retired: () => this.mustWriter().retired(),
      forgetRetired: (segment) => {
        this.mustWriter().forgetRetired(segment);
      },
      view: () => this.view,
      append: (frame, body) => this.append(frame, body),
      cached: (id) => this.staging.cached(id),
      readBody: (ref) => this.reader.readBody(ref),
      readToEnd: (segment) => this.readToEnd(segment),
      modifiedAt: (segment) => this.reader.modifiedAt(segment),
      beforeReclaim: deps.beforeReclaim,
    });
  }

  async init(mode: OpenMode = 'read'): Promise<void> {
    const { paths } = this;
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
    // What producers killed mid-write left: every process that opens the queue clears it, at once.
    await removeAbandonedTempFiles(paths.tmp, Date.now());
    this.writer ??= createSegmentWriter(paths.queue, { fs: this.deps.fs, identity: await currentProcess() });
    if (mode === 'append') return;
    // Held small while the index is built (issue 17): what it keeps would grow it to 128 MB.
    await withSmallYoungGeneration(() => this.reload(mode === 'listing'));
    await this.inTurn(() => this.verify(this.view.liveIds()));
  }

  writeBytes(id: string, content: FileContent): Promise<number> {
    return this.staging.stage(id, content, (all) =>
      // Its directory is synced before the state that refers to it is written.
      writeFileAtomic(bodyFile(this.paths, id), all, {
        tmpDir: this.paths.tmp,
        fs: this.deps.fs,
        syncDir: false,
      }),
    );
  }

  async save(record: QueueRecord): Promise<void> {
    const pending = this.staging.pending(record.id);
    const normalised = queueRecord.parse(withDigest(record, pending, this.view.record(record.id)));
    if (pending?.kind === 'file') await fsyncDir(this.paths.bodies);
    const body = pending?.kind === 'inline' ? pending.bytes : undefined;
    const rev = this.nextRev(record.id);
    try {
      await this.append({ op: 'put', rev, record: normalised }, body);
    } finally {
      this.released(record.id, rev);
    }
    this.staging.saved(record.id, body);
  }

  async remove(id: string, sent?: SentRecord): Promise<void> {
    const pending = this.staging.discard(id);
    const hasFile = pending ? pending.kind === 'file' : this.view.body(id) === undefined;
    if (this.view.has(id)) {
      const rev = this.nextRev(id);
      try {
        await this.append({ op: 'del', id, rev, ...(sent ? { sent } : {}), at: this.clock.now() });
      } finally {
        this.released(id, rev);
      }
    }
    // Left behind by a crash, the file is an orphan that removeOrphans deletes.
    if (hasFile) await unlinkIfExists(bodyFile(this.paths, id));
  }

  async setAside(id: string, reason: string): Promise<boolean> {
    const record = this.view.record(id);
    if (!record) return false;
    await this.quarantine.setAside(id, record, reason, async () => {
      const rev = this.nextRev(id);
      try {
        await this.append({ op: 'del', id, rev, at: this.clock.now() });
      } finally {
        this.released(id, rev);
      }
      this.staging.discard(id);
      this.tellChanged([id]);
    });
    return true;
  }

  sentRemovals(): SentRecord[] {
    return [...this.view.entries.values()].flatMap((entry) => this.view.sentOf(entry) ?? []);
  }

  async recheck(id: string): Promise<boolean> {
    await this.inTurn(() => this.verify([id]));
    return !this.view.has(id);
  }

  /** Callers that arrive while a read runs share the next one, which starts after their call. */
  sync(): Promise<string[]> {
    if (!this.syncing) {
      this.syncing = this.inTurn(() => this.syncNow()).finally(() => (this.syncing = undefined));
      return this.syncing;
    }
    this.syncQueued ??= this.syncing
      .catch(() => [])
      .then(() => {
        this.syncQueued = undefined;
        return this.sync();
      });
    return this.syncQueued;
  }

  get(id: string): QueueRecord | undefined {
    return this.view.record(id);
  }

  ownsSegment(name: string): boolean {
    return this.writer?.owns(name) ?? false;
  }

  all(): QueueRecord[] {
    return this.view.records();
  }

  ids(): string[] {
    return [...this.view.liveIds()];
  }

  *inOrder(): Generator<QueueRecord> {
    // The order is the view's when the walk began; each record is read from the view as it is
    // then, which leaves out one removed meanwhile.
    for (const id of this.view.liveIdsOldestFirst()) {
      const record = this.view.record(id, false);
      if (record) yield record;
    }
  }

  openBytes(id: string): Readable {
    return Readable.from(this.bytesOf(id), { objectMode: false });
  }

  async markHandedOver(id: string, attempt: number): Promise<void> {
    await this.append({ op: 'handover', id, attempt });
  }

  handovers(): Map<string, number> {
    return new Map([...this.view.handovers].map(([id, mark]) => [id, mark.attempt]));
  }

  compact(): Promise<void> {
    // One at a time: a slow compaction must not overlap the next tick's.
    this.compacting ??= this.inTurn(async () => {
      await this.syncNow();
      await this.compaction.run();
      this.releaseSegments();
    }).finally(() => (this.compacting = undefined));
    return this.compacting;
  }

  async removeOrphans(olderThanMs: number, now: number): Promise<void> {
    const { paths } = this;
    const bodies = (await fsp.readdir(paths.bodies)).filter((name) => {
      const id = name.replace(/\.eml$/, '');
      return !this.view.has(id) && !this.staging.pending(id);
    });
    const aged = async (file: string) => {
      const stat = await fsp.stat(file).catch(() => undefined);
      // Another producer may be between writing the bytes and committing the state right now.
      return stat !== undefined && now - stat.mtimeMs > olderThanMs;
    };
    const setAside = bodies.length > 0 ? await this.shelf.entries() : [];
    for (const name of bodies) {
      const file = path.join(paths.bodies, name);
      if (!(await aged(file))) continue;
      const claimant = await this.shelf.claimant(name.replace(/\.eml$/, ''), setAside);
      // What a set-aside message or damaged stretch may refer to is never deleted: without it,
      // what was set aside could not be restored. An old-layout stretch has no folder: it stays.
      if (!claimant) await unlinkIfExists(file);
      else if (claimant.dir) await moveUnlessTaken(file, path.join(claimant.dir, name));
    }
  }

  setAsideItems(): Promise<SetAsideItem[]> {
    return this.shelf.list();
  }

  async setAsideMessage(key: string): Promise<{ record: QueueRecord; bytes: string }> {
    const entry = await this.shelf.entry(key);
    if (entry.restorable) return entry.restorable;
    throw new AppError(
      'message_damaged',
      `${key} cannot be restored: ${entry.problem ?? 'it cannot be read'}; its files stay at ${entry.item.file}.`,
    );
  }

  claimSetAside(key: string): Promise<() => Promise<void>> {
    return this.shelf.claim(key);
  }

  setAsideRestoreId(key: string, proposed: string): Promise<string> {
    return this.shelf.restoreId(key, proposed);
  }

  async discardSetAside(key: string): Promise<void> {
    await this.shelf.discard(key);
    this.setAsideChanged();
  }

  onSetAsideChanged(listener: () => void): () => void {
    this.setAsideListeners.add(listener);
    return () => this.setAsideListeners.delete(listener);
  }

  async close(): Promise<void> {
    await this.writer?.close();
    this.source.close();
  }

  private setAsideChanged(): void {
    for (const listener of this.setAsideListeners) listener();
  }

  /** Closes the segments the view no longer reads from. */
  private releaseSegments(): void {
    this.source.keepOnly(this.view.readFrom());
  }

  /** `oneLook`: for a listing, read once and never compacted (see QueueView). */
  private newView(oneLook = false): QueueView {
    return new QueueView(this.source, { oneLook });
  }

  private mustWriter(): SegmentWriter {
    if (!this.writer) throw new Error('the queue store is not initialised');
    return this.writer;
  }

  private nextRev(id: string): number {
    const rev = Math.max(this.view.nextRev(id), (this.reserved.get(id) ?? 0) + 1);
    this.reserved.set(id, rev);
    return rev;
  }

  private released(id: string, rev: number): void {
    if (this.reserved.get(id) === rev) this.reserved.delete(id);
  }

  /** Appends one frame to this process's segment and applies it to the view. */
  private async append(frame: Frame, body?: Buffer): Promise<Placed> {
    const bytes = encodeFrame(frame, body);
    const placed = await this.mustWriter().append(bytes);
    this.view.segment(placed.segment, true);
    const bodyAt = body ? { offset: placed.at + bytes.length - body.length, length: body.length } : undefined;
    const header = headerPlace(bytes, placed.at, frame.op);
    const decoded: DecodedFrame = {
      entry: frame,
      at: placed.at,
      ...(bodyAt ? { body: bodyAt } : {}),
      ...(header ? { header } : {}),
    };
    this.view.apply(placed.segment, decoded);
    this.appliedDuringReload?.push([placed.segment, decoded]);
    return placed;
  }

  /** Tells of messages whose state changed other than by this process's save or remove. */
  private tellChanged(ids: string[]): void {
    if (ids.length > 0) this.deps.onChange?.(ids);
  }

  /**
   * Reading the log into the view, replacing the view and compacting take turns. Compaction drops a
   * segment from the view before deleting its file; a read running meanwhile would read that
   * segment back in from its start, and a removal already reclaimed with it would no longer hide
   * the older states.
   */
  private inTurn<T>(work: () => Promise<T>): Promise<T> {
    const run = this.viewTurn.then(work);
    this.viewTurn = run.catch(() => undefined);
    return run;
  }

  /** Reads what the other writers appended into the view, and tells of what changed. */
  private async readOthers(): Promise<string[]> {
    const applied = new Set<string>();
    try {
      await this.reader.readAll(this.view, false, false, applied);
    } catch (error) {
      // Batches before the frame that stopped the read are in the view: they are told of.
      this.tellChanged([...applied]);
      throw error;
    }
    this.releaseSegments();
    await this.keepDamage();
    const changed = [...applied];
    this.tellChanged(changed);
    return changed;
  }

  /** Reads a segment whose writer is gone to its end, and tells of what changed. */
  private async readToEnd(segment: SegmentState): Promise<void> {
    const changed = new Set<string>();
    await this.reader.read(this.view, segment, changed, true);
    await this.keepDamage();
    this.tellChanged([...changed]);
  }

  private async syncNow(): Promise<string[]> {
    const changed = await this.readOthers();
    await this.verify(changed);
    return changed;
  }

  /** Sets aside messages that cannot be sent, once a second look shows no one removed them meanwhile. */
  private async verify(ids: Iterable<string>): Promise<void> {
    const isStaged = (id: string) => this.staging.pending(id) !== undefined;
    const suspects = await findUnreadable(this.view, ids, this.paths, isStaged);
    if (suspects.length === 0) return;
    await this.readOthers();
    const confirmed = await findUnreadable(
      this.view,
      suspects.map((s) => s.id),
      this.paths,
      isStaged,
    );
    for (const { id, reason } of confirmed) {
      await this.quarantine.setAside(id, this.view.record(id), reason, async () => {
        await this.append({ op: 'del', id, rev: this.nextRev(id), at: this.clock.now() });
        this.tellChanged([id]);
      });
    }
  }

  /**
   * Sets aside the damage the last read found. Only now, with the whole log read: a message file
   * with no state in the view may then be what a damaged stretch held, and is named with it.
   */
  private async keepDamage(): Promise<void> {
    if (this.damageFound.length === 0) return;
    const found = this.damageFound;
    this.damageFound = [];
    const unclaimed = (await fsp.readdir(this.paths.bodies).catch(() => []))
      .map((name) => name.replace(/\.eml$/, ''))
      .filter((id) => !this.view.has(id) && !this.staging.pending(id));
    for (const { segment, from, stretch, reason } of found) {
      await this.quarantine.keepDamaged(segment, from, stretch, reason, unclaimed);
    }
  }

  /** One reload at a time: the own frames applied meanwhile are gathered for the one running. */
  private reload(listing = false): Promise<void> {
    this.reloading ??= this.inTurn(() => this.reloadNow(listing)).finally(() => (this.reloading = undefined));
    return this.reloading;
  }

  /** Reads the whole log again into a new view, which replaces the old one only once complete. */
  private async reloadNow(listing: boolean): Promise<void> {
    this.appliedDuringReload = [];
    const fresh = this.newView(listing);
    try {
      await this.reader.readAll(fresh, true, listing, undefined);
    } catch (error) {
      this.appliedDuringReload = undefined;
      throw error;
    }
    for (const [segment, frame] of this.appliedDuringReload) {
      // A segment this process opened during the reload is its own, as in the view it replaces.
      fresh.segment(segment, true);
      fresh.apply(segment, frame);
    }
    this.appliedDuringReload = undefined;
    // A listing has read the log; the ~4 MB buffer is not kept for a later read (verify may read
    // another writer's new frames once more, into a buffer of its own).
    if (listing) this.reader.releaseSpare();
    const before = this.view;
    this.view = fresh;
    this.releaseSegments();
    await this.keepDamage();
    // Every message may have changed. Gathered only for a listener: at 100,000 queued, a set of
    // them all is memory for nothing in a listing (issue 17).
    if (this.deps.onChange) {
      const changed = new Set(before.liveIds());
      for (const id of fresh.liveIds()) changed.add(id);
      this.tellChanged([...changed]);
    }
  }

  /** Wherever the bytes are; a segment reclaimed meanwhile means reading the log again. */
  async openBody(id: string): Promise<StoredBody> {
    for (let tries = 0; ; tries++) {
      const copy = this.staging.inMemory(id);
      if (copy) return bodyInMemory(copy);
      const ref = this.view.body(id);
      try {
        if (ref) return bodyInMemory(await this.reader.readBody(ref));
        return await this.openBodyFile(id);
      } catch (error) {
        if (!isNotFound(error) || tries > 0) throw error;
        await this.reload();
      }
    }
  }

  /** A message file, checked against its saved record, or against what was staged before that. */
  private async openBodyFile(id: string): Promise<StoredBody> {
    const record = this.view.record(id);
    const pending = this.staging.pending(id);
    const expected = record ? expectedBody(record) : pending?.kind === 'file' ? pending : undefined;
    if (!expected) throw Object.assign(new Error(`no message ${id}`), { code: 'ENOENT' });
    return openCheckedFile(bodyFile(this.paths, id), { id, subject: record?.subject ?? '' }, expected);
  }

  /** `openBody` on the first read, so a stream that is never read opens nothing. */
  private async *bytesOf(id: string): AsyncGenerator<Buffer> {
    const body = await this.openBody(id);
    try {
      yield* body;
    } finally {
      await body.close();
    }
  }

  version(id: string): StateVersion | undefined {
    const entry = this.view.entries.get(id);
    return entry?.live ? { rev: entry.rev, attempts: entry.live.attempts } : undefined;
  }

  indexed(id: string): IndexedState | undefined {
    const entry = this.view.entries.get(id);
    return entry?.live ? entry : undefined;
  }
}

/**
 * The record as saved: bytes just written to a file give it their digest, bytes just put in the log
 * take it away (their frame has a CRC), and unchanged bytes keep the one already recorded.
 */
function withDigest(
  record: QueueRecord,
  pending: Staged | undefined,
  current: QueueRecord | undefined,
): QueueRecord {
  if (pending?.kind === 'file') return { ...record, bodySha256: pending.sha256 };
  const { bodySha256, ...rest } = record;
  const kept = pending ? undefined : (bodySha256 ?? current?.bodySha256);
  return kept === undefined ? rest : { ...rest, bodySha256: kept };
}
