import type { Account } from '../../preload/contract/accounts.ts';
import type { Keychain } from '../core/ports.ts';
import { AppError } from '../errors/app-error.ts';
import type { AccessTokens } from '../oauth/oauth-ports.ts';
import type { SmtpAuth } from '../smtp/sign-in.ts';
import { oauthAccountOf, signInRequired } from './oauth-account.ts';

/** The keychain service every Outbox secret is filed under. */
export const KEYCHAIN_SERVICE = 'Outbox';

/** The password (or app password), the DKIM private key, and an OAuth2 refresh token. */
export type SecretKind = 'password' | 'dkim' | 'oauth';

const UNAVAILABLE_HINT =
  'Outbox keeps passwords only in the system keychain, and none is running. ' +
  'Start your desktop session\'s keyring (GNOME Keyring or KWallet, which provide the "Secret Service") and try again.';
/** What cron and other session-less processes get: the keychain is there, but not for them. */
const NO_SESSION_BUS_HINT =
  'The keychain cannot be reached from this process (no D-Bus session bus): run it in your desktop ' +
  'session, or set DBUS_SESSION_BUS_ADDRESS (for cron: DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$(id -u)/bus).';
const LOCKED_HINT =
  'The system keychain is locked. Unlock it (for example in "Passwords and Keys", or by signing in again) and try again.';

/** The keychain entry name: the account id for the password, `<id>:dkim` or `<id>:oauth` for the others. */
function keychainAccount(accountId: string, kind: SecretKind): string {
  return kind === 'password' ? accountId : `${accountId}:${kind}`;
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}

/**
 * Turns a keyring failure into a specific AppError. The messages come from the keyring crate
 * (`Couldn't access platform storage: …`), D-Bus, or the Secret Service itself.
 */
function keychainError(error: unknown, writing: boolean): AppError {
  const text = errorText(error);
  // libdbus with DBUS_SESSION_BUS_ADDRESS unset: "…autolaunch… set your DBUS_SESSION_BUS_ADDRESS".
  if (/DBUS_SESSION_BUS_ADDRESS/.test(text)) {
    return new AppError('keychain_unavailable', NO_SESSION_BUS_HINT, { cause: error });
  }
  if (/locked|unlock|prompt/i.test(text)) {
    return new AppError('keychain_locked', LOCKED_HINT, { cause: error });
  }
  if (
    /platform storage|secret service|d-?bus|ServiceUnknown|AccessDenied|NoReply|not provided by any/i.test(
      text,
    )
  ) {
    return new AppError('keychain_unavailable', UNAVAILABLE_HINT, { cause: error });
  }
  return writing
    ? new AppError('keychain_write_failed', 'The system keychain refused to save the secret.', {
        cause: error,
      })
    : new AppError('keychain_unavailable', UNAVAILABLE_HINT, { cause: error });
}

/**
 * The one module that touches secrets. Everything else learns only whether one exists. There is
 * deliberately no fallback store: if the keychain fails, the operation fails.
 */
export interface Credentials {
  read(accountId: string, kind: SecretKind): Promise<string | undefined>;
  write(accountId: string, kind: SecretKind, secret: string): Promise<void>;
  /** Removes the secret; absent already counts as done. */
  remove(accountId: string, kind: SecretKind): Promise<void>;
}

export function createCredentials(keychain: Keychain): Credentials {
  return {
    async read(accountId, kind) {
      try {
        return (await keychain.getPassword(KEYCHAIN_SERVICE, keychainAccount(accountId, kind))) ?? undefined;
      } catch (error) {
        throw keychainError(error, false);
      }
    },
    async write(accountId, kind, secret) {
      try {
        await keychain.setPassword(KEYCHAIN_SERVICE, keychainAccount(accountId, kind), secret);
      } catch (error) {
        throw keychainError(error, true);
      }
    },
    async remove(accountId, kind) {
      try {
        await keychain.deletePassword(KEYCHAIN_SERVICE, keychainAccount(accountId, kind));
      } catch (error) {
        throw keychainError(error, true);
      }
    },
  };
}

/**
 * How an account signs in, its secret read with `read` now: the one place an account's `auth`
 * setting becomes the SMTP sign-in that delivery and the connection test use. `undefined` when the
 * password it needs was never saved; an OAuth2 account never signed in throws oauth_signin_required.
 */
export async function signInFor(
  account: Pick<Account, 'id' | 'label' | 'auth' | 'username' | 'fromAddress' | 'oauth' | 'hasOAuthToken'>,
  read: (kind: SecretKind) => Promise<string | undefined>,
  tokens: AccessTokens,
): Promise<SmtpAuth | undefined> {
  const user = account.username || account.fromAddress;
  switch (account.auth) {
    case 'none':
      return { kind: 'none' };
    case 'oauth2': {
      const oauthAccount = oauthAccountOf(account);
      if (!oauthAccount || !account.hasOAuthToken) throw signInRequired(account);
      return {
        kind: 'xoauth2',
        user,
        token: (fresh, refused) => tokens.get(oauthAccount, { fresh, refused }),
      };
    }
    case 'password':
    case 'app-password': {
      const pass = await read('password');
      return pass === undefined ? undefined : { kind: 'password', user, pass };
    }
  }
}
