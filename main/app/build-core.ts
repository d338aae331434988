import type { AppSettings } from '../../preload/contract/settings.ts';
import { createAccounts, type AccountsOptions } from '../accounts/create-accounts.ts';
import type { AccountsHandlers } from '../accounts/accounts-handlers.ts';
import type { AccountsService } from '../accounts/accounts-service.ts';
import type { EventSink, Keychain, Platform, SettingsStore } from '../core/ports.ts';
import type { Logger } from '../errors/logger.ts';
import type { ClientIds } from '../oauth/client-ids.ts';
import type { OAuth } from '../oauth/create-oauth.ts';
import { createOutbox, type Outbox } from '../outbox/create-outbox.ts';
import type { DelivererRole } from '../outbox/delivery/deliverer-lock.ts';
import { createAppSettings, type AppSettingsService } from '../settings/app-settings.ts';

export interface BuildCoreOptions {
  /** The app's data folder: queue, sent log and drafts live below it. */
  readonly dataDir: string;
  /** electron-store in the app; `conf` on the same file in tests and the CLI. */
  readonly store: SettingsStore;
  readonly keychain: Keychain;
  /** The CLI has no dialog, no notifications worth showing and no version of its own. */
  readonly platform: Pick<Platform, 'isOnline' | 'notify'> & { readonly version?: string };
  readonly emit: EventSink;
  readonly log: Logger;
  /** DNS servers for the sender-domain check; the system's when absent. */
  readonly dnsServers?: readonly string[];
  /** Settings this process holds fixed whatever the settings file says. */
  readonly settingsOverrides?: Partial<AppSettings>;
  /** What this process is, should it deliver (the app unless said otherwise). */
  readonly delivererRole?: DelivererRole;
  /** The OAuth2 client IDs Outbox was built with (`loadClientIds`); none when absent. */
  readonly oauthClientIds?: ClientIds;
  /** Replaces main/oauth's sign-in and token keeper (tests of the accounts side alone). */
  readonly oauth?: OAuth;
  /** Where account discovery connects and which extra CAs it trusts (tests); the real network when absent. */
  readonly discoveryNetwork?: AccountsOptions['discoveryNetwork'];
  readonly discoveryTimeouts?: AccountsOptions['discoveryTimeouts'];
  /** The bundled ISPDB's file (the packaged app's resources folder); the source tree's when absent. */
  readonly ispdbFile?: string;
}

/** The areas of main that the app and the CLI share, joined; nothing is started or read yet. */
export interface CoreParts {
  readonly settings: AppSettingsService;
  readonly accounts: { readonly service: AccountsService; readonly handlers: AccountsHandlers };
  readonly outbox: Outbox;
}

/**
 * The one wiring of settings, accounts and the outbox, used by the app (create-core.ts adds drafts,
 * chosen files and the IPC handlers) and by the CLI, which loads nothing more than this.
 */
export function buildCore(options: BuildCoreOptions): CoreParts {
  const { dataDir, store, keychain, platform, emit, log } = options;
  const settings = withOverrides(createAppSettings(store), options.settingsOverrides);
  const accounts = createAccounts({
    store,
    keychain,
    // The outbox is built next; account deletion asks it for the queue only later, at run time.
    queue: () => outbox.service,
    emit,
    log,
    ...(options.dnsServers ? { dnsServers: options.dnsServers } : {}),
    ...(options.oauthClientIds ? { oauthClientIds: options.oauthClientIds } : {}),
    ...(options.oauth ? { oauth: options.oauth } : {}),
    ...(options.discoveryNetwork ? { discoveryNetwork: options.discoveryNetwork } : {}),
    ...(options.discoveryTimeouts ? { discoveryTimeouts: options.discoveryTimeouts } : {}),
    ...(options.ispdbFile ? { ispdbFile: options.ispdbFile } : {}),
    // Read at each lookup, so turning the setting on or off applies to the next one.
    liveIspdbLookup: () => settings.get().liveIspdbLookup,
  });
  const outbox = createOutbox({
    dataDir,
    accounts: accounts.service,
    settings,
    platform,
    emit,
    log,
    version: platform.version ?? '',
    ...(options.delivererRole ? { delivererRole: options.delivererRole } : {}),
  });
  return { settings, accounts, outbox };
}

function withOverrides(
  settings: AppSettingsService,
  overrides: Partial<AppSettings> | undefined,
): AppSettingsService {
  if (!overrides) return settings;
  return { ...settings, get: () => ({ ...settings.get(), ...overrides }) };
}
