import type { Clock } from '../core/clock.ts';
import type { AccountsPort, EventSink, Platform } from '../core/ports.ts';
import type { Logger } from '../errors/logger.ts';
import { SentHistory } from '../sent/sent-history.ts';
import type { SentLog } from '../sent/sent-log.ts';
import type { AppSettingsService } from '../settings/app-settings.ts';
import { AppStatusSource } from './app-status.ts';
import { AccountMoves } from './delivery/account-moves.ts';
import { AccountThrottle } from './delivery/account-throttle.ts';
import { AttemptRunner } from './delivery/attempt-runner.ts';
import type { Connectivity } from './delivery/connectivity.ts';
import type { DeliveryAgent } from './delivery/delivery-agent.ts';
import { InFlight } from './delivery/in-flight.ts';
import { Notifier } from './delivery/notifier.ts';
import { Scheduler } from './delivery/scheduler.ts';
import { SendingPause } from './delivery/sending-pause.ts';
import { LiveQueue } from './live-queue.ts';
import { OutboxFacade, type OutboxService } from './outbox-service.ts';
import type { QueueStore } from './store/queue-store.ts';

/** What the engine is built from; delivery joins in `startDelivering` once this process holds the lock. */
export interface OutboxEngineDeps {
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
  /** What was sent, and the contacts it knows: beside the queue, not part of it. */
  readonly sent: SentHistory;
  /** `app:getStatus`: the network and the version. */
  readonly status: AppStatusSource;
  /** Loads the queue from disk, recovers what a crash left (hand-overs without an outcome), and delivers. */
  startDelivering(agent: DeliveryAgent): Promise<void>;
  /** Picks up what other processes wrote or removed. */
  refresh(ids?: readonly string[]): Promise<void>;
  /** Stops feeding new attempts and waits for those in flight to be recorded. */
  stop(): Promise<void>;
}

interface EngineParts {
  readonly queue: LiveQueue;
  readonly inFlight: InFlight;
  readonly throttle: AccountThrottle;
  readonly sentHistory: SentHistory;
  readonly appStatus: AppStatusSource;
  readonly runner: AttemptRunner;
  readonly scheduler: Scheduler;
  readonly service: OutboxFacade;
  readonly notifier: Notifier;
}

/** Builds the outbox's parts and wires them to each other. */
function buildParts(deps: OutboxEngineDeps): EngineParts {
  const { store, sentLog, accounts, settings, connectivity, clock } = deps;
  const inFlight = new InFlight();
  const queue = new LiveQueue({ store, accounts, inFlight, emit: deps.emit, clock });
  const throttle = new AccountThrottle((accountId) => accounts.find(accountId)?.ratePerHour);
  const sentHistory = new SentHistory({ sentLog, settings, clock, log: deps.log });
  // Before any other listener: the status event goes out first when the network comes back.
  const appStatus = new AppStatusSource(connectivity, deps.version, deps.emit);
  const wake = () => {
    scheduler.wake();
  };
  const notifier = new Notifier({
    clock,
    wanted: () => settings.get().notifications,
    show: ({ title, body }) => {
      deps.platform.notify(title, body);
    },
  });
  const runner = new AttemptRunner({
    store,
    queue,
    inFlight,
    throttle,
    accounts,
    connectivity,
    settings,
    sentHistory,
    clock,
    log: deps.log,
    notify: (notice) => {
      notifier.notify(notice);
    },
    wake,
  });
  const moves = new AccountMoves({ accounts, store, queue, inFlight, onMoved: wake });
  const pause = new SendingPause();
  const scheduler = new Scheduler({
    clock,
    connectivity,
    due: queue.due,
    inFlight,
    throttle,
    accountOpen: (accountId) => {
      const account = accounts.find(accountId);
      if (pause.paused || account === undefined) return false;
      return !account.paused && !account.attention && !moves.isMoving(accountId);
    },
    start: (id) => {
      const record = queue.get(id);
      if (record) runner.start(record);
    },
  });
  const service = new OutboxFacade({
    store,
    queue,
    inFlight,
    accounts,
    settings,
    connectivity,
    clock,
    scheduler,
    runner,
    throttle,
    moves,
    pause,
    sent: sentHistory,
  });
  return { queue, inFlight, throttle, sentHistory, appStatus, runner, scheduler, service, notifier };
}

/** Account edits and the network coming back make waiting messages due again, on fresh sessions. */
function followChanges(deps: OutboxEngineDeps, parts: EngineParts): void {
  const { queue, throttle, runner, scheduler } = parts;
  deps.connectivity.onChange((online) => {
    if (!online) return;
    // Back online: pooled sockets may be half-open, and waiting messages go now, not at their backoff.
    runner.resetSessions();
    throttle.unblock();
    const now = new Date(deps.clock.now()).toISOString();
    for (const entry of queue.all()) if (entry.state === 'deferred') queue.dueNow(entry.id, now);
    scheduler.wake();
  });
  deps.accounts.onChanged((accountId, change) => {
    // The user's edit is their answer to what held the account: its mail is tried again.
    if (change === 'edited') {
      runner.resetSessions(accountId);
      throttle.unblock(accountId);
    }
    for (const entry of queue.all()) if (entry.accountId === accountId) queue.touch(entry.id);
    scheduler.wake();
  });
}

class Engine implements OutboxEngine {
  readonly service: OutboxService;
  readonly sent: SentHistory;
  readonly status: AppStatusSource;
  private readonly deps: OutboxEngineDeps;
  private readonly parts: EngineParts;

  constructor(deps: OutboxEngineDeps, parts: EngineParts) {
    this.deps = deps;
    this.parts = parts;
    this.service = parts.service;
    this.sent = parts.sentHistory;
    this.status = parts.appStatus;
  }

  async startDelivering(agent: DeliveryAgent): Promise<void> {
    const { store, sentLog } = this.deps;
    const { queue, runner, sentHistory, scheduler } = this.parts;
    await store.sync();
    for (const id of store.ids()) queue.adopt(id);
    // Only a message handed over in an attempt whose outcome is not in the log needs a look.
    for (const [id, mark] of store.handovers()) {
      const logged = store.get(id);
      if (!logged) continue;
      const recovered = await runner.recover(logged, mark);
      if (recovered) queue.adopt(id);
      else queue.forget(id);
    }
    await sentLog.restore(store.sentRemovals());
    await sentHistory.startPruning();
    queue.startAnnouncing();
    queue.scheduleAll();
    runner.use(agent);
    scheduler.deliver();
  }

  async refresh(ids?: readonly string[]): Promise<void> {
    const { store } = this.deps;
    const { queue, inFlight, scheduler } = this.parts;
    if (ids === undefined) await store.sync();
    const known = ids ?? [...new Set([...queue.ids(), ...store.ids()])];
    for (const id of known) if (!inFlight.has(id)) queue.adopt(id);
    if (ids === undefined) queue.startAnnouncing();
    scheduler.wake();
  }

  async stop(): Promise<void> {
    const { queue, inFlight, sentHistory, scheduler, notifier } = this.parts;
    scheduler.stop();
    sentHistory.stopPruning();
    await inFlight.settled();
    // What a burst still held is told now, not lost with the process.
    notifier.flush();
    await this.deps.store.close();
    await this.deps.sentLog.close();
    queue.feed.flush();
    scheduler.releaseWaiters();
  }
}

export function createOutboxEngine(deps: OutboxEngineDeps): OutboxEngine {
  const parts = buildParts(deps);
  followChanges(deps, parts);
  return new Engine(deps, parts);
}
