import type { EventSink, Keychain, QueuePort, SettingsStore } from '../core/ports.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../errors/logger.ts';
import type { AccessTokens, OAuthSignIn } from '../oauth/oauth-ports.ts';
import { AccountStore } from './account-store.ts';
import { createAccountsHandlers, type AccountsHandlers } from './accounts-handlers.ts';
import { createAccountsService, type AccountsService } from './accounts-service.ts';
import type { ConnectionTestTimeouts } from './connection-test.ts';
import { createCredentials } from './credentials.ts';
import { OAuthUnavailable } from './oauth-unavailable.ts';
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
  /** The browser sign-in and the token keeper (main/oauth); absent, OAuth2 is refused (`OAuthUnavailable`). */
  readonly oauth?: { readonly signIn: OAuthSignIn; readonly tokens: AccessTokens };
  /** Opens a sign-in's authorization URL in the user's browser (`Platform.openExternal`). */
  readonly openExternal?: (url: string) => Promise<void>;
}

function noBrowser(): Promise<never> {
  return Promise.reject(new AppError('oauth_not_configured', 'This process has no browser to sign in with.'));
}

function oauthUnavailable(): { signIn: OAuthSignIn; tokens: AccessTokens } {
  const unavailable = new OAuthUnavailable();
  return { signIn: unavailable, tokens: unavailable };
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
    oauth: options.oauth ?? oauthUnavailable(),
  });
  return { service, handlers: createAccountsHandlers(service, options.openExternal ?? noBrowser) };
}
