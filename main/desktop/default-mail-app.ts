import { execFile } from 'node:child_process';
import type { DefaultMailApp } from '../../preload/contract/desktop.ts';
import { AppError } from '../errors/app-error.ts';

/**
 * "Make Outbox the default mail app" (Settings, issue 18): whether Outbox opens mailto: links, and
 * making it so as far as each OS lets an app. The Electron calls come in through the ports below,
 * so that this stays plain Node; main/shell picks the one for the platform.
 */
export interface DefaultMailAppPort {
  status(): Promise<DefaultMailApp>;
  /** Makes Outbox the default, or (canSet false) opens the page where the user can. */
  makeDefault(): Promise<void>;
}

/** The desktop entry electron-builder installs (linux.executableName in electron-builder.yml). */
export const DESKTOP_FILE = 'outbox.desktop';
const MAILTO_TYPE = 'x-scheme-handler/mailto';

/** A program's exit status and output; a failure to start counts as status 127. */
type Run = (file: string, args: readonly string[]) => Promise<{ code: number; stdout: string }>;

function runWith(env: NodeJS.ProcessEnv): Run {
  return (file, args) =>
    new Promise((resolve) => {
      execFile(file, args, { env, timeout: 30_000 }, (error, stdout) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 127;
        resolve({ code, stdout });
      });
    });
}

/**
 * Linux, through xdg-utils, which knows each desktop's own setting (GNOME, KDE, Xfce) and
 * mimeapps.list elsewhere. xdg-settings's generic `set` checks the web browser instead of the
 * scheme it set and then undoes it (xdg-utils 1.1.3–1.2.1): `xdg-mime default` writes the same
 * mimeapps.list line and is what is left when xdg-settings fails.
 */
export function xdgDefaultMailApp(
  env: NodeJS.ProcessEnv = process.env,
  desktopFile = DESKTOP_FILE,
): DefaultMailAppPort {
  const run = runWith(env);
  const isDefault = async () => {
    const checked = await run('xdg-settings', ['check', 'default-url-scheme-handler', 'mailto', desktopFile]);
    if (checked.code === 0) return checked.stdout.trim() === 'yes';
    const queried = await run('xdg-mime', ['query', 'default', MAILTO_TYPE]);
    return queried.code === 0 && queried.stdout.trim() === desktopFile;
  };
  return {
    async status() {
      return { isDefault: await isDefault(), canSet: true };
    },
    async makeDefault() {
      const set = await run('xdg-settings', ['set', 'default-url-scheme-handler', 'mailto', desktopFile]);
      if (set.code === 0 && (await isDefault())) return;
      const fallback = await run('xdg-mime', ['default', desktopFile, MAILTO_TYPE]);
      if (fallback.code !== 0 || !(await isDefault()))
        throw refused('The desktop did not accept Outbox as the mail app: choose Outbox in its settings.');
    },
  };
}

/** Electron's `app` as far as macOS's default mail app goes (LaunchServices). */
export interface ProtocolClient {
  isDefaultProtocolClient(protocol: string): boolean;
  setAsDefaultProtocolClient(protocol: string): boolean;
}

/** macOS: LaunchServices lets the app set itself (macOS may ask the user to confirm). */
export function protocolClientMailApp(client: ProtocolClient): DefaultMailAppPort {
  return {
    status: () => Promise.resolve({ isDefault: client.isDefaultProtocolClient('mailto'), canSet: true }),
    makeDefault() {
      return client.setAsDefaultProtocolClient('mailto')
        ? Promise.resolve()
        : Promise.reject(
            refused('macOS did not make Outbox the mail app: choose Outbox in Mail > Settings > General.'),
          );
    },
  };
}

/**
 * Windows 10 and later let only the user choose a default app: Outbox is registered as a mail
 * client by its installer (build/installer.nsh), and the button opens Default apps.
 */
export function settingsPageMailApp(
  isDefault: () => boolean,
  openSettings: () => Promise<void>,
): DefaultMailAppPort {
  return {
    status: () => Promise.resolve({ isDefault: isDefault(), canSet: false }),
    makeDefault: openSettings,
  };
}

/** Where Outbox cannot be the mail app (a test's core, an unknown platform). */
export const NO_DEFAULT_MAIL_APP: DefaultMailAppPort = {
  status: () => Promise.resolve({ isDefault: false, canSet: false }),
  makeDefault: () => Promise.reject(refused('Outbox cannot make itself the mail app on this system.')),
};

/** The OS said no: the sentence says where the user can choose instead. */
function refused(message: string): AppError {
  return new AppError('invalid_state', message);
}
