import type { DraftContent } from '../../preload/contract/compose.ts';
import type { QueueItem, QueueState, SetAsideItem } from '../../preload/contract/outbox.ts';
import type { Clock } from '../core/clock.ts';
import type { AccountsPort, QueuePort } from '../core/ports.ts';
import { AppError } from '../errors/app-error.ts';
import type { AppSettingsService } from '../settings/app-settings.ts';
import type { AccountMoves } from './delivery/account-moves.ts';
import type { AccountThrottle } from './delivery/account-throttle.ts';
import type { AttemptRunner } from './delivery/attempt-runner.ts';
import type { Connectivity } from './delivery/connectivity.ts';
import type { InFlight } from './delivery/in-flight.ts';
import type { SendingPause } from './delivery/sending-pause.ts';
import type { Scheduler } from './delivery/scheduler.ts';
import { isWaiting, type LiveQueue } from './live-queue.ts';
import { saveOrRollBack } from './message/commit-message.ts';
import { composeMessage, parseComposeRequest } from './message/compose-message.ts';
import { restoreSetAside } from './message/restore-set-aside.ts';
import type { SentHistory } from '../sent/sent-history.ts';
import { draftFromStored, removeEditCopies } from './message/stored-draft.ts';
import type { OutboxRow } from './outbox-pages.ts';
import { summarizeQueue, type QueueSummary } from './queue-summary.ts';
import { isoOf, type QueueRecord } from './store/queue-record.ts';
import type { QueueStore } from './store/queue-store.ts';

/** A message as the list orders and counts it, with its send time (the delivery timer follows those). */
export type QueueRow = OutboxRow & Pick<QueueItem, 'sendAt'>;

export interface OutboxService extends QueuePort {
  enqueue(input: unknown): Promise<QueueItem>;
  list(): QueueItem[];
  /**
   * The `count` most recently created messages, newest first, each record read as the walk
   * reaches it: address completion asks on every keystroke, over any length of queue.
   */
  newest(count: number): Generator<QueueItem>;
  get(id: string): QueueItem;
  /**
   * Every message as the outbox list orders and counts it, and its send time, from the live
   * queue's index: no record is read (`find` reads one).
   */
  rows(): QueueRow[];
  /**
   * Whether any message is still to be tried at `now`: queued or being sent, or deferred to no
   * later than `now`. From the live queue's index, no record read (`queue flush` asks every 250 ms).
   */
  hasDue(now: number): boolean;
  /** The message as the list shows it; undefined once it is gone. */
  find(id: string): QueueItem | undefined;
  retryNow(id: string): Promise<QueueItem>;
  cancel(id: string): Promise<void>;
  undo(id: string): Promise<DraftContent>;
  edit(id: string): Promise<DraftContent>;
  resend(id: string): Promise<QueueItem>;
  markSent(id: string): Promise<void>;
  /**
   * Re-targets a waiting message to another account, From rewritten as a move on deletion does;
   * it is due now (a scheduled one keeps its time). `unknown_account` when that account is gone.
   */
  moveMessage(id: string, toAccountId: string): Promise<QueueItem>;
  /** The network may have changed (the shell's hint): look again, and wake delivery if it is back. */
  networkHint(online: boolean): void;
  /**
   * After sleep or a network change (powerMonitor `resume`): pooled sessions may be half-open and
   * timers did not run, so drop the sessions and look at the wall clock again now.
   */
  wake(): void;
  /**
   * Makes deferred messages due now (scheduled ones keep their time) and resolves once none is
   * queued, due or sending: what `queue flush --wait` needs. In a process that does not deliver it
   * resolves at once. `since` (default now): when the flush was asked for. A message tried since
   * then (as this process began delivering, before the flush got here) is not tried again, and an
   * account wait that began since then stands: one flush is at most one attempt per message.
   */
  flush(since?: number): Promise<void>;
  /** Resolves once no message is queued, due or sending; deferred, failed and others may remain. */
  settled(): Promise<void>;
  /** What the queue set aside in its quarantine folder (unreadable messages, damaged log stretches). */
  setAsideItems(): Promise<SetAsideItem[]>;
  /**
   * Brings a set-aside message back into the queue under a new id (see restoredRecord); its folder
   * goes only once it is durable again. `not_found`, `invalid_input` (a key that is not a plain
   * name) or `message_damaged` (its bytes do not verify; its files stay) otherwise.
   */
  restore(key: string): Promise<QueueItem>;
  /** Calls `listener` when this process sets something aside or restores it; returns an unsubscribe. */
  onSetAsideChanged(listener: () => void): () => void;
  /** The queue in a few numbers (what the tray shows), as the user sees each message's state. */
  summary(): QueueSummary;
  /** "Pause all sending": no attempt starts while paused (those under way finish); for this run only. */
  setSendingPaused(paused: boolean): void;
  isSendingPaused(): boolean;
}

export interface OutboxFacadeDeps {
  readonly store: QueueStore;
  readonly queue: LiveQueue;
  readonly inFlight: InFlight;
  readonly accounts: AccountsPort;
  readonly settings: AppSettingsService;
  readonly connectivity: Connectivity;
  readonly clock: Clock;
  readonly scheduler: Scheduler;
  readonly runner: AttemptRunner;
  readonly throttle: AccountThrottle;
  readonly moves: AccountMoves;
  readonly pause: SendingPause;
  /** The sent log: a set-aside message restored before and sent since is not restored again. */
  readonly sent: Pick<SentHistory, 'find'>;
}

const RETRYABLE: readonly QueueState[] = [
  'queued',
  'scheduled',
  'deferred',
  'failed',
  'held',
  'needs_attention',
];
const CANCELLABLE: readonly QueueState[] = [
  'queued',
  'scheduled',
  'deferred',
  'held',
  'needs_attention',
  'unconfirmed',
  'failed',
];
const MOVABLE: readonly QueueState[] = ['queued', 'scheduled', 'deferred', 'held', 'needs_attention'];
const EDITABLE: readonly QueueState[] = [
  'queued',
  'scheduled',
  'deferred',
  'held',
  'needs_attention',
  'failed',
];

/**
 * The outbox as the bridge, the command line and the accounts area see it. Each call checks the
 * message's state and hands the work to the module that does it.
 */
export class OutboxFacade implements OutboxService {
  private readonly deps: OutboxFacadeDeps;

  constructor(deps: OutboxFacadeDeps) {
    this.deps = deps;
  }

  async enqueue(input: unknown): Promise<QueueItem> {
    const { store, queue, accounts, clock, settings } = this.deps;
    const request = parseComposeRequest(input);
    const record = await composeMessage(request, {
      accounts,
      store,
      now: clock.now(),
      undoSeconds: settings.get().undoSeconds,
    });
    await saveOrRollBack(store, record);
    const saved = store.get(record.id) ?? record;
    queue.put(saved);
    const queued = queue.item(saved);
    this.deps.scheduler.wake();
    await removeEditCopies(
      store.paths.edits,
      request.attachments.map((a) => a.path),
    );
    return queued;
  }

  list(): QueueItem[] {
    const { queue } = this.deps;
    return queue
      .all()
      .sort((a, b) => a.createdAt - b.createdAt)
      .flatMap((entry) => {
        const record = queue.get(entry.id);
        return record ? [queue.item(record)] : [];
      });
  }

  *newest(count: number): Generator<QueueItem> {
    const { queue } = this.deps;
    for (const entry of newestEntries(queue.all(), count)) {
      const record = queue.get(entry.id);
      if (record) yield queue.item(record);
    }
  }

  get(id: string): QueueItem {
    const { queue } = this.deps;
    return queue.item(queue.mustFind(id));
  }

  rows(): QueueRow[] {
    const { queue } = this.deps;
    return queue.all().map((entry) => ({
      id: entry.id,
      accountId: entry.accountId,
      state: queue.displayState(entry),
      createdAt: new Date(entry.createdAt).toISOString(),
      sendAt: isoOf(entry.sendAt),
    }));
  }

  hasDue(now: number): boolean {
    const { queue } = this.deps;
    return queue.all().some((entry) => {
      const state = queue.displayState(entry);
      if (state === 'queued' || state === 'sending') return true;
      return state === 'deferred' && entry.nextAttemptAt !== undefined && entry.nextAttemptAt <= now;
    });
  }

  find(id: string): QueueItem | undefined {
    const record = this.deps.queue.get(id);
    return record && this.deps.queue.item(record);
  }

  async retryNow(id: string): Promise<QueueItem> {
    const record = this.deps.queue.requireIdle(id, RETRYABLE, 'retried');
    // Queued again for an account that is gone, it would wait for ever: it must move first.
    if (!this.deps.accounts.find(record.accountId)) {
      throw new AppError(
        'account_missing',
        'The account this message was to go from no longer exists; move it to another account first.',
      );
    }
    this.deps.throttle.unblock(record.accountId);
    return this.saveDue(this.dueNow(record));
  }

  async cancel(id: string): Promise<void> {
    const { queue, store } = this.deps;
    const record = queue.requireIdle(id, CANCELLABLE, 'cancelled');
    await this.withdraw(record, async () => {
      await store.remove(id);
      queue.forget(id);
    });
  }

  async undo(id: string): Promise<DraftContent> {
    const record = this.deps.queue.requireIdle(id, ['queued'], 'taken back');
    if (!record.undoUntil || Date.parse(record.undoUntil) <= this.deps.clock.now() || record.attempts > 0) {
      throw new AppError('invalid_state', 'It is too late to undo: the message is on its way.');
    }
    return this.withdrawToDraft(record);
  }

  async edit(id: string): Promise<DraftContent> {
    return this.withdrawToDraft(this.deps.queue.requireIdle(id, EDITABLE, 'edited'));
  }

  async resend(id: string): Promise<QueueItem> {
    return this.saveDue(this.dueNow(this.deps.queue.requireIdle(id, ['unconfirmed'], 'resent')));
  }

  async markSent(id: string): Promise<void> {
    await this.deps.runner.finishSent(this.deps.queue.requireIdle(id, ['unconfirmed'], 'marked as sent'), {
      marked: true,
    });
  }

  async moveMessage(id: string, toAccountId: string): Promise<QueueItem> {
    const { queue } = this.deps;
    const record = queue.requireIdle(id, MOVABLE, 'moved');
    const moved = await this.withdraw(record, () =>
      this.deps.moves.moveOne(record, toAccountId, (next) =>
        next.state === 'scheduled' ? next : this.dueNow(next),
      ),
    );
    if (!moved) throw new AppError('invalid_state', 'The message changed meanwhile; look at it again.');
    return this.get(id);
  }

  networkHint(online: boolean): void {
    this.deps.connectivity.hint(online);
    if (online) this.wake();
  }

  wake(): void {
    this.deps.runner.resetSessions();
    this.deps.scheduler.wake();
  }

  async flush(since = this.deps.clock.now()): Promise<void> {
    const { queue, inFlight } = this.deps;
    for (const entry of queue.all()) {
      const triedSince = entry.lastTriedAt !== undefined && entry.lastTriedAt >= since;
      if (entry.state !== 'deferred' || inFlight.has(entry.id) || triedSince) continue;
      // Current, not as listed: an earlier save awaited.
      const record = queue.get(entry.id);
      if (record?.state === 'deferred') await queue.save(this.dueNow(record, 'deferred'));
    }
    this.deps.throttle.unblockBefore(since);
    this.deps.scheduler.wake();
    await this.settled();
  }

  settled(): Promise<void> {
    return this.deps.scheduler.settled();
  }

  setAsideItems(): Promise<SetAsideItem[]> {
    return this.deps.store.setAsideItems();
  }

  async restore(key: string): Promise<QueueItem> {
    const { store, queue, clock } = this.deps;
    const restored = await restoreSetAside(store, key, clock.now(), async (id) =>
      Boolean(await this.deps.sent.find(id)),
    );
    queue.put(restored);
    this.deps.scheduler.wake();
    return queue.item(restored);
  }

  onSetAsideChanged(listener: () => void): () => void {
    return this.deps.store.onSetAsideChanged(listener);
  }

  summary(): QueueSummary {
    const { queue } = this.deps;
    function* shown() {
      for (const entry of queue.all()) {
        yield { state: queue.displayState(entry), nextAttemptAt: entry.nextAttemptAt, sendAt: entry.sendAt };
      }
    }
    return summarizeQueue(shown());
  }

  setSendingPaused(paused: boolean): void {
    this.deps.pause.set(paused);
    // Resumed: what became due meanwhile goes now.
    this.deps.scheduler.wake();
  }

  isSendingPaused(): boolean {
    return this.deps.pause.paused;
  }

  countPending(accountId: string): number {
    return this.deps.queue.all().filter((r) => r.accountId === accountId && r.state !== 'failed').length;
  }

  moveToAccount(fromAccountId: string, toAccountId: string): Promise<void> {
    return this.deps.moves.move(fromAccountId, toAccountId);
  }

  async holdAll(accountId: string): Promise<void> {
    const { queue, inFlight } = this.deps;
    for (const entry of queue.all()) {
      if (entry.accountId !== accountId || inFlight.has(entry.id) || !isWaiting(entry)) continue;
      const record = queue.get(entry.id);
      if (record && isWaiting(record)) await queue.save({ ...record, state: 'held' });
    }
  }

  private dueNow(record: QueueRecord, state: QueueRecord['state'] = 'queued'): QueueRecord {
    return {
      ...record,
      state,
      nextAttemptAt: new Date(this.deps.clock.now()).toISOString(),
      lastError: undefined,
    };
  }

  private async saveDue(due: QueueRecord): Promise<QueueItem> {
    await this.deps.queue.save(due);
    this.deps.scheduler.wake();
    return this.deps.queue.item(due);
  }

  /** Withdraws a message (no attempt starts on it meanwhile); if it stays, it is due again as before. */
  private async withdraw<T>(record: QueueRecord, work: () => Promise<T>): Promise<T> {
    try {
      return await this.deps.queue.withdraw(record, work);
    } finally {
      this.deps.scheduler.wake();
    }
  }

  /** Undo and edit: the message leaves the queue as a draft to compose again. */
  private withdrawToDraft(record: QueueRecord): Promise<DraftContent> {
    const { store, queue } = this.deps;
    return this.withdraw(record, async () => {
      const draft = await draftFromStored(store, record);
      await store.remove(record.id);
      queue.forget(record.id);
      return draft;
    });
  }
}

/** The `count` entries created last, newest first: one pass, never sorting the whole queue. */
export function newestEntries<T extends { readonly createdAt: number }>(
  entries: readonly T[],
  count: number,
): T[] {
  if (count <= 0) return [];
  const newestFirst = (a: T, b: T) => b.createdAt - a.createdAt;
  let top: T[] = [];
  for (const entry of entries) {
    top.push(entry);
    // Trimmed now and then rather than kept sorted: a sort of 2 × count, every count entries.
    if (top.length >= 2 * count) top = top.sort(newestFirst).slice(0, count);
  }
  return top.sort(newestFirst).slice(0, count);
}
