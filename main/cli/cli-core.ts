import path from 'node:path';
import type { AccountsService } from '../accounts/accounts-service.ts';
import type { Keychain } from '../core/ports.ts';
import { buildCore } from '../app/build-core.ts';
import { loadClientIds } from '../oauth/client-ids.ts';
import type { Outbox } from '../outbox/create-outbox.ts';
import type { AppSettingsService } from '../settings/app-settings.ts';
import type { DelivererRole } from '../outbox/delivery/deliverer-lock.ts';
import type { CliIo } from './cli-io.ts';
import { openDataFolder, readSettings, stderrLogger, type QuietLogger } from './cli-settings.ts';
import { dnsServersFrom } from './dns-servers.ts';

export { findAccount } from './cli-settings.ts';

export interface CliCore extends Pick<QuietLogger, 'withoutWarnings'> {
  readonly dataDir: string;
  readonly accounts: AccountsService;
  readonly settings: AppSettingsService;
  readonly outbox: Outbox;
}

/** The OS keychain, its native binding loaded at the first secret asked: most commands ask none. */
const osKeychain = async (): Promise<Keychain> => (await import('../accounts/os-keychain.ts')).osKeychain;
const lazyKeychain: Keychain = {
  getPassword: async (service, account) => (await osKeychain()).getPassword(service, account),
  setPassword: async (service, account, password) =>
    (await osKeychain()).setPassword(service, account, password),
  deletePassword: async (service, account) => (await osKeychain()).deletePassword(service, account),
};

/**
 * The app's core without Electron, built by the app's own wiring (app/build-core.ts) on the same data
 * folder, settings file and keychain. Nothing is started here: each command opens the outbox only
 * as far as it needs; `delivererRole` is what the deliverer lock says of a command that delivers.
 */
export function openCore(io: CliIo, options: { delivererRole?: DelivererRole } = {}): CliCore {
  const { dataDir, store } = openDataFolder(io);
  const dnsServers = dnsServersFrom(io.env);
  const log = stderrLogger(io);
  const { settings, accounts, outbox } = buildCore({
    dataDir,
    store,
    keychain: lazyKeychain,
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
