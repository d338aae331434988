const HOUR_MS = 3_600_000;

/** An account-wide wait: from `since` (when the server was found closing) until `until`. */
export interface Wait {
  readonly since: number;
  readonly until: number;
  readonly blocks: number;
}

/**
 * Per account, what holds its messages back besides their own due times: an account-wide wait
 * after the server was unreachable or closing (421), and the user's own hourly limit.
 */
export class AccountThrottle {
  private readonly waits = new Map<string, Wait>();
  /** Attempts started in the last hour, per account with an hourly limit. */
  private readonly recentStarts = new Map<string, number[]>();
  private readonly ratePerHour: (accountId: string) => number | undefined;

  constructor(ratePerHour: (accountId: string) => number | undefined) {
    this.ratePerHour = ratePerHour;
  }

  /** Account-wide waits in a row so far. */
  blocks(accountId: string): number {
    return this.waits.get(accountId)?.blocks ?? 0;
  }

  block(accountId: string, wait: Wait): void {
    this.waits.set(accountId, wait);
  }

  /** Ends the account's wait (all accounts' without an id): it answered, or the user asked. */
  unblock(accountId?: string): void {
    if (accountId === undefined) this.waits.clear();
    else this.waits.delete(accountId);
  }

  /** Ends the waits that began before `time`: a flush ends older waits, not those it just met. */
  unblockBefore(time: number): void {
    for (const [accountId, wait] of this.waits) if (wait.since < time) this.waits.delete(accountId);
  }

  recordStart(accountId: string, now: number): void {
    if (this.ratePerHour(accountId) === undefined) return;
    this.recentStarts.set(accountId, [...(this.recentStarts.get(accountId) ?? []), now]);
  }

  /** How many more attempts the account may start now (0 while it waits). */
  allowance(accountId: string, now: number): number {
    if ((this.waits.get(accountId)?.until ?? 0) > now) return 0;
    const limit = this.ratePerHour(accountId);
    if (limit === undefined) return Infinity;
    const starts = (this.recentStarts.get(accountId) ?? []).filter((t) => t > now - HOUR_MS);
    this.recentStarts.set(accountId, starts);
    return limit - starts.length;
  }

  /** When an account with no allowance now may start again, if that depends on time alone. */
  opensAt(accountId: string, now: number): number | undefined {
    const times: number[] = [];
    const until = this.waits.get(accountId)?.until;
    if (until !== undefined && until > now) times.push(until);
    const limit = this.ratePerHour(accountId);
    const starts = this.recentStarts.get(accountId) ?? [];
    if (limit !== undefined && starts.length >= limit) {
      times.push((starts[starts.length - limit] ?? 0) + HOUR_MS);
    }
    return times.length > 0 ? Math.min(...times) : undefined;
  }
}
