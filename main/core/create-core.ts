import path from 'node:path';
import { createAccounts } from '../accounts/create-accounts.ts';
import { createDraftHandlers } from '../drafts/draft-handlers.ts';
import { createDraftStore } from '../drafts/draft-store.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../errors/logger.ts';
import type { CallHandlers } from '../ipc/ipc-router.ts';
import { createOutbox } from '../outbox/create-outbox.ts';
import { statFiles } from '../files/file-info.ts';
import { createOutboxHandlers } from '../outbox/outbox-handlers.ts';
import { queuePaths } from '../outbox/store/queue-paths.ts';
import { removeEditCopiesExcept } from '../outbox/message/stored-draft.ts';
import { createChosenFiles } from '../security/chosen-files.ts';
import { createAppSettings } from '../settings/app-settings.ts';
import { createSettingsHandlers } from '../settings/settings-handlers.ts';
import type { EventSink, Keychain, Platform, SettingsStore } from './ports.ts';

export interface CoreOptions {
  /** The app's data folder: queue, sent log and drafts live below it. */
  readonly dataDir: string;
  /** electron-store in the app; `conf` on the same file in tests and the CLI. */
  readonly store: SettingsStore;
  readonly keychain: Keychain;
  readonly platform: Platform;
  readonly emit: EventSink;
  readonly log: Logger;
  /** DNS servers for the sender-domain check; the system's when absent. */
  readonly dnsServers?: readonly string[];
}

export interface Core {
  /** One handler per contract call, for the IPC router. */
  readonly handlers: CallHandlers;
  start(): Promise<void>;
  /** Lets deliveries in flight finish or park safely. */
  stop(): Promise<void>;
  /** After sleep: sockets may be half-open and timers late. */
  resumed(): void;
}

/** The composition root: builds every area of main without Electron and joins them. */
export function createCore(options: CoreOptions): Promise<Core> {
  const { dataDir, store, keychain, platform, emit, log } = options;
  const settings = createAppSettings(store);
  const accounts = createAccounts({
    store,
    keychain,
    // The outbox is built next; account deletion asks it for the queue only later, at run time.
    queue: () => outbox.service,
    emit,
    log,
    ...(options.dnsServers ? { dnsServers: options.dnsServers } : {}),
  });
  const outbox = createOutbox({
    dataDir,
    accounts: accounts.service,
    settings,
    platform,
    emit,
    log,
    version: platform.version,
  });
  const drafts = createDraftStore(path.join(dataDir, 'drafts'), log);
  // Main reads a file for the renderer only if the user chose it: picked, dropped or held by main.
  const chosen = createChosenFiles();
  const outboxHandlers = createOutboxHandlers(outbox.service, chosen);
  const choose = async (paths: readonly string[]) => {
    await chosen.grant(paths);
    return statFiles(paths);
  };

  const handlers: CallHandlers = {
    ...outboxHandlers,
    ...accounts.handlers,
    ...createDraftHandlers(drafts, chosen),
    ...createSettingsHandlers(settings),
    'files:pick': async () => choose(await platform.pickFiles()),
    // Sent by the preload only, with the paths Electron gives the dropped File objects.
    'files:dropped': ({ paths }) => choose(paths),
    'outbox:enqueue': async (request) => {
      const queued = await outboxHandlers['outbox:enqueue'](request);
      // The draft it was written in is done with once the message is safely queued.
      if (request.draftId) {
        await drafts.remove(request.draftId).catch((error: unknown) => {
          if (!(error instanceof AppError && error.code === 'not_found')) {
            log.warn('Removing the sent draft failed', { error });
          }
        });
      }
      return queued;
    },
  };
  return Promise.resolve({
    handlers,
    async start() {
      await outbox.start();
      // A fresh start has no compose open but those saved as drafts: any other edit's copies
      // belong to a compose that was discarded or lost, and are copies of possibly private files.
      const sweep = async () => {
        const saved = await drafts.list();
        const held = saved.flatMap((draft) => draft.content.attachments.map((ref) => ref.path));
        await removeEditCopiesExcept(queuePaths(dataDir).edits, held);
      };
      await sweep().catch((error: unknown) => {
        log.warn('Removing unused edit copies failed', { error });
      });
    },
    stop: () => outbox.stop(),
    resumed: () => {
      outbox.service.wake();
    },
  });
}
