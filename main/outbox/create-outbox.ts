import type { QueueItem } from '../../preload/contract/outbox.ts';
import type { AccountsPort, EventSink, Platform } from '../core/ports.ts';
import { withSmallYoungGeneration } from '../core/young-generation.ts';
import type { Logger } from '../errors/logger.ts';
import type { AppSettingsService } from '../settings/app-settings.ts';
import type { Timeouts } from '../smtp/transport-options.ts';
import type { FileSystemSeam } from '../files/atomic-file.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { createConnectivity, type Connectivity } from './delivery/connectivity.ts';
import {
  tryAcquireDelivererLock,
  type DelivererLock,
  type DelivererRole,
} from './delivery/deliverer-lock.ts';
import { createDeliveryAgent, type DeliveryAgent } from './delivery/delivery-agent.ts';
import { enqueueRaw, type RawMessageInput } from './message/enqueue-raw.ts';
import { createOutboxEngine, type OutboxEngine } from './outbox-engine.ts';
import type { OutboxService } from './outbox-service.ts';
import { queuePaths, type QueuePaths } from './store/queue-paths.ts';
import { toQueueItem } from './store/queue-record.ts';
import type { QueueStore } from './store/queue-store.ts';
import { openQueueStore } from './open-queue-store.ts';
import { QueueFolderWatcher } from './queue-folder-watcher.ts';
import type { SentHistory } from '../sent/sent-history.ts';
import { createSentLog } from '../sent/sent-log.ts';
import type { AppStatusSource } from './app-status.ts';

/** How often a producer-only process re-reads the queue and tries to become the deliverer. */
const TICK_MS = 2_000;
/** Message files older than this that no state refers to belong to a producer that died mid-enqueue. */
const ORPHAN_AGE_MS = 3_600_000;

export interface OutboxOptions {
  readonly dataDir: string;
  readonly accounts: AccountsPort;
  readonly settings: AppSettingsService;
  readonly platform: Pick<Platform, 'isOnline' | 'notify'>;
  readonly emit: EventSink;
  readonly log: Logger;
  readonly clock?: Clock;
  /** The app's version for `app:getStatus`. */
  readonly version?: string;
  /** SMTP timeouts; tests shorten them. */
  readonly timeouts?: Timeouts;
  /** Where durable writes go through; tests use it to fill the disk. */
  readonly fs?: FileSystemSeam;
  /** What the deliverer lock says this process is, for others that find it taken (default: the app). */
  readonly delivererRole?: DelivererRole;
  /** Told each time a record is read back from the log (tests count them). */
  readonly onRecordRead?: () => void;
}

export interface Outbox {
  readonly service: OutboxService;
  /** The sent log and the contacts it knows. */
  readonly sent: SentHistory;
  /** The network and the version, for `app:getStatus`. */
  readonly status: AppStatusSource;
  /** Takes the deliverer lock if free and delivers; otherwise only enqueues and watches the queue folder. */
  start(): Promise<void>;
  /**
   * Settles once start() or open() has taken in the queue as first read. The live queue takes it in
   * without a change event per message, so a list asked for earlier (a window shown while the core
   * starts) waits for this rather than answer empty with nothing to follow.
   */
  readonly firstRead: Promise<void>;
  /** Reads the queue without taking the deliverer lock or watching: a short-lived producer (the CLI). */
  open(): Promise<void>;
  /** Queues a message rendered elsewhere (sendmail's stdin); its bytes go out verbatim. */
  enqueueRaw(input: RawMessageInput): Promise<QueueItem>;
  /** Whether this process is the one delivering. */
  isDeliverer(): boolean;
  /** Lets attempts in flight finish and be recorded, then releases the lock. */
  stop(): Promise<void>;
}

interface LocalOutboxDeps {
  readonly options: OutboxOptions;
  readonly paths: QueuePaths;
  readonly store: QueueStore;
  readonly engine: OutboxEngine;
  readonly connectivity: Connectivity;
  readonly clock: Clock;
}

/** One process's outbox: the deliverer if it holds the lock, otherwise a producer that watches. */
class LocalOutbox implements Outbox {
  readonly service: OutboxService;
  readonly sent: SentHistory;
  readonly status: AppStatusSource;
  private lock: DelivererLock | undefined;
  private agent: DeliveryAgent | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  /** The reclaim a start begins; stop() waits for it, so the store closes after its last copy. */
  private reclaiming: Promise<void> | undefined;
  private readonly watcher: QueueFolderWatcher;
  private readonly deps: LocalOutboxDeps;
  readonly firstRead: Promise<void>;
  private settleFirstRead: (error?: Error) => void = () => undefined;

  constructor(deps: LocalOutboxDeps) {
    this.deps = deps;
    this.service = deps.engine.service;
    this.sent = deps.engine.sent;
    this.status = deps.engine.status;
    this.watcher = new QueueFolderWatcher(deps.store, deps.options.log);
    this.firstRead = new Promise<void>((resolve, reject) => {
      this.settleFirstRead = (error) => {
        if (error === undefined) resolve();
        else reject(error);
      };
    });
    // A start that fails is reported by start() itself; no one need be waiting here.
    this.firstRead.catch(() => undefined);
  }

  /** Runs the first read, and tells those waiting on `firstRead` how it went. */
  private async reading(read: () => Promise<void>): Promise<void> {
    try {
      // What the first read keeps would grow V8's young generation to 128 MB (issue 17).
      await withSmallYoungGeneration(read);
      this.settleFirstRead();
    } catch (error) {
      this.settleFirstRead(error instanceof Error ? error : new Error('The queue could not be read.'));
      throw error;
    }
  }

  isDeliverer(): boolean {
    return this.lock !== undefined;
  }

  async open(): Promise<void> {
    await this.reading(async () => {
      await this.deps.store.init();
      await this.deps.engine.refresh();
    });
  }

  async enqueueRaw(input: RawMessageInput): Promise<QueueItem> {
    const { options, store, clock, engine } = this.deps;
    const record = await enqueueRaw(input, { accounts: options.accounts, store, now: clock.now() });
    await engine.refresh([record.id]);
    return toQueueItem(record);
  }

  async start(): Promise<void> {
    const { store, paths, connectivity, engine, options } = this.deps;
    await this.reading(async () => {
      await store.init();
      // File times are the wall clock's, whatever clock the outbox runs on.
      await store.removeOrphans(ORPHAN_AGE_MS, Date.now());
      connectivity.start();
      this.watcher.start(paths.queue);
      if (!(await this.becomeDeliverer())) {
        await engine.refresh();
        options.log.info('Another process delivers; this one only enqueues', { dataDir: options.dataDir });
      }
    });
    this.startPolling();
  }

  async stop(): Promise<void> {
    clearInterval(this.pollTimer);
    await this.reclaiming;
    this.watcher.stop();
    this.deps.connectivity.stop();
    await this.deps.engine.stop();
    this.agent?.close();
    await this.lock?.release();
    this.lock = undefined;
  }

  private async becomeDeliverer(): Promise<boolean> {
    const { options, paths, store, engine } = this.deps;
    this.lock = await tryAcquireDelivererLock(paths.lock, options.delivererRole ?? 'app');
    if (!this.lock) return false;
    this.agent = createDeliveryAgent({
      accounts: options.accounts,
      store,
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    });
    await engine.startDelivering(this.agent);
    // What earlier runs left (mostly dead segments, anything damaged) is reclaimed before it piles
    // up, beside delivery rather than before it: starting never waits for a rewrite.
    this.reclaiming = store.compact().catch((error: unknown) => {
      options.log.error('Reclaiming queue segments failed', { error });
    });
    options.log.info('Delivering from this process', { dataDir: options.dataDir });
    return true;
  }

  /**
   * On the wall clock, not the outbox's: other processes come and go in real time. The deliverer
   * reclaims finished segments; any other process looks again and tries to take over.
   */
  private startPolling(): void {
    let ticking = false;
    const tick = async () => {
      if (this.lock || (await this.becomeDeliverer())) await this.deps.store.compact();
      else await this.deps.engine.refresh();
    };
    this.pollTimer = setInterval(() => {
      // A slow tick (a long compaction) is not overlapped by the next one.
      if (ticking) return;
      ticking = true;
      tick()
        .catch((error: unknown) => {
          this.deps.options.log.error('Polling the queue failed', { error });
        })
        .finally(() => (ticking = false));
    }, TICK_MS);
    this.pollTimer.unref();
  }
}

/**
 * The outbox without Electron: the app, the tests and the command-line tool all build it here.
 * Any number of processes may enqueue into the same data folder; one delivers.
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const clock = options.clock ?? systemClock;
  const paths = queuePaths(options.dataDir);
  const sentLog = createSentLog(paths.sent);
  // Whoever reads it (the folder watcher, a compaction, a reload), the engine hears of it.
  const store = openQueueStore(options, paths, sentLog, (ids) => {
    engine.refresh(ids).catch((error: unknown) => {
      options.log.error('Taking in queue changes failed', { error });
    });
  });
  const connectivity = createConnectivity({ clock, isOnline: () => options.platform.isOnline() });
  const engine = createOutboxEngine({
    store,
    sentLog,
    accounts: options.accounts,
    settings: options.settings,
    connectivity,
    platform: options.platform,
    emit: options.emit,
    log: options.log,
    clock,
    version: options.version ?? '',
  });
  return new LocalOutbox({ options, paths, store, engine, connectivity, clock });
}
