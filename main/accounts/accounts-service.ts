import { randomUuid } from '../core/random.ts';
import type { Resolver } from 'node:dns/promises';
import { movesDkimKey, movesOAuthToken, movesPassword } from '../../preload/contract/account-rules.ts';
import type {
  Account,
  AccountInput,
  ConnectionReport,
  SenderDomainReport,
} from '../../preload/contract/accounts.ts';
import type { CallParsedInput } from '../../preload/contract/channels.ts';
import type { ErrorCode, ErrorInfo } from '../../preload/contract/errors.ts';
import type { AccountChange, AccountsPort, EventSink, QueuePort } from '../core/ports.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../errors/logger.ts';
import type { AccessTokens, OAuthSignIn, SignInOptions } from '../oauth/oauth-ports.ts';
import type { SmtpEndpoint } from '../smtp/smtp-endpoint.ts';
import { checkAccountSenderDomain, testAccountConnection } from './account-checks.ts';
import { endpointOf } from './account-endpoint.ts';
import { AccountSecrets } from './account-secrets.ts';
import type { AccountPatch, AccountStore, InternalFields, StoredAccount } from './account-store.ts';
import type { ConnectionTestTimeouts } from './connection-test.ts';
import type { Credentials } from './credentials.ts';
import { dkimPublicKey } from './dkim.ts';
import type { Discovery } from '../../preload/contract/discovery.ts';
import { assertOAuth } from './account-validation.ts';
import { oauthAccountOf } from './oauth-account.ts';
import { SeenCertificates } from './seen-certificates.ts';

export interface AccountsServiceDeps {
  readonly store: AccountStore;
  readonly credentials: Credentials;
  /** Read when needed: the outbox is built after the accounts. */
  readonly queue: () => QueuePort;
  readonly emit: EventSink;
  readonly log: Logger;
  readonly resolver: Resolver;
  readonly testTimeouts?: ConnectionTestTimeouts;
  /** The browser sign-in and the access-token keeper (main/oauth/create-oauth.ts). */
  readonly oauth: { readonly signIn: OAuthSignIn; readonly tokens: AccessTokens };
  /** Finds an address's outgoing server (main/discovery/create-discovery.ts). */
  readonly discovery: { discover(address: string, signal?: AbortSignal): Promise<Discovery> };
}

/** Attention a new sign-in answers: delivery may try again once the user signed in. */
const SIGN_IN_PROBLEMS: ReadonlySet<string> = new Set<ErrorCode>([
  'oauth_signin_required',
  'auth_failed',
  'auth_required',
  'basic_auth_unsupported',
]);

/** Everything the `accounts:*` calls do, plus the outbox's view of accounts (`AccountsPort`). */
export interface AccountsService extends AccountsPort {
  list(): Account[];
  create(input: AccountInput): Account;
  update(id: string, patch: AccountPatch): Promise<Account>;
  remove(request: CallParsedInput<'accounts:delete'>): Promise<void>;
  reorder(ids: readonly string[]): Account[];
  setDefault(id: string): Account;
  setPassword(id: string, password: string): Promise<Account>;
  clearPassword(id: string): Promise<Account>;
  setDkimKey(id: string, pem: string): Promise<Account>;
  test(id: string): Promise<ConnectionReport>;
  pinCertificate(id: string, fingerprint: string): Account;
  checkSenderDomain(id: string): Promise<SenderDomainReport>;
  setPaused(id: string, paused: boolean): Account;
  /**
   * Signs an OAuth2 account in through the user's browser; one at a time per account. The refresh
   * token goes to the keychain; on failure (oauth_cancelled, …) nothing changes.
   */
  signIn(id: string, options: SignInOptions): Promise<Account>;
  /** Stops the account's sign-in that waits for the browser: it answers oauth_cancelled. */
  cancelSignIn(id: string): void;
  /** Finds an address's outgoing server and says where the answer came from (issue 16). */
  discover(address: string, signal?: AbortSignal): Promise<Discovery>;
}

/**
 * The accounts service: every account edit goes through the store, then `accounts:changed` tells the
 * window and, when delivery may be affected, the outbox's listeners are told which account changed.
 */
class AccountsManager implements AccountsService {
  readonly #deps: AccountsServiceDeps;
  readonly #store: AccountStore;
  readonly #secrets: AccountSecrets;
  readonly #seenCertificates = new SeenCertificates();
  readonly #listeners = new Set<(accountId: string, change: AccountChange) => void>();
  /** The sign-ins waiting for the browser, by account. */
  readonly #signIns = new Map<string, AbortController>();

  constructor(deps: AccountsServiceDeps) {
    this.#deps = deps;
    this.#store = deps.store;
    this.#secrets = new AccountSecrets(deps.credentials, deps.log, deps.oauth.tokens);
  }

  // The outbox's view (`AccountsPort`).

  find(accountId: string): Account | undefined {
    return this.#store.list().find((account) => account.id === accountId);
  }

  list(): Account[] {
    return this.#store.list();
  }

  async endpoint(accountId: string): Promise<SmtpEndpoint> {
    return endpointOf(this.#store.get(accountId), this.#secrets);
  }

  setAttention(accountId: string, error: ErrorInfo | undefined): void {
    const account = this.#store.find(accountId);
    if (!account || JSON.stringify(account.attention) === JSON.stringify(error)) return;
    this.#store.setInternal(accountId, { attention: error });
    this.#changed(accountId, { notifyOutbox: 'attention' });
  }

  rememberServerSizeLimit(accountId: string, bytes: number): void {
    const account = this.#store.find(accountId);
    if (!account || account.serverSizeLimit === bytes) return;
    this.#store.setInternal(accountId, { serverSizeLimit: bytes });
    this.#changed(accountId, { notifyOutbox: false });
  }

  onChanged(listener: (accountId: string, change: AccountChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // The `accounts:*` calls.

  create(input: AccountInput): Account {
    const account = this.#store.create(input, randomUuid(), new Date().toISOString());
    this.#deps.log.info('Account created', { accountId: account.id });
    this.#changed(account.id, { notifyOutbox: 'edited' });
    return account;
  }

  async update(id: string, patch: AccountPatch): Promise<Account> {
    const current = this.#store.get(id);
    // The saved password was given for one server and user name; sent anywhere else, it would go
    // where the person who typed it never meant it to (a compromised window could pick the host).
    // Switching to OAuth2 leaves the password unused: it is not kept in case.
    const forgetPassword = current.hasPassword && (movesPassword(patch, current) || patch.auth === 'oauth2');
    // A refresh token was granted for one provider, server and user: see movesOAuthToken.
    const forgetOAuth = current.hasOAuthToken && movesOAuthToken(patch, current);
    // The same for the DKIM key: mail it signs, sent to another server, is a valid signature of
    // the user's domain in whoever's hands that server is.
    const forgetDkimKey = current.hasDkimKey && movesDkimKey(patch, current);
    const internal: InternalFields = {
      attention: undefined,
      ...(forgetPassword ? { hasPassword: false } : {}),
      ...(forgetDkimKey ? { hasDkimKey: false } : {}),
      ...(forgetOAuth ? { hasOAuthToken: false, signedInAs: undefined } : {}),
      ...this.#pinChange(id, current, patch),
    };
    const account = this.#store.update(id, patch, internal);
    if (forgetOAuth) this.#deps.oauth.tokens.forget(id);
    this.#changed(id, { notifyOutbox: 'edited' });
    if (forgetPassword) await this.#secrets.forgetUnused(id, 'password');
    if (forgetDkimKey) await this.#secrets.forgetUnused(id, 'dkim');
    if (forgetOAuth) await this.#secrets.forgetUnused(id, 'oauth');
    return account;
  }

  async remove({ id, queued }: CallParsedInput<'accounts:delete'>): Promise<void> {
    const account = this.#store.get(id);
    const queue = this.#deps.queue();
    const pending = queue.countPending(id) > 0;
    if (pending && queued.action === 'move') {
      if (queued.toAccountId === id) {
        throw new AppError('invalid_input', 'Choose another account to move the queued messages to.', {
          field: 'queued.toAccountId',
        });
      }
      this.#store.get(queued.toAccountId);
    }
    // Secrets first: a keychain that refuses (locked) stops the deletion before the queued mail
    // is held or moved, and a second try finds the ones already gone absent, which is fine.
    // Forgotten first, so no refresh writes a rotated refresh token back after its removal. (Should
    // the keychain then refuse, the account stays and asks to be signed in again: rare, and safe.)
    this.#deps.oauth.tokens.forget(id);
    await this.#secrets.removeLeftover(account, 'password');
    await this.#secrets.removeLeftover(account, 'dkim');
    await this.#secrets.removeLeftover(account, 'oauth');
    this.#signIns.get(id)?.abort();
    if (pending) {
      if (queued.action === 'move') await queue.moveToAccount(id, queued.toAccountId);
      else await queue.holdAll(id);
    }
    this.#store.remove(id);
    this.#seenCertificates.forget(id);
    this.#deps.log.info('Account deleted', { accountId: id, queued: queued.action });
    this.#changed(id, { notifyOutbox: 'edited' });
  }

  reorder(ids: readonly string[]): Account[] {
    const accounts = this.#store.reorder(ids);
    this.#deps.emit('accounts:changed', accounts);
    return accounts;
  }

  setDefault(id: string): Account {
    const account = this.#store.setDefault(id);
    this.#deps.emit('accounts:changed', this.#store.list());
    return account;
  }

  async setPassword(id: string, password: string): Promise<Account> {
    this.#store.get(id);
    await this.#secrets.write(id, 'password', password);
    return this.#userChange(id, { hasPassword: true });
  }

  async clearPassword(id: string): Promise<Account> {
    this.#store.get(id);
    await this.#secrets.remove(id, 'password');
    return this.#userChange(id, { hasPassword: false });
  }

  async setDkimKey(id: string, pem: string): Promise<Account> {
    this.#store.get(id);
    dkimPublicKey(pem);
    await this.#secrets.write(id, 'dkim', pem);
    return this.#userChange(id, { hasDkimKey: true });
  }

  async test(id: string): Promise<ConnectionReport> {
    const account = this.#store.get(id);
    const { report, seenCertificate } = await testAccountConnection(
      account,
      this.#secrets,
      this.#deps.testTimeouts,
    );
    if (seenCertificate) this.#seenCertificates.remember(id, seenCertificate);
    const size = report.capabilities?.size;
    if (size !== undefined && size > 0) this.rememberServerSizeLimit(id, size);
    if (report.ok && this.#store.find(id)?.attention) this.setAttention(id, undefined);
    return report;
  }

  pinCertificate(id: string, fingerprint: string): Account {
    this.#store.get(id);
    return this.#userChange(id, this.#seenCertificates.pinFor(id, fingerprint));
  }

  async checkSenderDomain(id: string): Promise<SenderDomainReport> {
    return checkAccountSenderDomain(this.#store.get(id), this.#secrets, this.#deps.resolver);
  }

  discover(address: string, signal?: AbortSignal): Promise<Discovery> {
    return this.#deps.discovery.discover(address, signal);
  }

  setPaused(id: string, paused: boolean): Account {
    this.#store.get(id);
    const account = this.#store.setInternal(id, { paused });
    this.#changed(id, { notifyOutbox: 'edited' });
    return account;
  }

  async signIn(id: string, options: SignInOptions): Promise<Account> {
    const account = this.#store.get(id);
    const oauthAccount = account.auth === 'oauth2' ? oauthAccountOf(account) : undefined;
    if (!oauthAccount) {
      throw new AppError('invalid_input', `"${account.label}" does not sign in with OAuth2.`, {
        field: 'auth',
      });
    }
    assertOAuth(account);
    if (this.#signIns.has(id)) {
      throw new AppError(
        'invalid_state',
        `A sign-in for "${account.label}" is already waiting for the browser.`,
      );
    }
    const controller = new AbortController();
    this.#signIns.set(id, controller);
    try {
      const signal = options.signal
        ? AbortSignal.any([options.signal, controller.signal])
        : controller.signal;
      const grant = await this.#deps.oauth.signIn.run(oauthAccount, { ...options, signal });
      // A refresh of the sign-in this one replaces must not write its token over the new one, and
      // one that ends while the new token is written waits for it rather than failing the send.
      this.#deps.oauth.tokens.signingIn(id);
      let updated: Account;
      try {
        // The keychain first: a flag saying "signed in" with no token behind it would hold mail wrongly.
        await this.#secrets.write(id, 'oauth', grant.refreshToken);
        // Checked after that write, with no wait before the flag is set: an edit or a deletion
        // during the browser or the write must not end with this grant on other settings.
        const now = this.#store.find(id);
        if (now === undefined || movesOAuthToken(now, account)) {
          await this.#secrets.forgetUnused(id, 'oauth');
          throw new AppError('oauth_failed', `"${account.label}" changed during sign-in. Sign in again.`);
        }
        const answered = now.attention !== undefined && SIGN_IN_PROBLEMS.has(now.attention.code);
        updated = this.#store.setInternal(id, {
          hasOAuthToken: true,
          signedInAs: grant.signedInAs,
          ...(answered ? { attention: undefined } : {}),
        });
      } catch (error) {
        this.#deps.oauth.tokens.forget(id);
        throw error;
      }
      this.#deps.oauth.tokens.remember(id, grant);
      this.#deps.log.info('Account signed in', { accountId: id });
      this.#changed(id, { notifyOutbox: 'edited' });
      return updated;
    } finally {
      this.#signIns.delete(id);
    }
  }

  cancelSignIn(id: string): void {
    this.#signIns.get(id)?.abort();
  }

  // Helpers.

  /** `notifyOutbox`: what the outbox is told (nothing for a learned size limit, which it reported). */
  #changed(accountId: string, { notifyOutbox }: { notifyOutbox: AccountChange | false }): void {
    this.#deps.emit('accounts:changed', this.#store.list());
    if (!notifyOutbox) return;
    for (const listener of this.#listeners) {
      try {
        listener(accountId, notifyOutbox);
      } catch (error) {
        this.#deps.log.error('An accounts listener failed', { accountId, error });
      }
    }
  }

  /** After the user acts on an account, delivery may try again: their fix is the answer to the attention. */
  #userChange(id: string, internal: InternalFields = {}): Account {
    const account = this.#store.setInternal(id, { ...internal, attention: undefined });
    this.#changed(id, { notifyOutbox: 'edited' });
    return account;
  }

  /** A changed pin in an edit: removing it drops the certificate; setting it needs the one last seen. */
  #pinChange(id: string, current: StoredAccount, patch: AccountPatch): InternalFields {
    if (!Object.hasOwn(patch, 'pinnedCertSha256') || patch.pinnedCertSha256 === current.pinnedCertSha256) {
      return {};
    }
    return patch.pinnedCertSha256 === undefined
      ? { pinnedCertPem: undefined }
      : this.#seenCertificates.pinFor(id, patch.pinnedCertSha256);
  }
}

export function createAccountsService(deps: AccountsServiceDeps): AccountsService {
  return new AccountsManager(deps);
}
