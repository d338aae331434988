import path from 'node:path';
import type { InstallCommands } from './os-files.ts';

/** The AppImage is one file: it runs the command line when given this first argument. */
export const APPIMAGE_CLI_ARG = '--cli';

export interface PackagedInstall {
  readonly platform: NodeJS.Platform;
  /** The app's own executable (Electron's process.execPath). */
  readonly execPath: string;
  /** The app's resources folder (Electron's process.resourcesPath), which holds cli/. */
  readonly resourcesPath: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * How a packaged install starts its app and its `outbox` command:
 * - Linux deb: the app at /opt/Outbox/outbox, the command /usr/bin/outbox;
 * - Linux AppImage: `$APPIMAGE` for both, the command with APPIMAGE_CLI_ARG first;
 * - macOS: …/Outbox.app/Contents/Resources/cli/outbox;
 * - Windows: …\resources\cli\outbox.exe (by default under %LOCALAPPDATA%\Programs\Outbox).
 * Taken from where the running app is, so an install folder the user chose works too.
 */
export function packagedInstallCommands(install: PackagedInstall): InstallCommands {
  const { platform, execPath, resourcesPath, env } = install;
  if (platform === 'linux') {
    const appImage = env.APPIMAGE;
    if (appImage) return { appCommand: [appImage], cliCommand: [appImage, APPIMAGE_CLI_ARG] };
    return { appCommand: [execPath], cliCommand: ['/usr/bin/outbox'] };
  }
  const paths = platform === 'win32' ? path.win32 : path.posix;
  const cli = paths.join(resourcesPath, 'cli', platform === 'win32' ? 'outbox.exe' : 'outbox');
  return { appCommand: [execPath], cliCommand: [cli] };
}
