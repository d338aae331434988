import { addressParts } from './address.ts';
import type { AccountInput, OAuthSettings } from './accounts.ts';

/**
 * Where a saved password is sent: changing any of these forgets it, since the password was given for
 * one server and user name, and sent anywhere else it would go where the person who typed it never
 * meant it to (a compromised window could pick the host).
 */
export const PASSWORD_BOUND_FIELDS = ['host', 'port', 'security', 'username'] as const;

type PasswordBound = Pick<AccountInput, (typeof PASSWORD_BOUND_FIELDS)[number]>;

/**
 * Where mail signed with the saved DKIM key goes: changing any of these, or the From address's domain,
 * forgets the key. A page that could move the account to its own server would otherwise collect
 * messages it wrote with a valid DKIM-Signature of the user's domain, to replay anywhere.
 */
export const DKIM_BOUND_FIELDS = ['host', 'port', 'security'] as const;

type DkimBound = Pick<AccountInput, (typeof DKIM_BOUND_FIELDS)[number] | 'fromAddress'>;

function changes<T extends object>(patch: Partial<T>, current: T, fields: readonly (keyof T)[]): boolean {
  return fields.some((key) => Object.hasOwn(patch, key) && patch[key] !== current[key]);
}

/** The domain as mail routes it (IDNA, lower case), so `Example.COM` is no move. */
function senderDomain(address: string): string {
  return addressParts(address)?.domain ?? address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

/** Whether applying `patch` to `current` sends the saved password somewhere else. */
export function movesPassword(patch: Partial<PasswordBound>, current: PasswordBound): boolean {
  return changes(patch, current, PASSWORD_BOUND_FIELDS);
}

/** Whether applying `patch` to `current` sends mail signed with the saved DKIM key somewhere else. */
export function movesDkimKey(patch: Partial<DkimBound>, current: DkimBound): boolean {
  return (
    changes(patch, current, DKIM_BOUND_FIELDS) ||
    (patch.fromAddress !== undefined && senderDomain(patch.fromAddress) !== senderDomain(current.fromAddress))
  );
}

type OAuthBound = Pick<AccountInput, (typeof PASSWORD_BOUND_FIELDS)[number] | 'auth' | 'oauth'>;

function sameOAuth(a: OAuthSettings | undefined, b: OAuthSettings | undefined): boolean {
  return (
    a?.provider === b?.provider &&
    a?.issuer === b?.issuer &&
    a?.clientId === b?.clientId &&
    (a?.scopes ?? []).join(' ') === (b?.scopes ?? []).join(' ')
  );
}

/**
 * Whether applying `patch` to `current` forgets the OAuth2 refresh token: it was granted for one
 * provider, client and scopes, and its access tokens go to one server as one user, so changing
 * any of those (or signing in another way) needs a new sign-in.
 */
export function movesOAuthToken(patch: Partial<OAuthBound>, current: OAuthBound): boolean {
  return (
    changes(patch, current, PASSWORD_BOUND_FIELDS) ||
    (Object.hasOwn(patch, 'oauth') && !sameOAuth(patch.oauth, current.oauth)) ||
    (patch.auth !== undefined && patch.auth !== 'oauth2')
  );
}

/**
 * The largest message an account takes, in bytes: its own limit or the SIZE its server advertised,
 * whichever is smaller; undefined when neither is known. SIZE 0 means "no fixed limit" (RFC 1870 §4).
 */
export function messageSizeLimit(account: {
  readonly maxMessageBytes?: number | undefined;
  readonly serverSizeLimit?: number | undefined;
}): number | undefined {
  const limits = [account.maxMessageBytes, account.serverSizeLimit].filter(
    (limit): limit is number => limit !== undefined && limit > 0,
  );
  return limits.length > 0 ? Math.min(...limits) : undefined;
}
