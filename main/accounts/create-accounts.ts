import type { EventSink, Keychain, QueuePort, SettingsStore } from '../core/ports.ts';
import type { Logger } from '../errors/logger.ts';
import { AccountStore } from './account-store.ts';
import { createAccountsHandlers, type AccountsHandlers } from './accounts-handlers.ts';
import { createAccountsService, type AccountsService } from './accounts-service.ts';
import type { ConnectionTestTimeouts } from './connection-test.ts';
import { createCredentials } from './credentials.ts';
import { createDnsResolver } from './sender-domain-check.ts';

export interface AccountsOptions {
  readonly store: SettingsStore;
  /** keytar's API: `osKeychain` in the app, the CLI and the tests. */
  readonly keychain: Keychain;
  /** Called when needed, because the outbox is built after the accounts. */
  readonly queue: () => QueuePort;
  readonly emit: EventSink;
  readonly log: Logger;
  /** DNS servers for the sender-domain check and preset detection (`host` or `host:port`); the system's when absent. */
  readonly dnsServers?: readonly string[];
  readonly connectionTestTimeouts?: ConnectionTestTimeouts;
}

/** Account management: the outbox's `AccountsPort` (`service`) and the `accounts:*` IPC handlers. */
export function createAccounts(options: AccountsOptions): {
  service: AccountsService;
  handlers: AccountsHandlers;
} {
  const service = createAccountsService({
    store: new AccountStore(options.store),
    credentials: createCredentials(options.keychain),
    queue: options.queue,
    emit: options.emit,
    log: options.log,
    resolver: createDnsResolver(options.dnsServers),
    ...(options.connectionTestTimeouts ? { testTimeouts: options.connectionTestTimeouts } : {}),
  });
  return { service, handlers: createAccountsHandlers(service) };
}
