import path from 'node:path';
import type { Account } from '../../preload/contract/accounts.ts';
import type { SettingsStore } from '../core/ports.ts';
import type { Logger } from '../errors/logger.ts';
import { SETTINGS_FILE } from '../settings/settings-file.ts';
import type { CliIo } from './cli-io.ts';
import { logLines } from './cli-log.ts';
import { dataLocation, openSettings } from './data-location.ts';
import { CliError, EXIT } from './exit-codes.ts';

// What every command that reads the data folder shares, without the core: `outbox sendmail` uses
// these alone (sendmail-core.ts), cli-core.ts builds the whole core on them.

/** Silences the warnings of a stderrLogger while a task runs. */
export interface QuietLogger extends Logger {
  /** Runs `task` without printing the core's warnings, for a step whose warnings mean nothing here. */
  readonly withoutWarnings: <T>(task: () => Promise<T>) => Promise<T>;
}

/** Warnings and errors from the core on stderr (see logLines); progress chatter is not for scripts. */
export function stderrLogger(io: CliIo): QuietLogger {
  let warnings = true;
  return {
    info: () => undefined,
    warn: (message, details) => {
      if (warnings) io.stderr.write(logLines('warning', message, details));
    },
    error: (message, details) => io.stderr.write(logLines('error', message, details)),
    async withoutWarnings(task) {
      warnings = false;
      try {
        return await task();
      } finally {
        warnings = true;
      }
    },
  };
}

/** The data folder and its settings file, opened; a file that cannot be read exits 78. */
export function openDataFolder(io: CliIo): { readonly dataDir: string; readonly store: SettingsStore } {
  const dataDir = dataLocation(io.env);
  return { dataDir, store: readSettings(dataDir, () => openSettings(dataDir)) };
}

/** A read of the settings file; whatever stops it (damage, a newer format, no access) is a configuration error. */
export function readSettings<T>(dataDir: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    const file = path.join(dataDir, SETTINGS_FILE);
    throw new CliError(EXIT.config, `cannot read the settings in ${file}: ${why ?? ''}`);
  }
}

/**
 * An account by id, label or address (case-insensitive); the default account when `wanted` is absent.
 * Unknown accounts exit 67; no accounts at all is a configuration problem (78).
 */
export function findAccount(accounts: { list(): readonly Account[] }, wanted: string | undefined): Account {
  const all = accounts.list();
  if (all.length === 0) {
    throw new CliError(
      EXIT.config,
      'no accounts are set up: add one with "outbox accounts add" or in the app',
    );
  }
  if (wanted === undefined) {
    const fallback = all.find((a) => a.isDefault) ?? all[0];
    if (fallback) return fallback;
  }
  const key = (wanted ?? '').toLowerCase();
  const found =
    all.find((a) => a.id === wanted) ??
    all.find((a) => a.label.toLowerCase() === key) ??
    all.find((a) => a.fromAddress.toLowerCase() === key);
  if (!found) {
    throw new CliError(
      EXIT.noUser,
      `unknown account ${JSON.stringify(wanted ?? '')} (see "outbox accounts list")`,
    );
  }
  return found;
}
