import os from 'node:os';
import path from 'node:path';
import type { BrowserWindow } from 'electron';
import { app, powerMonitor, session } from 'electron';
import Store from 'electron-store';
import { osKeychain } from './accounts/os-keychain.ts';
import { createCore } from './app/create-core.ts';
import type { EventSink, SettingsStore } from './core/ports.ts';
import { parseSettingsFile, prepareSettingsFolder, SETTINGS_FILE_MODE } from './settings/settings-file.ts';
import { consoleLogger } from './errors/logger.ts';
import {
  launchFromArgv,
  launchFromUrl,
  secondInstanceArgv,
  type SecondInstanceData,
} from './handoff/launch-arguments.ts';
import { LaunchInbox } from './handoff/launch-inbox.ts';
import { createIpcRouter } from './ipc/ipc-router.ts';
import { ispdbFile } from './discovery/ispdb.ts';
import { nodeCommandRunner } from './desktop/command-runner.ts';
import { createOsIntegration } from './desktop/create-os-integration.ts';
import { packagedInstallCommands } from './desktop/install-commands.ts';
import { scheduledSendTimes } from './desktop/os-files.ts';
import { DeliveryTimerSync } from './desktop/timer-sync.ts';
import { loadClientIds } from './oauth/client-ids.ts';
import { APP_ORIGIN } from './security/origin.ts';
import { registerAppScheme, serveRenderer } from './shell/app-protocol.ts';
import { installMenu } from './shell/app-menu.ts';
import { Background } from './shell/background.ts';
import { electronLoginItem } from './shell/login-item.ts';
import { electronDefaultMailApp } from './shell/default-mail-app-port.ts';
import { electronPlatform } from './shell/electron-platform.ts';
import { harden } from './shell/harden.ts';
import { sendToWindow, wireIpc } from './shell/ipc-wiring.ts';
import { createMainWindow } from './shell/main-window.ts';

// The thin Electron shell: windows, menus and IPC wiring. Everything else is in core modules that
// also run headless (tests, the CLI).

let mainWindow: BrowserWindow | undefined;
const currentWindow = () => mainWindow;
const outDir = path.join(import.meta.dirname, '..');
// Messages other programs hand Outbox (mailto:, -compose), kept until the core can open them.
const launches = new LaunchInbox(consoleLogger);
// A new window or a page loading again listens only once it says so (app:ready): the core holds
// requests for it until then (main/desktop/page-requests.ts). Set once the core exists.
let pageLeft: () => void = () => undefined;

function showWindow(store: SettingsStore): void {
  if (mainWindow && !mainWindow.isDestroyed()) {
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
    return;
  }
  const devUrl = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  mainWindow = createMainWindow({
    preload: path.join(outDir, 'preload', 'index.cjs'),
    url: devUrl ?? `${APP_ORIGIN}/index.html`,
    store,
  });
  pageLeft();
  // A reload or another document: only a new page in the window, never a frame or a #hash.
  mainWindow.webContents.on('did-start-navigation', ({ isMainFrame, isSameDocument }) => {
    if (isMainFrame && !isSameDocument) pageLeft();
  });
}

async function start(): Promise<void> {
  await app.whenReady();
  harden(session.defaultSession);
  serveRenderer(session.defaultSession, path.join(outDir, 'renderer'));

  const dataDir = app.getPath('userData');
  prepareSettingsFolder(dataDir);
  // The same reading of config.json as the CLI's (data-location.ts): anything but one JSON object
  // is damage, never an empty start that the next save would write over; owner-only, as it.
  const store = new Store<Record<string, unknown>>({
    cwd: dataDir,
    deserialize: parseSettingsFile,
    configFileMode: SETTINGS_FILE_MODE,
  }) as unknown as SettingsStore;
  const send = sendToWindow(currentWindow);
  // The tray, the last window closing, and Quit (which lets deliveries in flight finish first).
  const background = new Background({
    // electron-builder ships build/tray as resources/tray (electron-builder.yml).
    iconDir: app.isPackaged
      ? path.join(process.resourcesPath, 'tray')
      : path.join(outDir, '..', 'build', 'tray'),
    showWindow: () => {
      showWindow(store);
    },
    window: currentWindow,
    compose: () => {
      core.page.request('app:menuInvoked', { command: 'compose' });
    },
    log: consoleLogger,
  });
  // Start at login and the delivery timer: the files each OS reads (docs/desktop-integration.md),
  // Electron's login item on macOS and Windows. The commands are the packaged install's.
  let queueItems: () => Iterable<{ state: string; sendAt?: string | undefined }> = () => [];
  const osIntegration = createOsIntegration({
    platform: process.platform,
    homeDir: os.homedir(),
    env: process.env,
    dataDir,
    commands: packagedInstallCommands({
      platform: process.platform,
      execPath: process.execPath,
      resourcesPath: process.resourcesPath,
      env: process.env,
    }),
    run: nodeCommandRunner,
    uid: process.getuid?.() ?? 0,
    now: Date.now,
    loginItem: electronLoginItem,
    scheduledTimes: () => Promise.resolve(scheduledSendTimes(queueItems())),
  });
  const timerSync = new DeliveryTimerSync(
    osIntegration,
    () => queueItems(),
    (error) => {
      consoleLogger.warn('the delivery timer could not be moved to the next scheduled sends', {
        error: String(error),
      });
    },
  );
  // The tray and the delivery timer follow the same events as the window.
  const emit: EventSink = (event, payload) => {
    send(event, payload);
    background.noticed(event);
    if (event === 'outbox:changed') timerSync.changed();
  };
  const core = await createCore({
    dataDir,
    store,
    keychain: osKeychain,
    platform: electronPlatform(currentWindow),
    defaultMailApp: electronDefaultMailApp(),
    emit,
    log: consoleLogger,
    // electron-builder ships build/oauth-clients.json as an extra resource (electron-builder.yml).
    oauthClientIds: loadClientIds(
      app.isPackaged
        ? path.join(process.resourcesPath, 'oauth-clients.json')
        : path.join(outDir, '..', 'build', 'oauth-clients.json'),
    ),
    // And build/ispdb/ (the bundled ISPDB, its licence and notice) as resources/ispdb/.
    ispdbFile: app.isPackaged
      ? ispdbFile(process.resourcesPath)
      : path.join(outDir, '..', 'build', 'ispdb', 'ispdb.json'),
    osIntegration,
    revealWindow: () => {
      showWindow(store);
    },
  });
  const devOrigin = app.isPackaged ? undefined : process.env.ELECTRON_RENDERER_URL;
  const trustedOrigin = devOrigin ? new URL(devOrigin).origin : APP_ORIGIN;
  wireIpc(createIpcRouter(core.handlers, { trustedOrigin, log: consoleLogger }), currentWindow);
  pageLeft = () => {
    core.page.pageLeft();
  };
  installMenu((command) => {
    core.page.request('app:menuInvoked', { command });
  });

  // Timers do not survive sleep and sockets may be half-open after it: let the core re-check.
  powerMonitor.on('resume', () => {
    core.resumed();
  });
  app.on('second-instance', (_event, commandLine, workingDirectory, additionalData) => {
    launches.offer(() => launchFromArgv(secondInstanceArgv(commandLine, additionalData), workingDirectory));
    showWindow(store);
  });
  app.on('activate', () => {
    showWindow(store);
  });
  // The scheduled sends from the queue's index: no record is read.
  queueItems = () => core.desktop.outbox.rows();
  background.install(core);

  await core.start();
  if (!background.startHidden) showWindow(store);
  launches.deliverTo(({ request, source }) => core.handleLaunchRequest(request, source));
}

// A second launch only focuses the first instance's window, and hands it its argv as it was.
const secondInstanceData: SecondInstanceData = { argv: process.argv };
if (app.requestSingleInstanceLock(secondInstanceData)) {
  registerAppScheme();
  // macOS hands a clicked mailto: link over by open-url, before `ready` when the link starts the
  // app: Electron's docs ask for the listener this early.
  app.on('open-url', (event, url) => {
    event.preventDefault();
    launches.offer(() => launchFromUrl(url));
  });
  launches.offer(() => launchFromArgv(process.argv, process.cwd()));
  void start();
} else {
  app.quit();
}
