import fs from 'node:fs';
import type { QueueItem } from '../../preload/contract/outbox.ts';
import type { AccountsPort, EventSink, Platform } from '../core/ports.ts';
import type { Logger } from '../errors/logger.ts';
import type { AppSettingsService } from '../settings/app-settings.ts';
import type { Timeouts } from '../smtp/transport-options.ts';
import { nodeFileSystem, type FileSystemSeam } from '../files/atomic-file.ts';
import { systemClock, type Clock } from '../core/clock.ts';
import { createConnectivity } from './delivery/connectivity.ts';
import { tryAcquireDelivererLock, type DelivererLock } from './delivery/deliverer-lock.ts';
import { createDeliveryAgent, type DeliveryAgent } from './delivery/delivery-agent.ts';
import { enqueueRaw, type RawMessageInput } from './message/enqueue-raw.ts';
import { createOutboxEngine } from './outbox-engine.ts';
import type { OutboxService } from './outbox-service.ts';
import { queuePaths } from './store/queue-paths.ts';
import { toQueueItem } from './store/queue-record.ts';
import { createQueueStore } from './store/queue-store.ts';
import { SEGMENT_FILE } from './store/segment-writer.ts';
import { createSentLog } from '../sent/sent-log.ts';

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
}

export interface Outbox {
  readonly service: OutboxService;
  /** Takes the deliverer lock if free and delivers; otherwise only enqueues and watches the queue folder. */
  start(): Promise<void>;
  /** Reads the queue without taking the deliverer lock or watching: a short-lived producer (the CLI). */
  open(): Promise<void>;
  /** Queues a message rendered elsewhere (sendmail's stdin); its bytes go out verbatim. */
  enqueueRaw(input: RawMessageInput): Promise<QueueItem>;
  /** Whether this process is the one delivering. */
  isDeliverer(): boolean;
  /** Lets attempts in flight finish and be recorded, then releases the lock. */
  stop(): Promise<void>;
}

/**
 * The outbox without Electron: the app, the tests and the command-line tool all build it here.
 * Any number of processes may enqueue into the same data folder; one delivers.
 */
export function createOutbox(options: OutboxOptions): Outbox {
  const { log, emit } = options;
  const clock = options.clock ?? systemClock;
  const paths = queuePaths(options.dataDir);
  const sentLog = createSentLog(paths.sent);
  const store = createQueueStore(paths, {
    fs: options.fs ?? nodeFileSystem,
    beforeReclaim: (sent) => sentLog.restore(sent),
    // Whoever reads it (the folder watcher, a compaction, a reload), the engine hears of it.
    onChange: (ids) => {
      engine.refresh(ids).catch((error: unknown) => {
        log.error('Taking in queue changes failed', { error });
      });
    },
    onQuarantine: ({ id, reason }) => {
      log.warn('Queue data set aside', { id, reason, folder: paths.quarantine });
      emit('app:noticed', {
        level: 'warning',
        message: id
          ? `A queued message could not be read (${reason}) and was moved to ${paths.quarantine}.`
          : `Part of the queue was damaged (${reason}) and was moved to ${paths.quarantine}; the rest is unaffected.`,
      });
    },
  });
  const connectivity = createConnectivity({ clock, isOnline: () => options.platform.isOnline() });
  const engine = createOutboxEngine({
    store,
    sentLog,
    accounts: options.accounts,
    settings: options.settings,
    connectivity,
    platform: options.platform,
    emit,
    log,
    clock,
    version: options.version ?? '',
  });

  let lock: DelivererLock | undefined;
  let agent: DeliveryAgent | undefined;
  let watcher: fs.FSWatcher | undefined;
  let pollTimer: NodeJS.Timeout | undefined;
  let refreshTimer: NodeJS.Timeout | undefined;

  async function becomeDeliverer(): Promise<boolean> {
    lock = await tryAcquireDelivererLock(paths.lock);
    if (!lock) return false;
    agent = createDeliveryAgent({
      accounts: options.accounts,
      store,
      ...(options.timeouts ? { timeouts: options.timeouts } : {}),
    });
    await engine.startDelivering(agent);
    // What earlier runs left (their segments, anything damaged) is reclaimed before it piles up.
    await store.compact();
    log.info('Delivering from this process', { dataDir: options.dataDir });
    return true;
  }

  function onFolderEvent(filename: string | null): void {
    // This process's own appends are applied as they are written.
    if (!filename || !SEGMENT_FILE.test(filename) || store.ownsSegment(filename)) return;
    refreshTimer ??= setTimeout(() => {
      refreshTimer = undefined;
      store.sync().catch((error: unknown) => {
        log.error('Reading queue changes failed', { error });
      });
    }, 50);
  }

  /** The deliverer reclaims finished segments; any other process looks again and tries to take over. */
  async function tick(): Promise<void> {
    if (lock || (await becomeDeliverer())) await store.compact();
    else await engine.refresh();
  }

  return {
    service: engine.service,
    isDeliverer: () => lock !== undefined,
    async open() {
      await store.init();
      await engine.refresh();
    },
    async enqueueRaw(input) {
      const record = await enqueueRaw(input, { accounts: options.accounts, store, now: clock.now() });
      await engine.refresh([record.id]);
      return toQueueItem(record);
    },
    async start() {
      await store.init();
      // File times are the wall clock's, whatever clock the outbox runs on.
      await store.removeOrphans(ORPHAN_AGE_MS, Date.now());
      connectivity.start();
      watcher = fs.watch(paths.queue, (_event, filename) => {
        onFolderEvent(filename);
      });
      watcher.on('error', (error) => {
        log.warn('Watching the queue folder failed', { error });
      });
      if (!(await becomeDeliverer())) {
        await engine.refresh();
        log.info('Another process delivers; this one only enqueues', { dataDir: options.dataDir });
      }
      let ticking = false;
      pollTimer = setInterval(() => {
        // A slow tick (a long compaction) is not overlapped by the next one.
        if (ticking) return;
        ticking = true;
        tick()
          .catch((error: unknown) => {
            log.error('Polling the queue failed', { error });
          })
          .finally(() => (ticking = false));
      }, TICK_MS);
      pollTimer.unref();
    },
    async stop() {
      clearInterval(pollTimer);
      clearTimeout(refreshTimer);
      watcher?.close();
      connectivity.stop();
      await engine.stop();
      agent?.close();
      await lock?.release();
      lock = undefined;
    },
  };
}
