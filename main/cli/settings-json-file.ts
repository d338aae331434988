import { randomBytes } from '../core/random.ts';
import fs from 'node:fs';
import path from 'node:path';
import { parseSettingsFile, SETTINGS_FILE, SETTINGS_FILE_MODE } from '../settings/settings-file.ts';

/**
 * The app's settings file (`<data folder>/config.json`) read and written exactly as conf and
 * electron-store do it (tab-indented JSON, replaced atomically, owner-only), without conf itself:
 * conf loads ajv for schemas the app does not use, which cost every command ~160 ms (issue 17).
 * The CLI needs only `get` and `set` of a top-level key; each reads the file afresh, as conf does,
 * so the app's writes in between are seen.
 */
export class SettingsJsonFile {
  readonly path: string;

  constructor(dataDir: string) {
    this.path = path.join(dataDir, SETTINGS_FILE);
    // Read now, as conf's constructor does, so a damaged file fails at open.
    this.read();
  }

  /** The whole file; no file yet is no settings. */
  read(): Record<string, unknown> {
    let text: string;
    try {
      text = fs.readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
    return parseSettingsFile(text);
  }

  get(key: string): unknown {
    return this.read()[key];
  }

  set(key: string, value: unknown): void {
    // As conf: undefined cannot be stored in JSON, and silently dropping the key would lose data.
    if (value === undefined) throw new TypeError(`cannot set ${key} to undefined`);
    writeAtomically(this.path, JSON.stringify({ ...this.read(), [key]: value }, undefined, '\t'));
  }
}

/**
 * A temporary file beside the target, synced, then renamed over it: a crash leaves the old file or
 * the new one, never half of one (what conf's `atomically` does); created owner-only, which a
 * umask can only keep so.
 */
function writeAtomically(target: string, text: string): void {
  const temporary = `${target}.tmp-${randomBytes(6).toString('hex')}`;
  const fd = fs.openSync(temporary, 'wx', SETTINGS_FILE_MODE);
  try {
    try {
      fs.writeFileSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}
