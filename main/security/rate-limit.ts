import type { Clock } from '../core/clock.ts';

/**
 * A token bucket: at most `capacity` tokens, refilled evenly so an empty bucket is full again after
 * `refillMs`. Capacity is the burst a person may need at once; capacity / refillMs the rate they
 * can keep up.
 */
export interface BucketRule {
  readonly capacity: number;
  readonly refillMs: number;
}

export interface BucketState {
  readonly tokens: number;
  /** When `tokens` was counted, on the limiter's clock. */
  readonly at: number;
}

export const fullBucket = (rule: BucketRule, now: number): BucketState => ({
  tokens: rule.capacity,
  at: now,
});

/** The bucket at `now`. A clock that went back (a changed system time) refills nothing. */
export function refilled(state: BucketState, rule: BucketRule, now: number): BucketState {
  const elapsed = Math.max(0, now - state.at);
  return {
    tokens: Math.min(rule.capacity, state.tokens + (elapsed * rule.capacity) / rule.refillMs),
    at: now,
  };
}

/**
 * What one request takes: a request larger than the whole bucket takes all of it, so it still goes
 * when the bucket is full (one big file the user chose) and only then waits a full refill.
 */
export const costIn = (rule: BucketRule, cost: number): number => Math.min(Math.max(0, cost), rule.capacity);

/** Milliseconds until the (refilled) bucket holds `cost`; 0 when it does now. */
export function waitFor(state: BucketState, rule: BucketRule, cost: number): number {
  const missing = costIn(rule, cost) - state.tokens;
  return missing <= 0 ? 0 : Math.ceil((missing * rule.refillMs) / rule.capacity);
}

export type Admission =
  { readonly ok: true; readonly refund: () => void } | { readonly ok: false; readonly waitMs: number };

/**
 * Buckets that are taken from together (messages and bytes, say): a request takes its cost from every
 * bucket or from none, so a refusal leaves them as they were. Synchronous, so calls that overlap
 * cannot both spend the same tokens.
 */
export class RateLimiter<K extends string> {
  readonly #rules: Readonly<Record<K, BucketRule>>;
  readonly #clock: Pick<Clock, 'now'>;
  readonly #states: Map<K, BucketState>;

  constructor(rules: Readonly<Record<K, BucketRule>>, clock: Pick<Clock, 'now'>) {
    this.#rules = rules;
    this.#clock = clock;
    this.#states = new Map(this.#keys().map((key) => [key, fullBucket(rules[key], clock.now())]));
  }

  #keys(): K[] {
    return Object.keys(this.#rules) as K[];
  }

  #state(key: K, now: number): BucketState {
    const rule = this.#rules[key];
    return refilled(this.#states.get(key) ?? fullBucket(rule, now), rule, now);
  }

  /** Takes `costs` now, or answers how long to wait; `refund` gives them back (the work was not done). */
  take(costs: Readonly<Record<K, number>>): Admission {
    const now = this.#clock.now();
    const states = this.#keys().map((key) => ({ key, rule: this.#rules[key], state: this.#state(key, now) }));
    const waitMs = Math.max(...states.map(({ state, rule, key }) => waitFor(state, rule, costs[key])));
    if (waitMs > 0) return { ok: false, waitMs };
    for (const { key, rule, state } of states) {
      this.#states.set(key, { tokens: state.tokens - costIn(rule, costs[key]), at: now });
    }
    return {
      ok: true,
      refund: () => {
        this.#refund(costs);
      },
    };
  }

  #refund(costs: Readonly<Record<K, number>>): void {
    const now = this.#clock.now();
    for (const key of this.#keys()) {
      const rule = this.#rules[key];
      const state = this.#state(key, now);
      this.#states.set(key, {
        tokens: Math.min(rule.capacity, state.tokens + costIn(rule, costs[key])),
        at: now,
      });
    }
  }
}
