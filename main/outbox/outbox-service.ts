import type { DraftContent } from '../../preload/contract/compose.ts';
import type { ErrorInfo } from '../../preload/contract/errors.ts';
import type { QueueItem, QueueState, RecipientStatus, SentRecord } from '../../preload/contract/outbox.ts';
import type { AppStatus } from '../../preload/contract/settings.ts';
import type { AccountsPort, EventSink, Platform, QueuePort } from '../core/ports.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../errors/logger.ts';
import type { AppSettingsService } from '../settings/app-settings.ts';
import type { SmtpFailure } from '../smtp/smtp-failure.ts';
import type { Clock } from '../core/clock.ts';
import { composeMessage, needsSmtpUtf8, parseComposeRequest, senderOf } from './message/compose-message.ts';
import type { Connectivity } from './delivery/connectivity.ts';
import {
  CONNECTIONS_PER_ACCOUNT,
  type AttemptResult,
  type DeliveryAgent,
} from './delivery/delivery-agent.ts';
import { DueQueue } from './delivery/due-queue.ts';
import { backoffMs, nextRetry } from './delivery/retry-policy.ts';
import { toQueueItem, type QueueRecord } from './store/queue-record.ts';
import type { QueueStore } from './store/queue-store.ts';
import type { SentLog } from '../sent/sent-log.ts';
import { saveOrRollBack } from './message/commit-message.ts';
import { sizeWithFrom } from './message/from-rewrite.ts';
import { draftFromStored, removeEditCopies } from './message/stored-draft.ts';

/** Even with nothing due, look at the wall clock this often: timers do not run during sleep. */
const MAX_SLEEP_MS = 30_000;
const PROGRESS_EVERY_MS = 100;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const UNCONFIRMED: ErrorInfo = {
  code: 'connection_failed',
  message:
    'The connection broke after the whole message was handed to the server, so it may have been delivered. Resend it or mark it as sent.',
};

const OUTCOME_UNSAVED: ErrorInfo = {
  code: 'storage_failed',
  message:
    'The outcome of the last attempt could not be saved (the disk is full or failing). Outbox tries again later.',
};

export interface OutboxService extends QueuePort {
  enqueue(input: unknown): Promise<QueueItem>;
  list(): QueueItem[];
  get(id: string): QueueItem;
  retryNow(id: string): Promise<QueueItem>;
  cancel(id: string): Promise<void>;
  undo(id: string): Promise<DraftContent>;
  edit(id: string): Promise<DraftContent>;
  resend(id: string): Promise<QueueItem>;
  markSent(id: string): Promise<void>;
  sentList(query: { limit: number; before?: string | undefined }): Promise<SentRecord[]>;
  sentGet(id: string): Promise<SentRecord>;
  recentContacts(prefix: string, limit: number): Promise<string[]>;
  status(): AppStatus;
  networkHint(online: boolean): void;
  /**
   * After sleep or a network change (powerMonitor `resume`): pooled sessions may be half-open and
   * timers did not run, so drop the sessions and look at the wall clock again now.
   */
  wake(): void;
  /**
   * Makes deferred messages due now (scheduled ones keep their time) and resolves once none is
   * queued, due or sending: what `queue flush --wait` needs. In a process that does not deliver it
   * resolves at once.
   */
  flush(): Promise<void>;
  /** Resolves once no message is queued, due or sending; deferred, failed and others may remain. */
  settled(): Promise<void>;
}

/** The parts the facade is built from; delivery joins in `startDelivering` once this process holds the lock. */
export interface ServiceParts {
  readonly store: QueueStore;
  readonly sentLog: SentLog;
  readonly accounts: AccountsPort;
  readonly settings: AppSettingsService;
  readonly connectivity: Connectivity;
  readonly platform: Pick<Platform, 'isOnline' | 'notify'>;
  readonly emit: EventSink;
  readonly log: Logger;
  readonly clock: Clock;
  readonly version: string;
}

export interface OutboxEngine {
  readonly service: OutboxService;
  /** Loads the queue from disk, recovers what a crash left (hand-overs without an outcome), and delivers. */
  startDelivering(agent: DeliveryAgent): Promise<void>;
  /** Picks up what other processes wrote or removed. */
  refresh(ids?: readonly string[]): Promise<void>;
  /** Stops feeding new attempts and waits for those in flight to be recorded. */
  stop(): Promise<void>;
}

const iso = (ms: number) => new Date(ms).toISOString();
const waiting = new Set<QueueState>(['queued', 'scheduled', 'deferred']);

export function createOutboxEngine(parts: ServiceParts): OutboxEngine {
  const { store, sentLog, accounts, settings, connectivity, emit, log, clock } = parts;
  const records = new Map<string, QueueRecord>();
  const sending = new Map<string, Promise<void>>();
  /**
   * Of those sending, the ones still talking to the server. A session is free for the next message
   * once the server has answered; the outcome is made durable alongside (group-committed with
   * others), and the message stays `sending` until it is.
   */
  const onWire = new Map<string, string>();
  const perAccountBlock = new Map<string, { until: number; failures: number }>();
  const settleWaiters = new Set<() => void>();
  let agent: DeliveryAgent | undefined;
  let stopped = false;
  let cancelWake: (() => void) | undefined;

  // ---- events, batched so a flush of thousands of messages is not thousands of IPC messages
  const pendingUpserts = new Set<string>();
  const pendingRemovals = new Set<string>();
  let flushScheduled = false;
  function flushChanges(): void {
    flushScheduled = false;
    if (pendingUpserts.size === 0 && pendingRemovals.size === 0) return;
    // Items are built here, once per batch, from whatever each record is by now.
    const upserted = [...pendingUpserts].flatMap((id) => {
      const record = records.get(id);
      return record ? [item(record)] : [];
    });
    emit('outbox:changed', { upserted, removed: [...pendingRemovals] });
    pendingUpserts.clear();
    pendingRemovals.clear();
  }
  function scheduleFlush(): void {
    if (flushScheduled) return;
    flushScheduled = true;
    setImmediate(flushChanges);
  }
  const progressLast = new Map<string, number>();
  function progress(record: QueueRecord, bytes: number): void {
    const now = Date.now();
    if (bytes < record.sizeBytes && now - (progressLast.get(record.id) ?? 0) < PROGRESS_EVERY_MS) return;
    progressLast.set(record.id, now);
    emit('outbox:progress', {
      id: record.id,
      bytesSent: Math.min(bytes, record.sizeBytes),
      bytesTotal: record.sizeBytes,
    });
  }

  /** What the user sees: the stored state, unless something in memory says more. */
  function displayState(record: QueueRecord): QueueState {
    if (sending.has(record.id)) return 'sending';
    if (record.state === 'queued' || record.state === 'deferred') {
      const account = accounts.find(record.accountId);
      if (account?.attention) return 'needs_attention';
      if (account?.paused) return 'held';
    }
    return record.state;
  }
  const item = (record: QueueRecord) => toQueueItem(record, displayState(record));

  function upsert(record: QueueRecord): void {
    records.set(record.id, record);
    if (waiting.has(record.state)) due.push(record, dueAt(record));
    pendingRemovals.delete(record.id);
    pendingUpserts.add(record.id);
    scheduleFlush();
  }
  function forget(id: string): void {
    records.delete(id);
    outcomeUnsaved.delete(id);
    progressLast.delete(id);
    pendingUpserts.delete(id);
    pendingRemovals.add(id);
    scheduleFlush();
  }

  /** Durably; what the log says afterwards wins (another process may have removed it meanwhile). */
  async function save(record: QueueRecord): Promise<void> {
    await store.save(record);
    outcomeUnsaved.delete(record.id);
    const saved = store.get(record.id);
    if (saved) upsert(saved);
    else forget(record.id);
  }

  function notify(title: string, body: string): void {
    if (settings.get().notifications) parts.platform.notify(title, body);
  }

  function mustFind(id: string): QueueRecord {
    const record = records.get(id);
    if (!record) throw new AppError('not_found', 'That message is no longer in the outbox.');
    return record;
  }
  function requireIdle(id: string, allowed: readonly QueueState[], action: string): QueueRecord {
    const record = mustFind(id);
    if (sending.has(id) || !allowed.includes(record.state)) {
      throw new AppError(
        'invalid_state',
        `This message cannot be ${action} while it is ${displayState(record)}.`,
      );
    }
    return record;
  }

  // ---- scheduling
  /**
   * Messages whose last outcome could not be written (a full or failing disk): the log still holds
   * their state from before the attempt, so they must not go again at once. Not before this time;
   * never, until a write for them succeeds, when a hand-over mark says the server may have them.
   */
  const outcomeUnsaved = new Map<string, { until: number; logged: QueueRecord }>();
  const dueAt = (record: QueueRecord) =>
    Math.max(
      record.nextAttemptAt ? Date.parse(record.nextAttemptAt) : 0,
      outcomeUnsaved.get(record.id)?.until ?? 0,
    );
  /** Messages being cancelled or taken back for editing: no attempt may start on them meanwhile. */
  const takingOut = new Set<string>();
  const due = new DueQueue(
    (record) =>
      records.get(record.id) === record &&
      waiting.has(record.state) &&
      !sending.has(record.id) &&
      !takingOut.has(record.id),
  );
  /** Accounts whose messages are being moved to another one. */
  const moving = new Set<string>();
  function accountReady(accountId: string, now: number): boolean {
    const account = accounts.find(accountId);
    if (!account || account.paused || account.attention || moving.has(accountId)) return false;
    return (perAccountBlock.get(accountId)?.until ?? 0) <= now && allowance(accountId, now) > 0;
  }

  /** Attempts started in the last hour, per account, for the user's own hourly limit. */
  const recentStarts = new Map<string, number[]>();
  function allowance(accountId: string, now: number): number {
    const limit = accounts.find(accountId)?.ratePerHour;
    if (limit === undefined) return Infinity;
    const starts = (recentStarts.get(accountId) ?? []).filter((t) => t > now - HOUR_MS);
    recentStarts.set(accountId, starts);
    return limit - starts.length;
  }
  /** When an account over its hourly limit may send again. */
  function allowanceFreesAt(accountId: string): number | undefined {
    const limit = accounts.find(accountId)?.ratePerHour;
    const starts = recentStarts.get(accountId) ?? [];
    return limit === undefined || starts.length < limit
      ? undefined
      : (starts[starts.length - limit] ?? 0) + HOUR_MS;
  }

  let pumpQueued = false;
  /** Many triggers in one turn (a burst of enqueues, a batch of completions) make one pass. */
  function pump(): void {
    if (pumpQueued) return;
    pumpQueued = true;
    setImmediate(() => {
      pumpQueued = false;
      pumpNow();
    });
  }

  /** Feeds each account's sessions as they free up, oldest due first; sleeps until the next due time. */
  function pumpNow(): void {
    if (!agent || stopped) {
      // A flush() or settled() in a process that does not deliver waits only for this pass.
      checkSettled();
      return;
    }
    cancelWake?.();
    cancelWake = undefined;
    const now = clock.now();
    let nextWake = now + MAX_SLEEP_MS;
    if (connectivity.online) {
      const free = new Map<string, number>();
      for (const accountId of onWire.values()) {
        free.set(accountId, (free.get(accountId) ?? CONNECTIONS_PER_ACCOUNT) - 1);
      }
      for (const accountId of due.accounts()) {
        let slots = accountReady(accountId, now)
          ? Math.min(free.get(accountId) ?? CONNECTIONS_PER_ACCOUNT, allowance(accountId, now))
          : 0;
        if (slots <= 0) {
          // What changes that (an answer, an account edit, the timers here) pumps again.
          const blocked = perAccountBlock.get(accountId)?.until;
          if (blocked !== undefined && blocked > now) nextWake = Math.min(nextWake, blocked);
          const frees = allowanceFreesAt(accountId);
          if (frees !== undefined) nextWake = Math.min(nextWake, frees);
          continue;
        }
        for (let next = due.peek(accountId); next && slots > 0; next = due.peek(accountId)) {
          if (next.at > now) {
            nextWake = Math.min(nextWake, next.at);
            break;
          }
          due.take(accountId);
          start(next.record);
          slots--;
        }
      }
    }
    cancelWake = clock.setTimer(pump, Math.max(0, nextWake - now));
    checkSettled();
  }

  function isSettled(): boolean {
    if (sending.size > 0 || pumpQueued) return false;
    if (!agent) return true;
    if (!connectivity.online) return true;
    const now = clock.now();
    return !due.accounts().some((accountId) => {
      const next = accountReady(accountId, now) ? due.peek(accountId) : undefined;
      return next !== undefined && next.at <= now;
    });
  }
  function checkSettled(): void {
    if (settleWaiters.size === 0 || !isSettled()) return;
    for (const resolve of settleWaiters) resolve();
    settleWaiters.clear();
  }

  function start(record: QueueRecord): void {
    if (accounts.find(record.accountId)?.ratePerHour !== undefined) {
      recentStarts.set(record.accountId, [...(recentStarts.get(record.accountId) ?? []), clock.now()]);
    }
    let unsaved = false;
    const run = attempt(record)
      .catch((error: unknown) => {
        log.error('Recording a delivery attempt failed', { id: record.id, error });
        unsaved = true;
      })
      .finally(() => {
        onWire.delete(record.id);
        sending.delete(record.id);
        // The log's word, which refresh left alone while the message was out: another process may
        // have changed it, or the store set it aside.
        const current = store.get(record.id);
        if (current) upsert(unsaved ? heldBack(current) : current);
        else if (records.has(record.id)) forget(record.id);
        pump();
      });
    onWire.set(record.id, record.accountId);
    sending.set(record.id, run);
    upsert(record);
  }

  /**
   * The message after an attempt whose outcome could not be written, as shown until a write for it
   * succeeds: unconfirmed if its hand-over mark is on disk (as the next start would find it),
   * otherwise deferred by a backoff, so a failing disk does not send it again and again.
   */
  function heldBack(current: QueueRecord): QueueRecord {
    const mark = store.handovers().get(current.id);
    if (mark !== undefined && mark > current.attempts) {
      outcomeUnsaved.set(current.id, { until: Infinity, logged: current });
      return { ...current, attempts: mark, state: 'unconfirmed', lastError: UNCONFIRMED };
    }
    const until = clock.now() + backoffMs(current.attempts + 1, clock.random());
    outcomeUnsaved.set(current.id, { until, logged: current });
    return { ...current, state: 'deferred', nextAttemptAt: iso(until), lastError: OUTCOME_UNSAVED };
  }

  /** `record` is current: the store reports every change it reads, and refresh takes it in at once. */
  async function attempt(record: QueueRecord): Promise<void> {
    const startedAt = clock.now();
    const number = record.attempts + 1;
    const result = await (agent as DeliveryAgent).attempt(record, {
      attempt: number,
      onProgress: (bytes) => {
        progress(record, bytes);
      },
    });
    onWire.delete(record.id);
    pump();
    if (records.get(record.id) === undefined) return;
    await applyResult(record, result, number, startedAt);
  }

  /** Applies an attempt's result to the record, durably, then drops the hand-over marker. */
  async function applyResult(
    record: QueueRecord,
    result: AttemptResult,
    number: number,
    startedAt: number,
  ): Promise<void> {
    const now = clock.now();
    const spent =
      record.onlineMsSpent +
      connectivity.onlineMsBetween(record.lastTriedAt ? Date.parse(record.lastTriedAt) : startedAt, now);
    const tried: QueueRecord = { ...record, attempts: number, onlineMsSpent: spent, lastTriedAt: iso(now) };

    if (result.kind === 'answered') {
      connectivity.reportReachable();
      perAccountBlock.delete(record.accountId);
      const byAddress = new Map(result.recipients.map((r) => [r.address, r]));
      const recipients = record.recipients.map((r) => byAddress.get(r.address) ?? r);
      await answered({ ...tried, recipients, lastReply: result.reply });
      return;
    }

    const { failure, handedOver } = result;
    if (handedOver && failure.responseCode === undefined) {
      // RFC 1047: the server had the whole message but we never heard its answer.
      const resend = settings.get().autoResendUnconfirmed;
      await save({
        ...tried,
        state: resend ? 'deferred' : 'unconfirmed',
        nextAttemptAt: iso(now),
        lastError: UNCONFIRMED,
      });
      if (!resend) notify('Delivery unconfirmed', `“${record.subject}” may or may not have been delivered.`);
      return;
    }
    switch (failure.class) {
      case 'offline':
        // No attempt spent: the message waits for the network.
        connectivity.reportOffline();
        await save({ ...record, lastError: bridge(failure) });
        return;
      case 'attention':
        accounts.setAttention(record.accountId, bridge(failure));
        agent?.reset(record.accountId);
        notify('An account needs attention', failure.message);
        await save({ ...record, lastError: bridge(failure) });
        return;
      case 'permanent':
        await fail({ ...tried, lastError: bridge(failure), ...reply(failure) });
        break;
      case 'local':
        // This computer's fault, not the server's: the account's other messages go on. Bytes that
        // are gone for good set the message aside, with a notice.
        if (await store.recheck(record.id)) return;
        await defer({ ...tried, lastError: bridge(failure) });
        break;
      case 'deferred': {
        if (failure.responseCode === undefined || failure.responseCode === 421) {
          // The server itself is unreachable or closing: its other messages wait with this one.
          const block = perAccountBlock.get(record.accountId)?.failures ?? 0;
          perAccountBlock.set(record.accountId, {
            failures: block + 1,
            until: now + backoffMs(block + 1, clock.random()),
          });
        }
        await defer({ ...tried, lastError: bridge(failure), ...reply(failure) });
        break;
      }
      default: {
        const unreachable: never = failure.class;
        throw new Error(`unknown failure class ${String(unreachable)}`);
      }
    }
  }

  async function answered(record: QueueRecord): Promise<void> {
    const open = record.recipients.some((r) => r.state === 'pending' || r.state === 'deferred');
    if (!open) {
      if (record.recipients.some((r) => r.state === 'accepted')) {
        await finishSent(record);
        return;
      }
      const smtpUtf8 = record.needsSmtpUtf8 && record.recipients.some((r) => /^55[35]/.test(r.reply ?? ''));
      await fail({
        ...record,
        lastError: smtpUtf8
          ? {
              code: 'smtputf8_unsupported',
              message: `The server does not accept international addresses (SMTPUTF8): ${record.lastReply ?? ''}`,
            }
          : { code: 'recipient_rejected', message: 'The server refused every recipient.' },
      });
    } else {
      await defer({
        ...record,
        lastError: { code: 'server_deferred', message: 'The server asked to try some recipients later.' },
      });
    }
  }

  function bridge(failure: SmtpFailure): ErrorInfo {
    return { code: failure.code, message: failure.message };
  }
  function reply(failure: SmtpFailure): { lastReply?: string } {
    return failure.response ? { lastReply: failure.response } : {};
  }

  async function defer(record: QueueRecord): Promise<void> {
    const lifetimeMs = settings.get().retryLifetimeHours * HOUR_MS;
    const decision = nextRetry({
      failures: record.attempts,
      onlineMsSpent: record.onlineMsSpent,
      lifetimeMs,
      now: clock.now(),
      random: clock.random(),
    });
    if (decision.kind === 'give_up') {
      await fail(record);
      return;
    }
    await save({ ...record, state: 'deferred', nextAttemptAt: iso(decision.at) });
  }

  async function fail(record: QueueRecord): Promise<void> {
    await save({ ...record, state: 'failed', nextAttemptAt: undefined });
    notify('Message not sent', `“${record.subject}”: ${record.lastError?.message ?? 'delivery failed'}`);
  }

  function sentRecordOf(record: QueueRecord, now: number): SentRecord {
    return {
      id: record.id,
      messageId: record.messageId,
      accountId: record.accountId,
      from: record.from,
      subject: record.subject,
      sentAt: iso(now),
      recipients: record.recipients,
      sizeBytes: record.sizeBytes,
      attempts: record.attempts,
    };
  }

  /**
   * The sent-log line is written first (a crash before the removal leaves a message the next start
   * finds there); the removal carries the same record, durably, and the next start restores the
   * line from it should the crash have lost it.
   */
  async function finishSent(record: QueueRecord): Promise<void> {
    const sent = sentRecordOf(record, clock.now());
    await sentLog.write(sent);
    await store.remove(record.id, sent);
    forget(record.id);
  }

  /** After a crash: a marker newer than the last recorded attempt means the server may have it. */
  async function recover(record: QueueRecord, handovers: ReadonlyMap<string, number>): Promise<void> {
    const marker = handovers.get(record.id);
    if (marker !== undefined && marker > record.attempts) {
      const sent = await sentLog.get(record.id);
      if (sent) {
        await store.remove(record.id, sent);
        records.delete(record.id);
        return;
      }
      const resend = settings.get().autoResendUnconfirmed;
      const recovered: QueueRecord = {
        ...record,
        attempts: record.attempts + 1,
        state: resend ? 'deferred' : 'unconfirmed',
        nextAttemptAt: iso(clock.now()),
        lastError: UNCONFIRMED,
      };
      await store.save(recovered);
      records.set(record.id, store.get(record.id) ?? recovered);
    }
  }

  function take(record: QueueRecord): void {
    const held = outcomeUnsaved.get(record.id);
    if (held) {
      // The state held back against is still the log's: the hold stands. Anything else was
      // written since (a retry or resend from the command line), and is the user's word.
      if (JSON.stringify(held.logged) === JSON.stringify(record)) return;
      outcomeUnsaved.delete(record.id);
    }
    const known = records.get(record.id);
    if (!known || JSON.stringify(known) !== JSON.stringify(record)) upsert(record);
  }

  async function refresh(ids?: readonly string[]): Promise<void> {
    if (ids === undefined) await store.sync();
    const known = ids ?? [...new Set([...records.keys(), ...store.all().map((r) => r.id)])];
    for (const id of known) {
      if (sending.has(id)) continue;
      const record = store.get(id);
      if (record) take(record);
      else if (records.has(id)) forget(id);
    }
    pump();
  }

  let cancelPrune: (() => void) | undefined;
  /** Retention: at start and then daily, whole days older than the setting leave the sent log. */
  async function pruneSentLog(): Promise<void> {
    await sentLog.prune(settings.get().sentRetentionDays, clock.now());
    cancelPrune = clock.setTimer(() => {
      pruneSentLog().catch((error: unknown) => {
        log.warn('Pruning the sent log failed', { error });
      });
    }, DAY_MS);
  }

  /**
   * Takes a message out of the queue with `work`, which awaits (a read, a durable write): no attempt
   * may start on it meanwhile. If it stays (the work failed), it is due again as before.
   */
  async function whileTakingOut<T>(record: QueueRecord, work: () => Promise<T>): Promise<T> {
    takingOut.add(record.id);
    try {
      return await work();
    } finally {
      takingOut.delete(record.id);
      const current = records.get(record.id);
      if (current) upsert(current);
      pump();
    }
  }

  function takeOut(record: QueueRecord): Promise<DraftContent> {
    return whileTakingOut(record, async () => {
      const draft = await draftFromStored(store, record);
      await store.remove(record.id);
      forget(record.id);
      return draft;
    });
  }

  function makeDue(record: QueueRecord, state: QueueRecord['state'] = 'queued'): QueueRecord {
    return { ...record, state, nextAttemptAt: iso(clock.now()), lastError: undefined };
  }

  const service: OutboxService = {
    async enqueue(input) {
      const request = parseComposeRequest(input);
      const record = await composeMessage(request, {
        accounts,
        store,
        now: clock.now(),
        undoSeconds: settings.get().undoSeconds,
      });
      await saveOrRollBack(store, record);
      const saved = store.get(record.id) ?? record;
      upsert(saved);
      const queued = item(saved);
      pump();
      await removeEditCopies(
        store.paths.edits,
        request.attachments.map((a) => a.path),
      );
      return queued;
    },
    list: () => [...records.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt)).map(item),
    get: (id) => item(mustFind(id)),
    async retryNow(id) {
      const record = requireIdle(
        id,
        ['queued', 'scheduled', 'deferred', 'failed', 'held', 'needs_attention'],
        'retried',
      );
      perAccountBlock.delete(record.accountId);
      const due = makeDue(record);
      await save(due);
      pump();
      return item(due);
    },
    async cancel(id) {
      const record = requireIdle(
        id,
        ['queued', 'scheduled', 'deferred', 'held', 'needs_attention', 'unconfirmed', 'failed'],
        'cancelled',
      );
      await whileTakingOut(record, async () => {
        await store.remove(id);
        forget(id);
      });
    },
    async undo(id) {
      const record = requireIdle(id, ['queued'], 'taken back');
      if (!record.undoUntil || Date.parse(record.undoUntil) <= clock.now() || record.attempts > 0) {
        throw new AppError('invalid_state', 'It is too late to undo: the message is on its way.');
      }
      return takeOut(record);
    },
    async edit(id) {
      return takeOut(
        requireIdle(id, ['queued', 'scheduled', 'deferred', 'held', 'needs_attention', 'failed'], 'edited'),
      );
    },
    async resend(id) {
      const due = makeDue(requireIdle(id, ['unconfirmed'], 'resent'));
      await save(due);
      pump();
      return item(due);
    },
    async markSent(id) {
      await finishSent(requireIdle(id, ['unconfirmed'], 'marked as sent'));
    },
    sentList: (query) => sentLog.list(query),
    async sentGet(id) {
      const record = await sentLog.get(id);
      if (!record) throw new AppError('not_found', 'That message is not in the sent log.');
      return record;
    },
    async recentContacts(prefix, limit) {
      const wanted = prefix.toLowerCase();
      const out = new Set<string>();
      const consider = (recipients: readonly RecipientStatus[]) => {
        for (const r of recipients) {
          if (out.size < limit && r.address.toLowerCase().startsWith(wanted)) out.add(r.address);
        }
      };
      for (const record of await sentLog.list({ limit: 500 })) consider(record.recipients);
      for (const record of records.values()) consider(record.recipients);
      return [...out];
    },
    status: () => ({ online: connectivity.online, version: parts.version }),
    networkHint(online) {
      connectivity.hint(online);
      if (online) service.wake();
    },
    wake() {
      agent?.reset();
      pump();
    },
    async flush() {
      for (const record of records.values()) {
        if (record.state === 'deferred' && !sending.has(record.id)) await save(makeDue(record, 'deferred'));
      }
      perAccountBlock.clear();
      pump();
      await service.settled();
    },
    settled() {
      return new Promise((resolve) => {
        settleWaiters.add(resolve);
        checkSettled();
      });
    },
    countPending: (accountId) =>
      [...records.values()].filter((r) => r.accountId === accountId && r.state !== 'failed').length,
    async moveToAccount(fromAccountId, toAccountId) {
      const target = accounts.find(toAccountId);
      if (!target)
        throw new AppError('unknown_account', 'The account to move the messages to does not exist.');
      const sender = senderOf(target);
      // No attempt may start on the old account while its messages move (each move awaits a read).
      moving.add(fromAccountId);
      try {
        // Attempts under way end first: one that ends deferred must not stay with the old account.
        const onOld = [...sending].filter(([id]) => records.get(id)?.accountId === fromAccountId);
        await Promise.all(onOld.map(([, run]) => run));
        for (const { id } of [...records.values()]) {
          // Current, not as listed: a cancel or an edit may have come in meanwhile.
          const record = records.get(id);
          if (record?.accountId !== fromAccountId || sending.has(id)) continue;
          // The stored bytes stay; the From field is replaced as the message goes out.
          const storedSizeBytes = record.storedSizeBytes ?? record.sizeBytes;
          const sizeBytes = await sizeWithFrom(store.openBytes(id), sender.fromField, storedSizeBytes);
          if (records.get(id) !== record) continue;
          await save({
            ...record,
            accountId: toAccountId,
            ...sender,
            needsSmtpUtf8: needsSmtpUtf8([sender.envelopeFrom, ...record.recipients.map((r) => r.address)]),
            sizeBytes,
            storedSizeBytes,
          });
        }
      } finally {
        moving.delete(fromAccountId);
        pump();
      }
    },
    async holdAll(accountId) {
      for (const record of [...records.values()]) {
        if (record.accountId !== accountId || sending.has(record.id) || !waiting.has(record.state)) continue;
        await save({ ...record, state: 'held' });
      }
    },
  };

  connectivity.onChange((online) => {
    emit('app:statusChanged', service.status());
    if (!online) return;
    // Back online: pooled sockets may be half-open, and waiting messages go now, not at their backoff.
    agent?.reset();
    perAccountBlock.clear();
    for (const record of [...records.values()]) {
      if (record.state === 'deferred') upsert({ ...record, nextAttemptAt: iso(clock.now()) });
    }
    pump();
  });
  accounts.onChanged((accountId) => {
    agent?.reset(accountId);
    perAccountBlock.delete(accountId);
    for (const record of records.values()) if (record.accountId === accountId) upsert(record);
    pump();
  });

  return {
    service,
    async startDelivering(deliveryAgent) {
      await store.sync();
      const handovers = store.handovers();
      for (const record of store.all()) {
        records.set(record.id, record);
        await recover(record, handovers);
      }
      await sentLog.restore(store.sentRemovals());
      await pruneSentLog();
      for (const record of records.values()) upsert(record);
      agent = deliveryAgent;
      pump();
    },
    refresh,
    async stop() {
      stopped = true;
      cancelWake?.();
      cancelPrune?.();
      await Promise.all(sending.values());
      await store.close();
      await sentLog.close();
      flushChanges();
      for (const resolve of settleWaiters) resolve();
      settleWaiters.clear();
    },
  };
}
