import path from 'node:path';
import type { InstallCommands } from './os-files.ts';

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
 * - Linux AppImage: `$APPIMAGE` for the app and no command: its files exist only while it runs, and
 *   its Electron binary cannot run the CLI (fuses locked, no display from a timer), so delivery
 *   while closed is refused there (docs/installed-cli.md);
 * - macOS: …/Outbox.app/Contents/Resources/cli/bin/outbox (scripts/build-sea.ts);
 * - Windows: …\resources\cli\bin\outbox.exe (by default under %LOCALAPPDATA%\Programs\Outbox).
 * Taken from where the running app is, so an install folder the user chose works too.
 */
export function packagedInstallCommands(install: PackagedInstall): InstallCommands {
  const { platform, execPath, resourcesPath, env } = install;
  if (platform === 'linux') {
    const appImage = env.APPIMAGE;
    if (appImage) return { appCommand: [appImage], cliCommand: [] };
    return { appCommand: [execPath], cliCommand: ['/usr/bin/outbox'] };
  }
  const paths = platform === 'win32' ? path.win32 : path.posix;
  const cli = paths.join(resourcesPath, 'cli', 'bin', platform === 'win32' ? 'outbox.exe' : 'outbox');
  return { appCommand: [execPath], cliCommand: [cli] };
}
