import type { Logger } from '../errors/logger.ts';
import type { AccessTokens } from '../oauth/oauth-ports.ts';
import type { SmtpAuth } from '../smtp/sign-in.ts';
import type { StoredAccount } from './account-store.ts';
import { signInFor, type Credentials, type SecretKind } from './credentials.ts';

function flagged(account: StoredAccount, kind: SecretKind): boolean {
  switch (kind) {
    case 'password':
      return account.hasPassword;
    case 'dkim':
      return account.hasDkimKey;
    case 'oauth':
      return account.hasOAuthToken;
  }
}

/**
 * An account's secrets as the service handles them: read only when the account's flag says one was
 * saved, and removed carefully when the account is deleted or its password no longer applies.
 */
export class AccountSecrets {
  readonly #credentials: Credentials;
  readonly #log: Logger;
  readonly #tokens: AccessTokens;

  constructor(credentials: Credentials, log: Logger, tokens: AccessTokens) {
    this.#credentials = credentials;
    this.#log = log;
    this.#tokens = tokens;
  }

  async read(account: StoredAccount, kind: SecretKind): Promise<string | undefined> {
    return flagged(account, kind) ? this.#credentials.read(account.id, kind) : undefined;
  }

  write(accountId: string, kind: SecretKind, secret: string): Promise<void> {
    return this.#credentials.write(accountId, kind, secret);
  }

  remove(accountId: string, kind: SecretKind): Promise<void> {
    return this.#credentials.remove(accountId, kind);
  }

  /** How the account signs in now; `undefined` when the password it needs was never saved. */
  signIn(account: StoredAccount): Promise<SmtpAuth | undefined> {
    return signInFor(account, (kind) => this.read(account, kind), this.#tokens);
  }

  /**
   * Deletes a secret of an account being deleted even when the flag says there is none (an earlier
   * write may have reached the keychain without the flag being saved). Only a secret we know exists
   * makes a keychain failure fatal.
   */
  async removeLeftover(account: StoredAccount, kind: SecretKind): Promise<void> {
    try {
      await this.#credentials.remove(account.id, kind);
    } catch (error) {
      if (flagged(account, kind)) throw error;
      this.#log.warn('Could not check the keychain for a leftover secret', { accountId: account.id, kind });
    }
  }

  /**
   * Drops a secret the account no longer uses (its flag is already off); a keychain that refuses
   * keeps it only until the next one saved or the account's removal overwrites or deletes it.
   */
  async forgetUnused(accountId: string, kind: SecretKind): Promise<void> {
    await this.#credentials.remove(accountId, kind).catch(() => {
      this.#log.warn('An unused secret could not be removed from the keychain', { accountId, kind });
    });
  }
}
