import { PassThrough } from 'node:stream';
import { osKeychain } from '../../main/accounts/os-keychain.ts';
import { buildCore } from '../../main/app/build-core.ts';
import { openCore } from '../../main/cli/cli-core.ts';
import { openSettings } from '../../main/cli/data-location.ts';
import { describeFailure } from '../../main/cli/exit-codes.ts';
import type { EventSink } from '../../main/core/ports.ts';
import type { Logger } from '../../main/errors/logger.ts';
import type { Outbox } from '../../main/outbox/create-outbox.ts';
import type { ReceivedMessage, TestServer } from './smtp-test-server.ts';

/** Something the user was told: a warning or error logged, an `app:noticed` event, a notification. */
export interface Notice {
  readonly via: 'log' | 'event' | 'notification';
  readonly text: string;
  /** The `id` field a log line carries (the quarantine notice's message id). */
  readonly id?: string;
}

interface Observed {
  readonly notices: readonly Notice[];
  /** Errors nothing caught (thrown in a timer or a rejected promise nobody awaited): a crash in the CLI or app. */
  readonly uncaught: readonly string[];
  /** What the peer received while the core ran. */
  readonly deliveries: readonly ReceivedMessage[];
}

/** How one run of the core on a data folder ended. */
export type CoreRun =
  | (Observed & {
      readonly kind: 'ran';
      /** Ids the queue still lists. */
      readonly queued: ReadonlySet<string>;
      /** Ids of the messages the queue lists as set aside, where it can list them. */
      readonly setAside: ReadonlySet<string>;
    })
  /** Opening or flushing threw: the CLI would print `message` and exit with `exitCode`. */
  | (Observed & { readonly kind: 'threw'; readonly exitCode: number; readonly message: string })
  /** A step did not finish within its deadline. */
  | (Observed & { readonly kind: 'hang'; readonly step: string });

export interface CoreRunOptions {
  /** False: only read the queue (as `outbox queue list` does), nothing is sent. */
  readonly deliver: boolean;
  /** Each step (start, flush, stop) gets this long before the run counts as a hang. */
  readonly stepMs: number;
}

class Deadline extends Error {
  readonly step: string;

  constructor(step: string) {
    super(`${step} did not finish`);
    this.step = step;
  }
}

function within<T>(step: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new Deadline(step));
    }, ms);
  });
  return Promise.race([work, late]).finally(() => {
    clearTimeout(timer);
  });
}

async function setAsideIds(outbox: Outbox): Promise<Set<string>> {
  const items = await outbox.service.setAsideItems();
  return new Set(items.flatMap((item) => (item.id ? [item.id] : [])));
}

function recorders(notices: Notice[]): {
  log: Logger;
  emit: EventSink;
  notify: (t: string, b: string) => void;
} {
  const logged = (message: string, details?: Record<string, unknown>) => {
    const id = typeof details?.id === 'string' ? details.id : undefined;
    notices.push({ via: 'log', text: `${message} ${JSON.stringify(details ?? {})}`, ...(id ? { id } : {}) });
  };
  return {
    log: { info: () => undefined, warn: logged, error: logged },
    emit: (event, payload) => {
      if (event === 'app:noticed') notices.push({ via: 'event', text: JSON.stringify(payload) });
    },
    notify: (title, body) => notices.push({ via: 'notification', text: `${title}: ${body}` }),
  };
}

/**
 * Runs `task` with this process's uncaught errors recorded in `into` instead of reaching the test
 * runner's handlers, so that each is laid at the trial that caused it.
 */
async function catchingUncaught<T>(into: string[], task: () => Promise<T>): Promise<T> {
  const record = (error: unknown) => {
    into.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error));
  };
  const exceptions = process.listeners('uncaughtException');
  const rejections = process.listeners('unhandledRejection');
  process.removeAllListeners('uncaughtException').on('uncaughtException', record);
  process.removeAllListeners('unhandledRejection').on('unhandledRejection', record);
  try {
    return await task();
  } finally {
    // Errors thrown from an immediate scheduled by the run's last change still belong to it.
    await new Promise((resolve) => setImmediate(resolve));
    process.removeListener('uncaughtException', record).removeListener('unhandledRejection', record);
    for (const listener of exceptions) process.on('uncaughtException', listener);
    for (const listener of rejections) process.on('unhandledRejection', listener);
  }
}

/**
 * Opens the real core on `dataDir` as the CLI's `outbox queue flush` does (the CLI's own check of
 * the settings file first, then the shared wiring, app/build-core.ts), delivers everything due to
 * `server`, and reports what the user was told, what the queue still lists and what the peer got.
 */
export async function runCore(
  dataDir: string,
  server: TestServer,
  options: CoreRunOptions,
): Promise<CoreRun> {
  server.messages.splice(0);
  const notices: Notice[] = [];
  const uncaught: string[] = [];
  const observed = (): Observed => ({ notices, uncaught, deliveries: [...server.messages] });
  return catchingUncaught(uncaught, () => runCoreObserved(dataDir, options, notices, observed));
}

async function runCoreObserved(
  dataDir: string,
  options: CoreRunOptions,
  notices: Notice[],
  observed: () => Observed,
): Promise<CoreRun> {
  const { log, emit, notify } = recorders(notices);
  let outbox: Outbox | undefined;
  try {
    // Throws the CLI's configuration error (exit 78) when the settings file cannot be read.
    openCore({
      stdin: new PassThrough(),
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      env: { OUTBOX_HOME: dataDir },
    });
    outbox = buildCore({
      dataDir,
      store: openSettings(dataDir),
      keychain: osKeychain,
      platform: { isOnline: () => true, notify },
      emit,
      log,
      settingsOverrides: { undoSeconds: 0, notifications: false },
    }).outbox;
    if (options.deliver) {
      await within('start', options.stepMs, outbox.start());
      await within('flush', options.stepMs, outbox.service.flush());
    } else {
      await within('open', options.stepMs, outbox.open());
    }
    const queued = new Set(outbox.service.list().map((item) => item.id));
    const setAside = await setAsideIds(outbox);
    const running = outbox;
    outbox = undefined;
    await within('stop', options.stepMs, running.stop());
    return { kind: 'ran', queued, setAside, ...observed() };
  } catch (error) {
    if (error instanceof Deadline) return { kind: 'hang', step: error.step, ...observed() };
    const { message, exitCode } = describeFailure(error);
    return { kind: 'threw', exitCode, message, ...observed() };
  } finally {
    if (outbox) await within('stop', options.stepMs, outbox.stop()).catch(() => undefined);
  }
}
