import { app, dialog, powerMonitor, type BrowserWindow } from 'electron';
import type { EventName } from '../../preload/contract/channels.ts';
import type { Core } from '../app/create-core.ts';
import { showsTray, startsHidden, whenAllWindowsClosed } from '../desktop/background-policy.ts';
import { quitPrompt, type QuitChoice } from '../desktop/quit-prompt.ts';
import type { TrayCommand } from '../desktop/tray-status.ts';
import { trayView } from '../desktop/tray-status.ts';
import { toErrorInfo } from '../errors/app-error.ts';
import type { Logger } from '../errors/logger.ts';
import { openedAtLogin } from './login-item.ts';
import { AppTray } from './tray.ts';

/** Queue events come in bursts (a flush of 100,000): the tray is redrawn at most this often. */
const REFRESH_MS = 2_000;
/** Times in the tray ("next attempt at 14:05", "sending now") age: look again this often. */
const CLOCK_MS = 60_000;

export interface BackgroundOptions {
  /** build/tray in the source tree, resources/tray when packaged. */
  readonly iconDir: string;
  /** Brings the window back (creating it if it was closed). */
  readonly showWindow: () => void;
  readonly window: () => BrowserWindow | undefined;
  /** Asks the page to open compose (the tray's "New message"), as the app menu does; it waits for the page. */
  readonly compose: () => void;
  readonly log: Logger;
}

/**
 * Outbox with its window closed (issue 18 §2): the tray, the last window closing, and Quit with
 * mail waiting. The decisions are main/desktop's pure modules; this joins them to Electron.
 */
export class Background {
  /** Started at login: no window, only the tray. */
  readonly startHidden = startsHidden(process.argv, openedAtLogin());
  private readonly tray: AppTray;
  private readonly options: BackgroundOptions;
  private core: Core | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private clockTimer: NodeJS.Timeout | undefined;
  private quitting: 'no' | 'asking' | 'stopping' = 'no';
  /** The OS is shutting down or logging out: no question can be answered now. */
  private systemEnding = false;
  /** The user chose to keep running at Quit: the tray stays whatever the setting. */
  private keptRunning = false;

  constructor(options: BackgroundOptions) {
    this.options = options;
    this.tray = new AppTray(options.iconDir, (command) => {
      this.run(command);
    });
  }

  /** Takes over the last window closing and Quit, and shows the tray when it should be there. */
  install(core: Core): void {
    this.core = core;
    app.on('window-all-closed', () => {
      // Kept running at Quit: closing the window then is not a second Quit.
      const keep = core.desktop.settings.get().keepRunningInBackground || this.keptRunning;
      if (whenAllWindowsClosed(process.platform, keep) === 'quit') app.quit();
    });
    app.on('before-quit', (event) => {
      if (this.quitting === 'stopping') return;
      event.preventDefault();
      if (this.quitting === 'asking') return;
      this.quitting = 'asking';
      void this.confirmQuit().then((quit) => {
        if (quit) this.stop();
        else this.quitting = 'no';
      });
    });
    powerMonitor.on('shutdown', () => {
      this.systemEnding = true;
    });
    core.desktop.settings.onChanged(() => {
      this.refresh();
    });
    this.clockTimer = setInterval(() => {
      this.refresh();
    }, CLOCK_MS);
    this.refresh();
  }

  /** Every event the core emits passes here too: the queue or the network changed. */
  noticed(event: EventName): void {
    if (event !== 'outbox:changed' && event !== 'app:statusChanged') return;
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh();
    }, REFRESH_MS);
  }

  private refresh(): void {
    const { core } = this;
    if (!core) return;
    const keep = core.desktop.settings.get().keepRunningInBackground;
    if (!showsTray(keep || this.keptRunning, this.startHidden)) {
      this.tray.hide();
      return;
    }
    this.tray.show(
      trayView({
        summary: core.desktop.outbox.summary(),
        paused: core.desktop.outbox.isSendingPaused(),
        online: core.desktop.online(),
        now: Date.now(),
        locale: app.getSystemLocale(),
      }),
    );
  }

  private run(command: TrayCommand): void {
    switch (command) {
      case 'open':
        this.options.showWindow();
        break;
      case 'compose':
        this.openCompose();
        break;
      case 'pause':
      case 'resume':
        this.core?.desktop.outbox.setSendingPaused(command === 'pause');
        this.refresh();
        break;
      case 'quit':
        app.quit();
        break;
    }
  }

  /** A window made just now hears it once its page listens (main/desktop/page-requests.ts). */
  private openCompose(): void {
    this.options.showWindow();
    this.options.compose();
  }

  /** Whether to go on quitting: asks first when mail would go if Outbox kept running. */
  private async confirmQuit(): Promise<boolean> {
    const { core } = this;
    if (!core || this.systemEnding) return true;
    const prompt = quitPrompt({
      summary: core.desktop.outbox.summary(),
      online: core.desktop.online(),
      paused: core.desktop.outbox.isSendingPaused(),
      deliverWhileClosed: core.desktop.settings.get().deliverWhileClosed,
      now: Date.now(),
      locale: app.getSystemLocale(),
    });
    if (!prompt) return true;
    const options: Electron.MessageBoxOptions = {
      type: 'question',
      title: 'Quit Outbox',
      message: prompt.message,
      detail: prompt.detail,
      buttons: prompt.buttons.map((button) => button.label),
      defaultId: 0,
      cancelId: prompt.buttons.findIndex((button) => button.choice === prompt.cancel),
      noLink: true,
    };
    const window = this.options.window();
    const { response } = window
      ? await dialog.showMessageBox(window, options)
      : await dialog.showMessageBox(options);
    return this.act(prompt.buttons[response]?.choice ?? prompt.cancel);
  }

  private async act(choice: QuitChoice): Promise<boolean> {
    if (choice === 'quit') return true;
    if (choice === 'keep-running') return this.keepRunning();
    // Through the settings handler, as the Settings screen does: the OS takes it first.
    try {
      await this.core?.handlers['settings:update']({ deliverWhileClosed: true });
      return true;
    } catch (error) {
      this.options.log.warn('Delivery while closed could not be set up', { error });
      await dialog.showMessageBox({
        type: 'warning',
        title: 'Outbox keeps running',
        message: 'Delivery while Outbox is closed could not be set up.',
        detail: `${toErrorInfo(error).message} Outbox keeps running in the background to deliver.`,
      });
      return this.keepRunning();
    }
  }

  /** In the tray, whatever the setting, with the window closed as the user meant to. */
  private keepRunning(): false {
    this.keptRunning = true;
    this.refresh();
    this.options.window()?.close();
    return false;
  }

  /** Lets in-flight deliveries finish or park safely before the process goes. */
  private stop(): void {
    this.quitting = 'stopping';
    if (this.clockTimer) clearInterval(this.clockTimer);
    this.tray.hide();
    void (this.core?.stop() ?? Promise.resolve()).finally(() => {
      app.exit(0);
    });
  }
}
