import { describe, expect, it } from 'vitest';
import { backoffMs, nextRetry } from '../../../../main/outbox/delivery/retry-policy.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('backoffMs', () => {
  it.each([
    // failures, random, expected delay
    [1, 0.5, 1 * MIN],
    [2, 0.5, 2 * MIN],
    [3, 0.5, 4 * MIN],
    [6, 0.5, 32 * MIN],
    [7, 0.5, HOUR],
    [50, 0.5, HOUR],
    [1, 0, 0.75 * MIN],
    [1, 0.999_999, 1.25 * MIN],
    [7, 0, 0.75 * HOUR],
    [7, 0.999_999, 1.25 * HOUR],
  ])('after %i failure(s) with random %d waits %d ms', (failures, random, expected) => {
    expect(backoffMs(failures, random)).toBeCloseTo(expected, -1);
  });
});

describe('nextRetry', () => {
  const now = Date.parse('2026-01-05T09:00:00Z');
  it.each([
    // online time spent, lifetime, decision
    [0, 120 * HOUR, 'retry'],
    [120 * HOUR - 1, 120 * HOUR, 'retry'],
    [120 * HOUR, 120 * HOUR, 'give_up'],
    [2 * HOUR, HOUR, 'give_up'],
  ] as const)('with %d ms online of a %d ms lifetime: %s', (onlineMsSpent, lifetimeMs, kind) => {
    const decision = nextRetry({ failures: 3, onlineMsSpent, lifetimeMs, now, random: 0.5 });
    expect(decision.kind).toBe(kind);
    if (decision.kind === 'retry') expect(decision.at).toBe(now + 4 * MIN);
  });
});
