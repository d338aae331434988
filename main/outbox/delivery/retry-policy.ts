/**
 * When to try a message again, modelled on RFC 5321 §4.5.4 and Postfix's queue manager:
 * exponential backoff from 1 minute doubling to 1 hour, ±25 % jitter so that many messages
 * deferred together do not all come back together, and a lifetime measured in time spent online.
 */
export const FIRST_BACKOFF_MS = 60_000;
export const MAX_BACKOFF_MS = 3_600_000;
export const JITTER = 0.25;

/** The delay before the next try after `failures` failed attempts (1 or more). `random` is in [0, 1). */
export function backoffMs(failures: number, random: number): number {
  const base = Math.min(FIRST_BACKOFF_MS * 2 ** Math.max(0, failures - 1), MAX_BACKOFF_MS);
  return Math.round(base * (1 + (random * 2 - 1) * JITTER));
}

export interface RetryInput {
  /** Failed attempts so far, this one included. */
  readonly failures: number;
  /** Time spent online since the first attempt, this one included. */
  readonly onlineMsSpent: number;
  readonly lifetimeMs: number;
  readonly now: number;
  readonly random: number;
}

export type RetryDecision = { readonly kind: 'retry'; readonly at: number } | { readonly kind: 'give_up' };

export function nextRetry(input: RetryInput): RetryDecision {
  if (input.onlineMsSpent >= input.lifetimeMs) return { kind: 'give_up' };
  return { kind: 'retry', at: input.now + backoffMs(input.failures, input.random) };
}
