import path from 'node:path';
import type { Account } from '../../preload/contract/accounts.ts';
import { osKeychain } from '../accounts/os-keychain.ts';
import type { AccountsService } from '../accounts/accounts-service.ts';
import { buildCore } from '../app/build-core.ts';
import type { Logger } from '../errors/logger.ts';
import { loadClientIds } from '../oauth/client-ids.ts';
import type { Outbox } from '../outbox/create-outbox.ts';
import type { AppSettingsService } from '../settings/app-settings.ts';
import type { DelivererRole } from '../outbox/delivery/deliverer-lock.ts';
import { SETTINGS_FILE } from '../settings/settings-file.ts';
import type { CliIo } from './cli-io.ts';
import { logLines } from './cli-log.ts';
import { dataLocation, openSettings } from './data-location.ts';
import { dnsServersFrom } from './dns-servers.ts';
import { CliError, EXIT } from './exit-codes.ts';

export interface CliCore {
  readonly dataDir: string;
  readonly accounts: AccountsService;
  readonly settings: AppSettingsService;
  readonly outbox: Outbox;
  /** Runs `task` without printing the core's warnings, for a step whose warnings mean nothing here. */
  withoutWarnings<T>(task: () => Promise<T>): Promise<T>;
}

/** Warnings and errors from the core on stderr (see logLines); progress chatter is not for scripts. */
function stderrLogger(io: CliIo): Logger & Pick<CliCore, 'withoutWarnings'> {
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

/**
 * The app's core without Electron, built by the app's own wiring (app/build-core.ts) on the same data
 * folder, settings file and keychain. Nothing is started here: each command opens the outbox only
 * as far as it needs; `delivererRole` is what the deliverer lock says of a command that delivers.
 */
export function openCore(io: CliIo, options: { delivererRole?: DelivererRole } = {}): CliCore {
  const dataDir = dataLocation(io.env);
  const dnsServers = dnsServersFrom(io.env);
  const store = readSettings(dataDir, () => openSettings(dataDir));
  const log = stderrLogger(io);
  const { settings, accounts, outbox } = buildCore({
    dataDir,
    store,
    keychain: osKeychain,
    platform: { isOnline: () => true, notify: () => undefined },
    emit: () => undefined,
    log,
    // The sender-domain check and account discovery ask these; the system's resolver when absent.
    ...(dnsServers ? { dnsServers } : {}),
    // The app's own file: the CLI runs from the same tree (the packaged app reads its copy in resources).
    oauthClientIds: loadClientIds(path.join(import.meta.dirname, '..', '..', 'build', 'oauth-clients.json')),
    // Nobody can take back or be notified about a message queued from a script.
    settingsOverrides: { undoSeconds: 0, notifications: false },
    ...options,
  });
  // Read now, inside the command's error handling: the outbox would first read them in a callback
  // (its change feed, its scheduler), where a damaged file could only end the process.
  readSettings(dataDir, () => {
    settings.get();
    accounts.service.list();
  });
  return { dataDir, accounts: accounts.service, settings, outbox, withoutWarnings: log.withoutWarnings };
}

/** A read of the settings file; whatever stops it (damage, a newer format, no access) is a configuration error. */
function readSettings<T>(dataDir: string, read: () => T): T {
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
export function findAccount(accounts: AccountsService, wanted: string | undefined): Account {
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
