import type { EventSink, Keychain, QueuePort, SettingsStore } from '../core/ports.ts';
import type { Discovery } from '../../preload/contract/discovery.ts';
import type { AccountDiscovery, DiscoveryTimeouts } from '../discovery/discover.ts';
import type { DiscoveryNetwork } from '../discovery/discovery-ports.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../errors/logger.ts';
import type { ClientIds } from '../oauth/client-ids.ts';
import type { OAuth } from '../oauth/create-oauth.ts';
import { AccountStore } from './account-store.ts';
import { createAccountsHandlers, type AccountsHandlers } from './accounts-handlers.ts';
import { createAccountsService, type AccountsService } from './accounts-service.ts';
import type { ConnectionTestTimeouts } from './connection-test.ts';
import { createCredentials, type Credentials } from './credentials.ts';
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
  /** The client IDs Outbox was built with (`build/oauth-clients.json`); none when absent. */
  readonly oauthClientIds?: ClientIds;
  /** Replaces main/oauth's sign-in and token keeper (tests of the accounts side alone). */
  readonly oauth?: OAuth;
  /** Where discovery's connections go and which extra CAs it trusts (tests); the real network when absent. */
  readonly discoveryNetwork?: Pick<DiscoveryNetwork, 'route' | 'extraCa'>;
  readonly discoveryTimeouts?: DiscoveryTimeouts;
  /** Whether a lookup may ask Thunderbird's live ISPDB (setting `liveIspdbLookup`); never when absent. */
  readonly liveIspdbLookup?: () => boolean;
  /**
   * The bundled ISPDB's file: the packaged app's copy in its resources folder
   * (`ispdbFile(process.resourcesPath)`); the source tree's build/ispdb/ispdb.json when absent.
   */
  readonly ispdbFile?: string;
  /** Opens a sign-in's authorization URL in the user's browser (`Platform.openExternal`). */
  readonly openExternal?: (url: string) => Promise<void>;
}

function noBrowser(): Promise<never> {
  return Promise.reject(new AppError('oauth_not_configured', 'This process has no browser to sign in with.'));
}

/**
 * The lookup, built at its first use: its modules (the XML parser, the public suffix list, the
 * HTTPS and probing code) and the bundled ISPDB are loaded only by a process that looks an
 * address up, never by one that only sends mail (`outbox sendmail`, issue 17).
 */
function lazyDiscovery(options: AccountsOptions): {
  discover(address: string, signal?: AbortSignal): Promise<Discovery>;
} {
  let built: Promise<AccountDiscovery> | undefined;
  const build = async (): Promise<AccountDiscovery> => {
    const [{ createDiscovery }, { discoveryDns }, { ispdbFile, loadIspdb }] = await Promise.all([
      import('../discovery/create-discovery.ts'),
      import('../discovery/discovery-dns.ts'),
      import('../discovery/ispdb.ts'),
    ]);
    let ispdb: ReturnType<typeof loadIspdb> | undefined;
    return createDiscovery({
      // Read at the first lookup that needs it, once.
      ispdb: () => (ispdb ??= loadIspdb(options.ispdbFile ?? ispdbFile())),
      network: {
        dns: discoveryDns(options.dnsServers),
        route: (host, port) => ({ host, port }),
        ...options.discoveryNetwork,
      },
      ...(options.discoveryTimeouts ? { timeouts: options.discoveryTimeouts } : {}),
      ...(options.liveIspdbLookup ? { liveIspdbLookup: options.liveIspdbLookup } : {}),
    });
  };
  return {
    async discover(address, signal) {
      built ??= build();
      return (await built).discover(address, signal);
    },
  };
}

/**
 * main/oauth's sign-in and token keeper, built at their first use: oauth4webapi and the loopback
 * listener (node:http) are loaded only by a process that signs in or sends through an OAuth2
 * account (issue 17).
 */
function lazyOAuth(clientIds: ClientIds, credentials: Credentials): OAuth {
  let built: Promise<OAuth> | undefined;
  let ready: OAuth | undefined;
  const oauth = () =>
    (built ??= import('../oauth/create-oauth.ts').then(
      ({ createOAuth }) => (ready = createOAuth({ clientIds, credentials })),
    ));
  return {
    signIn: { run: async (account, options) => (await oauth()).signIn.run(account, options) },
    tokens: {
      get: async (account, options) => (await oauth()).tokens.get(account, options),
      // A grant comes from a sign-in, which built the keeper; before one, none is held to forget.
      signingIn: (accountId) => ready?.tokens.signingIn(accountId),
      remember: (accountId, grant) => {
        if (!ready) throw new AppError('internal', 'An OAuth2 grant arrived before any sign-in.');
        ready.tokens.remember(accountId, grant);
      },
      forget: (accountId) => ready?.tokens.forget(accountId),
    },
  };
}

/** Account management: the outbox's `AccountsPort` (`service`) and the `accounts:*` IPC handlers. */
export function createAccounts(options: AccountsOptions): {
  service: AccountsService;
  handlers: AccountsHandlers;
} {
  const credentials = createCredentials(options.keychain);
  const resolver = createDnsResolver(options.dnsServers);
  const discovery = lazyDiscovery(options);
  const service = createAccountsService({
    store: new AccountStore(options.store),
    credentials,
    queue: options.queue,
    emit: options.emit,
    log: options.log,
    resolver,
    discovery,
    ...(options.connectionTestTimeouts ? { testTimeouts: options.connectionTestTimeouts } : {}),
    oauth: options.oauth ?? lazyOAuth(options.oauthClientIds ?? {}, credentials),
  });
  return { service, handlers: createAccountsHandlers(service, options.openExternal ?? noBrowser) };
}
