import type { ErrorInfo } from '../../preload/contract/errors.ts';
import type { AccountChange, AccountsPort, SenderAccount } from '../../main/core/ports.ts';
import { AppError } from '../../main/errors/app-error.ts';
import type { SmtpEndpoint } from '../../main/smtp/smtp-endpoint.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface TestAccountsPort extends AccountsPort {
  /** Edits an account the way the accounts area would, and tells the outbox. */
  update(id: string, patch: Partial<SenderAccount>): void;
  setEndpoint(id: string, endpoint: SmtpEndpoint): void;
}

/** An account directory in plain objects, standing in for main/accounts (which owns the keychain). */
export function createTestAccounts(
  accounts: readonly (Partial<SenderAccount> & { id: string; fromAddress: string; endpoint: SmtpEndpoint })[],
): TestAccountsPort {
  const byId = new Map<string, { account: Mutable<SenderAccount>; endpoint: SmtpEndpoint }>();
  for (const { endpoint, ...account } of accounts) {
    byId.set(account.id, {
      account: { label: account.id, displayName: '', aliases: [], paused: false, ...account },
      endpoint,
    });
  }
  const listeners = new Set<(id: string, change: AccountChange) => void>();
  const changed = (id: string, change: AccountChange = 'edited') => {
    for (const listener of listeners) listener(id, change);
  };
  const entry = (id: string) => {
    const found = byId.get(id);
    if (!found) throw new AppError('unknown_account', `No account ${id}.`);
    return found;
  };
  return {
    find: (id) => byId.get(id)?.account,
    list: () => [...byId.values()].map((e) => e.account),
    endpoint: (id) => Promise.resolve(entry(id).endpoint),
    setAttention(id: string, error: ErrorInfo | undefined) {
      const { account } = entry(id);
      if (JSON.stringify(account.attention) === JSON.stringify(error)) return;
      account.attention = error;
      changed(id, 'attention');
    },
    rememberServerSizeLimit(id, bytes) {
      entry(id).account.serverSizeLimit = bytes;
    },
    onChanged(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    update(id, patch) {
      Object.assign(entry(id).account, patch);
      changed(id);
    },
    setEndpoint(id, endpoint) {
      entry(id).endpoint = endpoint;
      // Fixing credentials clears the attention flag, as the accounts area does.
      entry(id).account.attention = undefined;
      changed(id);
    },
  };
}
