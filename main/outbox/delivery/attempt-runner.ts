import type { Clock } from '../../core/clock.ts';
import type { AccountsPort } from '../../core/ports.ts';
import type { Logger } from '../../errors/logger.ts';
import type { SentHistory } from '../../sent/sent-history.ts';
import type { AppSettingsService } from '../../settings/app-settings.ts';
import type { LiveQueue } from '../live-queue.ts';
import type { QueueRecord } from '../store/queue-record.ts';
import type { QueueStore } from '../store/queue-store.ts';
import type { AccountThrottle } from './account-throttle.ts';
import type { Connectivity } from './connectivity.ts';
import {
  decideOutcome,
  outcomeUnsaved,
  recoveredAfterCrash,
  type AccountEffect,
  type Notice,
  type Outcome,
} from './decide-outcome.ts';
import type { DeliveryAgent } from './delivery-agent.ts';
import type { InFlight } from './in-flight.ts';
import { missedSchedule } from './late-limit.ts';

export interface AttemptRunnerDeps {
  readonly store: QueueStore;
  readonly queue: LiveQueue;
  readonly inFlight: InFlight;
  readonly throttle: AccountThrottle;
  readonly accounts: AccountsPort;
  readonly connectivity: Connectivity;
  readonly settings: AppSettingsService;
  readonly sentHistory: SentHistory;
  readonly clock: Clock;
  readonly log: Logger;
  /** Tells the user (if they want notifications). */
  readonly notify: (notice: Notice) => void;
  /** A session freed up or a message changed: the scheduler looks again. */
  readonly wake: () => void;
}

/** Runs delivery attempts and records what each one comes to, as `decideOutcome` says. */
export class AttemptRunner {
  private agent: DeliveryAgent | undefined;
  private readonly deps: AttemptRunnerDeps;

  constructor(deps: AttemptRunnerDeps) {
    this.deps = deps;
  }

  use(agent: DeliveryAgent): void {
    this.agent = agent;
  }

  /** Drops pooled sessions (all, or one account's): they may be half-open. */
  resetSessions(accountId?: string): void {
    this.agent?.reset(accountId);
  }

  start(record: QueueRecord): void {
    const { queue, inFlight, store, log } = this.deps;
    // Later than the user allowed: held, with nothing sent and no attempt counted.
    const missed = missedSchedule(record, this.deps.clock.now());
    if (!missed) this.deps.throttle.recordStart(record.accountId, this.deps.clock.now());
    let unsaved = false;
    const run = (missed ? this.record(record, missed) : this.attempt(record))
      .catch((error: unknown) => {
        log.error('Recording a delivery attempt failed', { id: record.id, error });
        unsaved = true;
      })
      .finally(() => {
        inFlight.done(record.id);
        // The log's word, which refresh left alone while the message was out: another process may
        // have changed it, or the store set it aside.
        const current = store.get(record.id);
        if (current && unsaved) this.holdUnsaved(current);
        else if (current) queue.put(current);
        else if (queue.has(record.id)) queue.forget(record.id);
        this.deps.wake();
      });
    inFlight.add(record, run);
    queue.put(record);
  }

  /**
   * Takes a message out of the queue as sent (`marked`: the user says so, no server confirmed it).
   * The removal carries the sent record, durably, and the next start restores the sent-log line
   * from it should a crash have lost it.
   */
  async finishSent(record: QueueRecord, { marked = false }: { marked?: boolean } = {}): Promise<void> {
    const sent = await this.deps.sentHistory.recordSent(record, { marked });
    await this.deps.store.remove(record.id, sent);
    this.deps.queue.forget(record.id);
  }

  /**
   * At start, before delivering: what a crash left of `logged`. Undefined when it turns out sent
   * (its line is in the sent log) and is removed now.
   */
  async recover(logged: QueueRecord, handoverMark: number | undefined): Promise<QueueRecord | undefined> {
    const { store, clock, settings } = this.deps;
    const recovered = recoveredAfterCrash(logged, handoverMark, {
      now: clock.now(),
      autoResendUnconfirmed: settings.get().autoResendUnconfirmed,
    });
    if (!recovered) return logged;
    const sent = await this.deps.sentHistory.find(logged.id);
    if (sent) {
      await store.remove(logged.id, sent);
      return undefined;
    }
    await store.save(recovered);
    return store.get(logged.id) ?? recovered;
  }

  /** `record` is current: the store reports every change it reads, and refresh takes it in at once. */
  private async attempt(record: QueueRecord): Promise<void> {
    const { clock, connectivity, queue } = this.deps;
    const startedAt = clock.now();
    const agent = this.agent;
    if (!agent) throw new Error('an attempt started before delivery did');
    const result = await agent.attempt(record, {
      attempt: record.attempts + 1,
      onProgress: (bytes) => {
        queue.feed.progress(record, bytes);
      },
    });
    this.deps.inFlight.offWire(record.id);
    this.deps.wake();
    if (!queue.has(record.id)) return;
    const now = clock.now();
    // From the last attempt, whichever process made it: the lifetime is wall time since the first.
    const countFrom = record.lastTriedAt ? Date.parse(record.lastTriedAt) : startedAt;
    const outcome = decideOutcome(record, result, {
      now,
      random: () => clock.random(),
      settings: this.deps.settings.get(),
      onlineMsSpent: record.onlineMsSpent + connectivity.onlineMsBetween(countFrom, now),
      accountBlocks: this.deps.throttle.blocks(record.accountId),
    });
    await this.record(record, outcome);
  }

  /** Carries out an outcome: the account first, then the message, durably, then the notice. */
  private async record(record: QueueRecord, outcome: Outcome): Promise<void> {
    this.applyToAccount(record.accountId, outcome.account);
    // The account is stopped and the user told at once, whatever becomes of the write.
    if (outcome.account.kind === 'needs_attention' && outcome.notice) this.notice(outcome);
    const { next } = outcome;
    switch (next.kind) {
      case 'sent':
        await this.finishSent(next.record);
        break;
      case 'save_unless_set_aside':
        // Bytes that are gone for good set the message aside, with a notice from the store.
        if (await this.deps.store.recheck(record.id)) return;
        await this.deps.queue.save(next.record);
        break;
      case 'save':
        await this.deps.queue.save(next.record);
        break;
      case 'set_aside':
        await this.deps.store.setAside(record.id, next.reason);
        break;
      default: {
        const unreachable: never = next;
        throw new Error(`unknown next state ${JSON.stringify(unreachable)}`);
      }
    }
    if (outcome.account.kind !== 'needs_attention') this.notice(outcome);
  }

  private notice(outcome: Outcome): void {
    if (outcome.notice) this.deps.notify(outcome.notice);
  }

  private applyToAccount(accountId: string, effect: AccountEffect): void {
    const { connectivity, throttle } = this.deps;
    switch (effect.kind) {
      case 'none':
        return;
      case 'reachable':
        connectivity.reportReachable();
        throttle.unblock(accountId);
        return;
      case 'offline':
        connectivity.reportOffline();
        return;
      case 'blocked':
        throttle.block(accountId, {
          since: this.deps.clock.now(),
          until: effect.until,
          blocks: effect.blocks,
        });
        return;
      case 'needs_attention':
        this.deps.accounts.setAttention(accountId, effect.error);
        this.agent?.reset(accountId);
        return;
      default: {
        const unreachable: never = effect;
        throw new Error(`unknown account effect ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private holdUnsaved(current: QueueRecord): void {
    const { clock, store, queue } = this.deps;
    const { record, until } = outcomeUnsaved(current, store.handovers().get(current.id), {
      now: clock.now(),
      random: () => clock.random(),
    });
    queue.holdUnsaved(current, record, until);
  }
}
