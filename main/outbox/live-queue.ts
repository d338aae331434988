import type { QueueItem, QueueState } from '../../preload/contract/outbox.ts';
import type { Clock } from '../core/clock.ts';
import type { AccountsPort, EventSink } from '../core/ports.ts';
import { AppError } from '../errors/app-error.ts';
import { ChangeFeed } from './change-feed.ts';
import { DueQueue } from './delivery/due-queue.ts';
import { shownState, showsAccount } from './shown-state.ts';
import type { InFlight } from './delivery/in-flight.ts';
import { isoOf, timeOf, toQueueItem, type QueueRecord } from './store/queue-record.ts';
import type { IndexedState, QueueStore, StateVersion } from './store/queue-store.ts';

const waiting = new Set<QueueState>(['queued', 'scheduled', 'deferred']);

export const isWaiting = (message: { readonly state: QueueState }): boolean => waiting.has(message.state);

/**
 * What the live queue keeps of a message: what scheduling, the counts and the list's order need.
 * Replaced, never changed, so an entry names one state of its message. The record itself stays in
 * the log and is read when an attempt, a row or an action needs it (issue 17: 100,000 queued).
 */
export interface LiveEntry {
  readonly id: string;
  readonly accountId: string;
  readonly state: QueueRecord['state'];
  // Times in ms since the epoch (numbers, not the record's ISO strings: 100,000 of them are kept).
  readonly createdAt: number;
  readonly nextAttemptAt: number | undefined;
  readonly sendAt: number | undefined;
  readonly lastTriedAt: number | undefined;
  /** The log's state this entry was made from (-1: none), to tell whether the log changed since. */
  readonly rev: number;
  readonly attempts: number;
  /** Made due now in memory only (the network came back): the log still has the older time. */
  readonly dueInMemory: boolean;
}

export interface LiveQueueDeps {
  readonly store: QueueStore;
  readonly accounts: AccountsPort;
  readonly inFlight: InFlight;
  readonly emit: EventSink;
  readonly clock: Clock;
}

const sameVersion = (a: StateVersion | undefined, b: StateVersion | undefined) =>
  a !== undefined && b !== undefined && a.rev === b.rev && a.attempts === b.attempts;

/**
 * This process's view of the queue: an entry per message in the log, plus what only memory knows
 * (attempts under way, messages being withdrawn, outcomes that could not be written). Every change
 * goes through here, so the due queue and the renderer's change feed follow it.
 */
export class LiveQueue {
  private readonly entries = new Map<string, LiveEntry>();
  /** Records memory says more of than the log: shown in place of an outcome that could not be written. */
  private readonly held = new Map<string, QueueRecord>();
  /**
   * Messages whose last outcome could not be written (a full or failing disk): the log still holds
   * their state from before the attempt (`logged`), so they must not go again at once. Not before
   * `until`; never, until a write for them succeeds, when a hand-over mark says the server may have them.
   */
  private readonly unsaved = new Map<string, { readonly until: number; readonly logged: StateVersion }>();
  /** Messages being cancelled or taken back for editing: no attempt may start on them meanwhile. */
  private readonly withdrawing = new Set<string>();
  /**
   * Whether the queue as first read has been taken in: until then, what the log holds is taken in
   * without a change event each (no one has seen the list yet, and 100,000 rows would be read back
   * to announce them).
   */
  private announcing = false;
  readonly due: DueQueue;
  readonly feed: ChangeFeed;
  private readonly deps: LiveQueueDeps;

  constructor(deps: LiveQueueDeps) {
    this.deps = deps;
    this.due = new DueQueue((id) => {
      const entry = this.entries.get(id);
      return entry !== undefined && isWaiting(entry) && !deps.inFlight.has(id) && !this.withdrawing.has(id);
    });
    this.feed = new ChangeFeed({
      emit: deps.emit,
      clock: deps.clock,
      itemOf: (id) => {
        const record = this.get(id);
        return record ? this.item(record) : undefined;
      },
      stateOf: (id) => {
        const entry = this.entries.get(id);
        return entry && this.displayState(entry);
      },
    });
  }

  /** The message's record: what memory holds of it, or else the log's, read on demand. */
  get(id: string): QueueRecord | undefined {
    const held = this.held.get(id);
    if (held) return held;
    const entry = this.entries.get(id);
    const logged = entry && this.deps.store.get(id);
    if (!entry?.dueInMemory || !logged) return logged;
    return { ...logged, nextAttemptAt: isoOf(entry.nextAttemptAt) };
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  entry(id: string): LiveEntry | undefined {
    return this.entries.get(id);
  }

  /** A snapshot: callers may change the queue while they go through it. */
  all(): LiveEntry[] {
    return [...this.entries.values()];
  }

  ids(): string[] {
    return [...this.entries.keys()];
  }

  /** What the user sees: the stored state, unless something in memory says more. */
  displayState(message: Pick<LiveEntry, 'id' | 'state' | 'accountId'>): QueueState {
    const { accounts, inFlight } = this.deps;
    return shownState(message.state, accounts.find(message.accountId), inFlight.has(message.id));
  }

  item(record: QueueRecord): QueueItem {
    return toQueueItem(record, this.displayState(record));
  }

  /** Takes in a record (new or changed) without writing it: due again if it waits. */
  put(record: QueueRecord): void {
    this.held.delete(record.id);
    this.set(entryOfRecord(record, this.deps.store.version(record.id)));
  }

  /** The network came back: a deferred message goes now, though the log keeps its later time. */
  dueNow(id: string, at: string): void {
    const entry = this.entries.get(id);
    if (entry) this.set({ ...entry, nextAttemptAt: Date.parse(at), dueInMemory: true });
  }

  /**
   * Something the message's due time or shown state depends on changed (its account, or a withdrawal
   * that did not take it out): look again. Nothing of the message itself changed, so its shown
   * state is announced, and only when it can show its account's.
   */
  touch(id: string): void {
    const entry = this.entries.get(id);
    if (entry) this.set(entry, showsAccount(entry.state) ? 'state' : false);
  }

  /** Makes every waiting message due (delivery starts), announcing none: nothing about them changed. */
  scheduleAll(): void {
    for (const entry of this.entries.values()) if (isWaiting(entry)) this.due.push(entry, this.dueAt(entry));
  }

  /** The queue as first read is taken in: from now on, what the log changes is announced. */
  startAnnouncing(): void {
    this.announcing = true;
  }

  forget(id: string): void {
    this.entries.delete(id);
    this.held.delete(id);
    this.unsaved.delete(id);
    this.feed.removed(id);
  }

  /** Durably; what the log says afterwards wins (another process may have removed it meanwhile). */
  async save(record: QueueRecord): Promise<void> {
    await this.deps.store.save(record);
    this.unsaved.delete(record.id);
    const saved = this.deps.store.get(record.id);
    if (saved) this.put(saved);
    else this.forget(record.id);
  }

  /** Shows `shown` in place of `logged` (whose outcome could not be written) and holds it until `until`. */
  holdUnsaved(logged: QueueRecord, shown: QueueRecord, until: number): void {
    const version = this.deps.store.version(logged.id) ?? { rev: -1, attempts: logged.attempts };
    this.unsaved.set(logged.id, { until, logged: version });
    this.put(shown);
    this.held.set(shown.id, shown);
  }

  /**
   * Takes in what the log says of `id` now (gone: forgotten), unless it is the state an unsaved
   * outcome is held against, or the state already known (compared by revision, no record read).
   */
  adopt(id: string): void {
    const logged = this.deps.store.indexed(id);
    if (!logged) {
      if (this.entries.has(id)) this.forget(id);
      return;
    }
    const held = this.unsaved.get(id);
    if (held) {
      // The state held back against is still the log's: the hold stands. Anything else was
      // written since (a retry or resend from the command line), and is the user's word.
      if (sameVersion(held.logged, logged)) return;
      this.unsaved.delete(id);
    } else if (sameVersion(this.entries.get(id), logged)) return;
    const known = this.entries.has(id);
    this.held.delete(id);
    this.set(entryOfIndexed(id, logged), this.announcing || known ? 'item' : false);
  }

  /**
   * Withdraws a message with `work`, which awaits (a read, a durable write): no attempt may start
   * on it meanwhile. If it stays (the work failed), it is due again as before.
   */
  async withdraw<T>(message: { readonly id: string }, work: () => Promise<T>): Promise<T> {
    this.withdrawing.add(message.id);
    try {
      return await work();
    } finally {
      this.withdrawing.delete(message.id);
      this.touch(message.id);
    }
  }

  mustFind(id: string): QueueRecord {
    const record = this.get(id);
    if (!record) throw new AppError('not_found', 'That message is no longer in the outbox.');
    return record;
  }

  /** The message, if no attempt is under way on it and its state is one of `allowed`. */
  requireIdle(id: string, allowed: readonly QueueState[], action: string): QueueRecord {
    const record = this.mustFind(id);
    if (this.deps.inFlight.has(id) || !allowed.includes(record.state)) {
      throw new AppError(
        'invalid_state',
        `This message cannot be ${action} while it is ${this.displayState(record)}.`,
      );
    }
    return record;
  }

  /** `announce`: the message as a whole, its shown state only, or nothing (the list was not read yet). */
  private set(entry: LiveEntry, announce: 'item' | 'state' | false = 'item'): void {
    this.entries.set(entry.id, entry);
    if (isWaiting(entry)) this.due.push(entry, this.dueAt(entry));
    if (announce === 'item') this.feed.changed(entry.id);
    else if (announce === 'state') this.feed.restated(entry.id);
  }

  private dueAt(entry: LiveEntry): number {
    return Math.max(entry.nextAttemptAt ?? 0, this.unsaved.get(entry.id)?.until ?? 0);
  }
}

/** The entry for a record memory holds (new, changed, or shown in place of the log's). */
function entryOfRecord(record: QueueRecord, version: StateVersion | undefined): LiveEntry {
  return {
    id: record.id,
    accountId: record.accountId,
    state: record.state,
    createdAt: Date.parse(record.createdAt),
    nextAttemptAt: timeOf(record.nextAttemptAt),
    sendAt: timeOf(record.sendAt),
    lastTriedAt: timeOf(record.lastTriedAt),
    rev: version?.rev ?? -1,
    attempts: version?.attempts ?? record.attempts,
    dueInMemory: false,
  };
}

/** The entry for the log's state as the index has it: no record is read. */
function entryOfIndexed(id: string, indexed: IndexedState): LiveEntry {
  return {
    id,
    accountId: indexed.accountId,
    state: indexed.state,
    createdAt: indexed.createdAt,
    nextAttemptAt: indexed.nextAttemptAt,
    sendAt: indexed.sendAt,
    lastTriedAt: indexed.lastTriedAt,
    rev: indexed.rev,
    attempts: indexed.attempts,
    dueInMemory: false,
  };
}
