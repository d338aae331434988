import path from 'node:path';
import { ensureOwnerOnlyDirSync, OWNER_ONLY_FILE, tightenIfOurs } from '../files/owner-only.ts';

/** The settings file in the data folder, as electron-store names it. */
export const SETTINGS_FILE = 'config.json';

/** conf's `configFileMode` (its default is 0666 less the umask): accounts are nobody else's business. */
export const SETTINGS_FILE_MODE = OWNER_ONLY_FILE;

/**
 * Before conf or electron-store opens the settings file: the data folder exists owner-only (conf
 * would create it 0755), and a settings file an older version left readable by others is tightened
 * now, not only at its next save.
 */
export function prepareSettingsFolder(dataDir: string): void {
  ensureOwnerOnlyDirSync(dataDir);
  tightenIfOurs(path.join(dataDir, SETTINGS_FILE), SETTINGS_FILE_MODE);
}

/**
 * Reads the settings file's text. electron-store and conf turn any JSON value into an object, so a
 * file cut down to `null` or `[]` would read as "no accounts", and the next save would write over
 * what it held: anything but one JSON object is damage, refused like unparsable JSON.
 */
export function parseSettingsFile(text: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text);
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`the file holds ${describe(parsed)}, not the settings object`);
  }
  return parsed as Record<string, unknown>;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}
