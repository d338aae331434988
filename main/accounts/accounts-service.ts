import { randomUUID } from 'node:crypto';
import type { Resolver } from 'node:dns/promises';
import { movesPassword } from '../../preload/contract/account-rules.ts';
import type {
  Account,
  AccountInput,
  ConnectionReport,
  Provider,
  SenderDomainReport,
} from '../../preload/contract/accounts.ts';
import type { CallParsedInput } from '../../preload/contract/channels.ts';
import type { ErrorInfo } from '../../preload/contract/errors.ts';
import type { AccountsPort, EventSink, QueuePort } from '../core/ports.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../errors/logger.ts';
import type { SmtpEndpoint } from '../smtp/smtp-endpoint.ts';
import { normaliseFingerprint } from '../smtp/transport-options.ts';
import type { AccountPatch, AccountStore, InternalFields, StoredAccount } from './account-store.ts';
import { domainOf } from '../mail/address.ts';
import { testConnection, type ConnectionTestTimeouts, type SeenCertificate } from './connection-test.ts';
import { signInFor, type Credentials, type SecretKind } from './credentials.ts';
import { dkimPublicKey } from './dkim.ts';
import { detectPreset } from './provider-presets.ts';
import { checkSenderDomain } from './sender-domain-check.ts';

export interface AccountsServiceDeps {
  readonly store: AccountStore;
  readonly credentials: Credentials;
  /** Read when needed: the outbox is built after the accounts. */
  readonly queue: () => QueuePort;
  readonly emit: EventSink;
  readonly log: Logger;
  readonly resolver: Resolver;
  readonly testTimeouts?: ConnectionTestTimeouts;
}

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
  /** The provider preset for an address, by its domain or its MX records. */
  presetFor(address: string): Promise<Provider | null>;
}

export function createAccountsService(deps: AccountsServiceDeps): AccountsService {
  const { store, credentials, emit, log } = deps;
  const listeners = new Set<(accountId: string) => void>();
  /** The certificate each account's server showed at its last test: only that one may be pinned. */
  const seenCertificates = new Map<string, SeenCertificate>();

  function changed(accountId: string, { notifyOutbox }: { notifyOutbox: boolean }): void {
    emit('accounts:changed', store.list());
    if (!notifyOutbox) return;
    for (const listener of listeners) {
      try {
        listener(accountId);
      } catch (error) {
        log.error('An accounts listener failed', { accountId, error });
      }
    }
  }

  /** After the user acts on an account, delivery may try again: their fix is the answer to the attention. */
  function userChange(id: string, internal: InternalFields = {}): Account {
    const account = store.setInternal(id, { ...internal, attention: undefined });
    changed(id, { notifyOutbox: true });
    return account;
  }

  /** The pin to store for a requested fingerprint: only the certificate this session's test showed. */
  function pinFor(id: string, fingerprint: string): InternalFields {
    const seen = seenCertificates.get(id);
    const wanted = normaliseFingerprint(fingerprint);
    if (!seen || normaliseFingerprint(seen.fingerprint) !== wanted) {
      throw new AppError(
        'invalid_state',
        'Only the certificate shown by the last connection test can be pinned. Run the test again and compare the fingerprint.',
        { field: 'fingerprint' },
      );
    }
    return { pinnedCertSha256: wanted, pinnedCertPem: seen.pem };
  }

  async function readSecret(account: StoredAccount, kind: SecretKind): Promise<string | undefined> {
    const present = kind === 'password' ? account.hasPassword : account.hasDkimKey;
    return present ? credentials.read(account.id, kind) : undefined;
  }

  /**
   * Deletes a secret even when the flag says there is none (an earlier write may have reached the
   * keychain without the flag being saved). Only a secret we know exists makes a keychain failure fatal.
   */
  async function removeSecret(account: StoredAccount, kind: SecretKind): Promise<void> {
    try {
      await credentials.remove(account.id, kind);
    } catch (error) {
      if (kind === 'password' ? account.hasPassword : account.hasDkimKey) throw error;
      log.warn('Could not check the keychain for a leftover secret', { accountId: account.id, kind });
    }
  }

  const service: AccountsService = {
    find: (accountId) => store.list().find((account) => account.id === accountId),
    list: () => store.list(),

    async endpoint(accountId) {
      const account = store.get(accountId);
      const auth = await signInFor(account, (kind) => readSecret(account, kind));
      if (!auth) {
        throw new AppError(
          'auth_required',
          `No password is saved for "${account.label}". Enter it in the account settings.`,
        );
      }
      let dkim: SmtpEndpoint['dkim'];
      if (account.dkim && account.hasDkimKey) {
        const privateKey = await readSecret(account, 'dkim');
        if (privateKey === undefined) {
          throw new AppError(
            'invalid_dkim_key',
            `The DKIM key of "${account.label}" is no longer in the keychain. Set it again, or turn DKIM off.`,
          );
        }
        dkim = { domainName: account.dkim.domain, keySelector: account.dkim.selector, privateKey };
      }
      return {
        host: account.host,
        port: account.port,
        security: account.security,
        auth,
        ...(account.pinnedCertSha256 && account.pinnedCertPem
          ? { pinnedCert: { sha256: account.pinnedCertSha256, pem: account.pinnedCertPem } }
          : {}),
        ...(dkim ? { dkim } : {}),
      };
    },

    setAttention(accountId, error: ErrorInfo | undefined) {
      const account = store.find(accountId);
      if (!account || JSON.stringify(account.attention) === JSON.stringify(error)) return;
      store.setInternal(accountId, { attention: error });
      changed(accountId, { notifyOutbox: false });
    },

    rememberServerSizeLimit(accountId, bytes) {
      const account = store.find(accountId);
      if (!account || account.serverSizeLimit === bytes) return;
      store.setInternal(accountId, { serverSizeLimit: bytes });
      changed(accountId, { notifyOutbox: false });
    },

    onChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },

    create(input) {
      const account = store.create(input, randomUUID(), new Date().toISOString());
      log.info('Account created', { accountId: account.id });
      changed(account.id, { notifyOutbox: true });
      return account;
    },

    async update(id, patch) {
      const current = store.get(id);
      let internal: InternalFields = { attention: undefined };
      // The saved password was given for one server and user name; sent anywhere else, it would go
      // where the person who typed it never meant it to (a compromised window could pick the host).
      const forgetPassword = current.hasPassword && movesPassword(patch, current);
      if (forgetPassword) internal = { ...internal, hasPassword: false };
      if (Object.hasOwn(patch, 'pinnedCertSha256') && patch.pinnedCertSha256 !== current.pinnedCertSha256) {
        internal = {
          ...internal,
          ...(patch.pinnedCertSha256 === undefined
            ? { pinnedCertPem: undefined }
            : pinFor(id, patch.pinnedCertSha256)),
        };
      }
      const account = store.update(id, patch, internal);
      changed(id, { notifyOutbox: true });
      if (forgetPassword) {
        // Unused from now on (the flag is off); a keychain that refuses keeps it only until the
        // next password saved or the account's removal overwrites or deletes it.
        await credentials.remove(id, 'password').catch(() => {
          log.warn('The old password could not be removed from the keychain', { accountId: id });
        });
      }
      return account;
    },

    async remove({ id, queued }) {
      const account = store.get(id);
      const queue = deps.queue();
      const pending = queue.countPending(id) > 0;
      if (pending && queued.action === 'move') {
        if (queued.toAccountId === id) {
          throw new AppError('invalid_input', 'Choose another account to move the queued messages to.', {
            field: 'queued.toAccountId',
          });
        }
        store.get(queued.toAccountId);
      }
      // Secrets first: a keychain that refuses (locked) stops the deletion before the queued mail
      // is held or moved, and a second try finds the ones already gone absent, which is fine.
      await removeSecret(account, 'password');
      await removeSecret(account, 'dkim');
      if (pending) {
        if (queued.action === 'move') await queue.moveToAccount(id, queued.toAccountId);
        else await queue.holdAll(id);
      }
      store.remove(id);
      seenCertificates.delete(id);
      log.info('Account deleted', { accountId: id, queued: queued.action });
      changed(id, { notifyOutbox: true });
    },

    reorder(ids) {
      const accounts = store.reorder(ids);
      emit('accounts:changed', accounts);
      return accounts;
    },

    setDefault(id) {
      const account = store.setDefault(id);
      emit('accounts:changed', store.list());
      return account;
    },

    async setPassword(id, password) {
      store.get(id);
      await credentials.write(id, 'password', password);
      return userChange(id, { hasPassword: true });
    },

    async clearPassword(id) {
      store.get(id);
      await credentials.remove(id, 'password');
      return userChange(id, { hasPassword: false });
    },

    async setDkimKey(id, pem) {
      store.get(id);
      dkimPublicKey(pem);
      await credentials.write(id, 'dkim', pem);
      return userChange(id, { hasDkimKey: true });
    },

    async test(id) {
      const account = store.get(id);
      const { report, seenCertificate } = await testConnection(
        {
          host: account.host,
          port: account.port,
          security: account.security,
          ...(account.pinnedCertSha256 && account.pinnedCertPem
            ? { pinnedCert: { sha256: account.pinnedCertSha256, pem: account.pinnedCertPem } }
            : {}),
          auth: () => signInFor(account, (kind) => readSecret(account, kind)),
        },
        deps.testTimeouts,
      );
      if (seenCertificate) seenCertificates.set(id, seenCertificate);
      const size = report.capabilities?.size;
      if (size !== undefined && size > 0) service.rememberServerSizeLimit(id, size);
      if (report.ok && store.find(id)?.attention) service.setAttention(id, undefined);
      return report;
    },

    pinCertificate(id, fingerprint) {
      store.get(id);
      return userChange(id, pinFor(id, fingerprint));
    },

    async checkSenderDomain(id) {
      const account = store.get(id);
      const domain = account.dkim?.domain ?? domainOf(account.fromAddress);
      const privateKey = account.dkim ? await readSecret(account, 'dkim') : undefined;
      return checkSenderDomain(
        deps.resolver,
        domain,
        account.dkim && {
          selector: account.dkim.selector,
          publicKey: privateKey === undefined ? undefined : dkimPublicKey(privateKey),
        },
      );
    },

    presetFor: (address) => detectPreset(address, deps.resolver),

    setPaused(id, paused) {
      store.get(id);
      const account = store.setInternal(id, { paused });
      changed(id, { notifyOutbox: true });
      return account;
    },
  };
  return service;
}
