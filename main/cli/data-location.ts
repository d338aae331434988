import os from 'node:os';
import path from 'node:path';
import type { SettingsStore } from '../core/ports.ts';
import { prepareSettingsFolder } from '../settings/settings-file.ts';
import { SettingsJsonFile } from './settings-json-file.ts';

/** Electron's `productName`, which names its `userData` folder. */
const PRODUCT = 'Outbox';

/**
 * The app's data folder (Electron's `app.getPath('userData')`), so the CLI and the app share one
 * queue, one settings file and one keychain entry per account. `OUTBOX_HOME` overrides it.
 */
export function dataLocation(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  if (env.OUTBOX_HOME) return path.resolve(env.OUTBOX_HOME);
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', PRODUCT);
  if (platform === 'win32') return path.join(env.APPDATA || path.join(home, 'AppData', 'Roaming'), PRODUCT);
  return path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), PRODUCT);
}

/**
 * The file electron-store writes in the app (`<userData>/config.json`), in the same format. It is
 * read here already, so a file that is no settings object throws now.
 */
export function openSettings(dataDir: string): SettingsStore {
  prepareSettingsFolder(dataDir);
  // The core asks the store only for get and set of a key (account-store.ts, app-settings.ts).
  return new SettingsJsonFile(dataDir) as unknown as SettingsStore;
}
