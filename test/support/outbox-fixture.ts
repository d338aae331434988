import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import type { EventName, EventPayload } from '../../preload/contract/channels.ts';
import type { AppSettings } from '../../preload/contract/settings.ts';
import type { AccountsPort, SettingsStore } from '../../main/core/ports.ts';
import { silentLogger } from '../../main/errors/logger.ts';
import type { FileSystemSeam } from '../../main/files/atomic-file.ts';
import type { Clock } from '../../main/core/clock.ts';
import { createOutbox, type Outbox } from '../../main/outbox/create-outbox.ts';
import { createAppSettings, type AppSettingsService } from '../../main/settings/app-settings.ts';
import type { SmtpEndpoint } from '../../main/smtp/smtp-endpoint.ts';
import type { Timeouts } from '../../main/smtp/transport-options.ts';

export const FAST_TIMEOUTS: Timeouts = { connectionMs: 2_000, greetingMs: 2_000, socketMs: 2_000 };

export interface RecordedEvent {
  readonly event: EventName;
  readonly payload: unknown;
}

export interface TestOutbox {
  readonly outbox: Outbox;
  readonly dataDir: string;
  readonly settings: AppSettingsService;
  readonly events: RecordedEvent[];
  readonly notifications: { title: string; body: string }[];
  /** What the platform's `isOnline()` says; tests flip it. */
  online: boolean;
  payloads<E extends EventName>(event: E): EventPayload<E>[];
  stop(): Promise<void>;
}

export async function makeDataDir(): Promise<string> {
  return fsp.mkdtemp(path.join(tmpdir(), 'outbox-test-'));
}

export function plainEndpoint(port: number, extra: Partial<SmtpEndpoint> = {}): SmtpEndpoint {
  return { host: '127.0.0.1', port, security: 'none', auth: { kind: 'none' }, ...extra };
}

/** The real outbox (createOutbox) on a temp data folder with `conf` settings, started. */
export async function startTestOutbox(options: {
  accounts: AccountsPort;
  settings?: Partial<AppSettings>;
  clock?: Clock;
  dataDir?: string;
  fs?: FileSystemSeam;
  timeouts?: Timeouts;
  start?: boolean;
  /** Told each time a record is read back from the log. */
  onRecordRead?: () => void;
}): Promise<TestOutbox> {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const store: SettingsStore = new Conf({ cwd: dataDir, projectName: 'outbox-test', configName: 'config' });
  const settings = createAppSettings(store);
  settings.update({ undoSeconds: 0, ...options.settings });
  const events: RecordedEvent[] = [];
  const fixture: TestOutbox = {
    dataDir,
    settings,
    events,
    notifications: [],
    online: true,
    payloads: <E extends EventName>(event: E) =>
      events.filter((e) => e.event === event).map((e) => e.payload as EventPayload<E>),
    outbox: createOutbox({
      dataDir,
      accounts: options.accounts,
      settings,
      platform: {
        isOnline: () => fixture.online,
        notify: (title, body) => fixture.notifications.push({ title, body }),
      },
      emit: (event, payload) => events.push({ event, payload }),
      log: silentLogger,
      timeouts: options.timeouts ?? FAST_TIMEOUTS,
      version: '0.0.0-test',
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.fs ? { fs: options.fs } : {}),
      ...(options.onRecordRead ? { onRecordRead: options.onRecordRead } : {}),
    }),
    stop: () => fixture.outbox.stop(),
  };
  if (options.start !== false) await fixture.outbox.start();
  return fixture;
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > end) throw new Error('waitFor timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
