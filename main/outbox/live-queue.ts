import type { QueueItem, QueueState } from '../../preload/contract/outbox.ts';
import type { Clock } from '../core/clock.ts';
import type { AccountsPort, EventSink } from '../core/ports.ts';
import { AppError } from '../errors/app-error.ts';
import { ChangeFeed } from './change-feed.ts';
import { DueQueue } from './delivery/due-queue.ts';
import type { InFlight } from './delivery/in-flight.ts';
import { toQueueItem, type QueueRecord } from './store/queue-record.ts';
import type { QueueStore } from './store/queue-store.ts';

const waiting = new Set<QueueState>(['queued', 'scheduled', 'deferred']);

export const isWaiting = (record: QueueRecord): boolean => waiting.has(record.state);

export interface LiveQueueDeps {
  readonly store: QueueStore;
  readonly accounts: AccountsPort;
  readonly inFlight: InFlight;
  readonly emit: EventSink;
  readonly clock: Clock;
}

/**
 * This process's view of the queue: the log's records plus what only memory knows (attempts under
 * way, messages being withdrawn, outcomes that could not be written). Every change goes through
 * here, so the due queue and the renderer's change feed follow it.
 */
export class LiveQueue {
  private readonly records = new Map<string, QueueRecord>();
  /**
   * Messages whose last outcome could not be written (a full or failing disk): the log still holds
   * their state from before the attempt, so they must not go again at once. Not before `until`;
   * never, until a write for them succeeds, when a hand-over mark says the server may have them.
   */
  private readonly unsaved = new Map<string, { readonly until: number; readonly logged: QueueRecord }>();
  /** Messages being cancelled or taken back for editing: no attempt may start on them meanwhile. */
  private readonly withdrawing = new Set<string>();
  readonly due: DueQueue;
  readonly feed: ChangeFeed;
  private readonly deps: LiveQueueDeps;

  constructor(deps: LiveQueueDeps) {
    this.deps = deps;
    this.due = new DueQueue((id) => {
      const record = this.records.get(id);
      return record !== undefined && isWaiting(record) && !deps.inFlight.has(id) && !this.withdrawing.has(id);
    });
    this.feed = new ChangeFeed({
      emit: deps.emit,
      clock: deps.clock,
      itemOf: (id) => {
        const record = this.records.get(id);
        return record ? this.item(record) : undefined;
      },
    });
  }

  get(id: string): QueueRecord | undefined {
    return this.records.get(id);
  }

  /** A snapshot: callers may change the queue while they go through it. */
  all(): QueueRecord[] {
    return [...this.records.values()];
  }

  ids(): string[] {
    return [...this.records.keys()];
  }

  /** What the user sees: the stored state, unless something in memory says more. */
  displayState(record: QueueRecord): QueueState {
    if (this.deps.inFlight.has(record.id)) return 'sending';
    if (record.state === 'queued' || record.state === 'deferred') {
      const account = this.deps.accounts.find(record.accountId);
      if (account?.attention) return 'needs_attention';
      if (account?.paused) return 'held';
    }
    return record.state;
  }

  item(record: QueueRecord): QueueItem {
    return toQueueItem(record, this.displayState(record));
  }

  /** Takes in a record (new or changed) without writing it: due again if it waits. */
  put(record: QueueRecord): void {
    this.records.set(record.id, record);
    if (isWaiting(record)) this.due.push(record, this.dueAt(record));
    this.feed.changed(record.id);
  }

  /** Sets a record without telling anyone: while loading, before delivery starts. */
  load(record: QueueRecord): void {
    this.records.set(record.id, record);
  }

  forget(id: string): void {
    this.records.delete(id);
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
    this.unsaved.set(logged.id, { until, logged });
    this.put(shown);
  }

  /** Takes in what the log says now, unless it is the state an unsaved outcome is held against. */
  adoptLogged(record: QueueRecord): void {
    const held = this.unsaved.get(record.id);
    if (held) {
      // The state held back against is still the log's: the hold stands. Anything else was
      // written since (a retry or resend from the command line), and is the user's word.
      if (JSON.stringify(held.logged) === JSON.stringify(record)) return;
      this.unsaved.delete(record.id);
    }
    const known = this.records.get(record.id);
    if (!known || JSON.stringify(known) !== JSON.stringify(record)) this.put(record);
  }

  /**
   * Withdraws a message with `work`, which awaits (a read, a durable write): no attempt may start
   * on it meanwhile. If it stays (the work failed), it is due again as before.
   */
  async withdraw<T>(record: QueueRecord, work: () => Promise<T>): Promise<T> {
    this.withdrawing.add(record.id);
    try {
      return await work();
    } finally {
      this.withdrawing.delete(record.id);
      const current = this.records.get(record.id);
      if (current) this.put(current);
    }
  }

  mustFind(id: string): QueueRecord {
    const record = this.records.get(id);
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

  private dueAt(record: QueueRecord): number {
    return Math.max(
      record.nextAttemptAt ? Date.parse(record.nextAttemptAt) : 0,
      this.unsaved.get(record.id)?.until ?? 0,
    );
  }
}
