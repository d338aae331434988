import path from 'node:path';
import { createAccountsHandlers } from '../accounts/accounts-handlers.ts';
import { createDraftHandlers } from '../drafts/draft-handlers.ts';
import { NO_DEFAULT_MAIL_APP, type DefaultMailAppPort } from '../desktop/default-mail-app.ts';
import { createDesktopHandlers } from '../desktop/desktop-handlers.ts';
import { createDraftStore } from '../drafts/draft-store.ts';
import type { Platform } from '../core/ports.ts';
import { withOsIntegration } from '../desktop/desktop-settings.ts';
import type { OsIntegration } from '../desktop/os-integration.ts';
import type { OutboxService } from '../outbox/outbox-service.ts';
import type { AppSettingsService } from '../settings/app-settings.ts';
import type { ComposeRequest, HandoffSource } from '../handoff/compose-request.ts';
import { createHandoff } from '../handoff/launch-request.ts';
import { PageRequests } from '../desktop/page-requests.ts';
import { RequestsFolderWatcher } from '../handoff/requests-folder-watcher.ts';
import type { CallHandlers } from '../ipc/ipc-router.ts';
import { statFiles } from '../files/file-info.ts';
import { createOutboxHandlers } from '../outbox/outbox-handlers.ts';
import { queuePaths } from '../outbox/store/queue-paths.ts';
import { removeEditCopiesExcept } from '../outbox/message/stored-draft.ts';
import { createBridgeLimits, type BridgeLimitsOptions } from '../security/bridge-limits.ts';
import { createChosenFiles } from '../security/chosen-files.ts';
import { createSentHandlers } from '../sent/sent-handlers.ts';
import { createSettingsHandlers } from '../settings/settings-handlers.ts';
import { buildCore, type BuildCoreOptions } from './build-core.ts';

export interface CoreOptions extends BuildCoreOptions {
  /** The app's platform: the native dialog and its version too. */
  readonly platform: Platform;
  /** What the window may ask for in a given time; BRIDGE_LIMITS on the system clock when absent. */
  readonly bridgeLimits?: BridgeLimitsOptions;
  /** Start at login and the delivery timer: the settings apply through it; saved only when absent. */
  readonly osIntegration?: OsIntegration;
  /** "Make Outbox the default mail app" for this OS (main/shell picks it); none when absent. */
  readonly defaultMailApp?: DefaultMailAppPort;
  /** Shows the window, made again if it was closed: a draft another program handed over opens in it. */
  readonly revealWindow?: () => void;
}

export interface Core {
  /** One handler per contract call, for the IPC router. */
  readonly handlers: CallHandlers;
  start(): Promise<void>;
  /** Lets deliveries in flight finish or park safely. */
  stop(): Promise<void>;
  /** After sleep: sockets may be half-open and timers late. */
  resumed(): void;
  /** What the tray and Quit read and do (main/shell/tray.ts). */
  readonly desktop: {
    readonly outbox: Pick<OutboxService, 'summary' | 'rows' | 'setSendingPaused' | 'isSendingPaused'>;
    readonly settings: Pick<AppSettingsService, 'get' | 'onChanged'>;
    /** Whether the network works, as `app:getStatus` says. */
    online(): boolean;
  };
  /** Asks the page to open a screen or draft once it listens (main/desktop/page-requests.ts). */
  readonly page: Pick<PageRequests, 'request' | 'pageLeft'>;
  /** A mailto: URL or compose request the app was launched with (main/handoff/launch-request.ts). */
  handleLaunchRequest(request: ComposeRequest, source: HandoffSource): Promise<void>;
}

/** The app's core without Electron: the shared wiring (build-core.ts) plus drafts, chosen files and IPC handlers. */
export function createCore(options: CoreOptions): Promise<Core> {
  const { dataDir, platform, log } = options;
  const { settings, accounts, outbox } = buildCore(options);
  const drafts = createDraftStore(path.join(dataDir, 'drafts'), log);
  // Main reads a file for the renderer only if the user chose it: picked, dropped or held by main.
  const chosen = createChosenFiles();
  // Only the window's calls are limited: the CLI calls the core directly.
  const limits = createBridgeLimits(options.bridgeLimits);
  const choose = async (paths: readonly string[]) => {
    await chosen.grant(paths);
    return statFiles(paths);
  };

  // Opening a screen or a draft waits until the page listens: a window still loading hears nothing.
  const page = new PageRequests(options.emit);
  // Drafts other programs hand over: launch arguments, and `outbox compose` through requests/.
  const handoff = createHandoff({
    drafts,
    edits: queuePaths(dataDir).edits,
    chosen,
    emit: page.sink(),
    log,
    ...(options.revealWindow ? { revealWindow: options.revealWindow } : {}),
  });
  const requests = new RequestsFolderWatcher(dataDir, (id) => handoff.openDraft(id), log);

  const handlers: CallHandlers = {
    ...createOutboxHandlers(outbox, chosen, drafts, log, limits.enqueue),
    ...createSentHandlers(outbox.sent, (count) => outbox.service.newest(count)),
    ...createAccountsHandlers(accounts.service, (url) => platform.openExternal(url), limits),
    ...createDraftHandlers(drafts, chosen, limits.drafts),
    ...createSettingsHandlers(
      options.osIntegration ? withOsIntegration(settings, options.osIntegration) : settings,
    ),
    ...createDesktopHandlers(options.defaultMailApp ?? NO_DEFAULT_MAIL_APP),
    'files:pick': async () => choose(await platform.pickFiles()),
    // Sent by the preload only, with the paths Electron gives the dropped File objects.
    'files:dropped': ({ paths }) => choose(paths),
    'app:ready': () => {
      page.pageReady();
      return null;
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
      // Without it the app still works: `outbox compose` drafts are then found in Drafts.
      await requests.start().catch((error: unknown) => {
        log.warn('Watching for drafts other programs hand over failed', { error });
      });
    },
    stop: () => {
      requests.stop();
      return outbox.stop();
    },
    resumed: () => {
      outbox.service.wake();
    },
    desktop: { outbox: outbox.service, settings, online: () => outbox.status.status().online },
    page,
    handleLaunchRequest: (request, source) => handoff.handleLaunchRequest(request, source),
  });
}
