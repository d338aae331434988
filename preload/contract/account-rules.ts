import type { AccountInput } from './accounts.ts';

/**
 * Where a saved password is sent: changing any of these forgets it, since the password was given for
 * one server and user name, and sent anywhere else it would go where the person who typed it never
 * meant it to (a compromised window could pick the host).
 */
export const PASSWORD_BOUND_FIELDS = ['host', 'port', 'security', 'username'] as const;

type PasswordBound = Pick<AccountInput, (typeof PASSWORD_BOUND_FIELDS)[number]>;

/** Whether applying `patch` to `current` sends the saved password somewhere else. */
export function movesPassword(patch: Partial<PasswordBound>, current: PasswordBound): boolean {
  return PASSWORD_BOUND_FIELDS.some((key) => Object.hasOwn(patch, key) && patch[key] !== current[key]);
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
