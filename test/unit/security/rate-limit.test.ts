import { describe, expect, test } from 'vitest';
import { BRIDGE_LIMITS, createBridgeLimits, rateLimited } from '../../../main/security/bridge-limits.ts';
import { RateLimiter, refilled, waitFor, type BucketRule } from '../../../main/security/rate-limit.ts';
import { createFakeClock } from '../../support/fake-clock.ts';

const SECOND = 1000;
const MB = 1_000_000;
const rule: BucketRule = { capacity: 10, refillMs: 60 * SECOND };

describe('a token bucket', () => {
  test.each<[string, number, number, number]>([
    // name, tokens, cost, wait (ms)
    ['full, any cost up to its capacity goes now', 10, 10, 0],
    ['empty, one token takes a tenth of the refill', 0, 1, 6 * SECOND],
    ['half full, a full bucket’s worth waits for the other half', 5, 10, 30 * SECOND],
    ['a cost over the capacity waits only for a full bucket', 0, 1000, 60 * SECOND],
    ['a cost over the capacity goes when the bucket is full', 10, 1000, 0],
    ['nothing costs nothing', 0, 0, 0],
  ])('%s', (_name, tokens, cost, wait) => {
    expect(waitFor({ tokens, at: 0 }, rule, cost)).toBe(wait);
  });

  test.each<[string, number, number, number]>([
    ['time refills evenly', 0, 30 * SECOND, 5],
    ['never past the capacity', 8, 3_600 * SECOND, 10],
    ['a clock set back refills nothing', 4, -3_600 * SECOND, 4],
  ])('%s', (_name, tokens, elapsed, after) => {
    expect(refilled({ tokens, at: 1_000_000 }, rule, 1_000_000 + elapsed).tokens).toBe(after);
  });
});

describe('buckets taken from together', () => {
  const limiter = (clock = createFakeClock()) =>
    new RateLimiter({ messages: rule, bytes: { capacity: 100, refillMs: 60 * SECOND } }, clock);

  test('a burst up to the capacity goes; the next waits until one token is back', () => {
    const clock = createFakeClock();
    const limits = limiter(clock);
    for (let i = 0; i < 10; i++) expect(limits.take({ messages: 1, bytes: 1 }).ok).toBe(true);
    expect(limits.take({ messages: 1, bytes: 1 })).toEqual({ ok: false, waitMs: 6 * SECOND });
    clock.advance(6 * SECOND);
    expect(limits.take({ messages: 1, bytes: 1 }).ok).toBe(true);
  });

  test('refused by one bucket, a request takes from neither', () => {
    const limits = limiter();
    expect(limits.take({ messages: 1, bytes: 90 }).ok).toBe(true);
    expect(limits.take({ messages: 1, bytes: 20 })).toEqual({ ok: false, waitMs: 6 * SECOND });
    // The messages bucket lost nothing to the refusal: 9 more go.
    for (let i = 0; i < 9; i++) expect(limits.take({ messages: 1, bytes: 1 }).ok).toBe(true);
    expect(limits.take({ messages: 1, bytes: 0 }).ok).toBe(false);
  });

  test('a refund gives back what a request took', () => {
    const limits = limiter();
    const first = limits.take({ messages: 10, bytes: 100 });
    expect(limits.take({ messages: 1, bytes: 1 }).ok).toBe(false);
    if (!first.ok) throw new Error('refused');
    first.refund();
    expect(limits.take({ messages: 10, bytes: 100 }).ok).toBe(true);
  });
});

describe('the app’s limits leave a person alone', () => {
  test('100 messages at once; then one every 6 s', () => {
    const clock = createFakeClock();
    const { enqueue } = createBridgeLimits({ clock });
    for (let i = 0; i < 100; i++) expect(enqueue.take({ messages: 1, bytes: 20_000 }).ok).toBe(true);
    expect(enqueue.take({ messages: 1, bytes: 20_000 })).toEqual({ ok: false, waitMs: 6 * SECOND });
    clock.advance(6 * SECOND);
    expect(enqueue.take({ messages: 1, bytes: 20_000 }).ok).toBe(true);
  });

  test('a 200 MB attachment sent five times in a row; a 2 GB one alone', () => {
    const clock = createFakeClock();
    const { enqueue } = createBridgeLimits({ clock });
    for (let i = 0; i < 5; i++) expect(enqueue.take({ messages: 1, bytes: 200 * MB }).ok).toBe(true);
    const sixth = enqueue.take({ messages: 1, bytes: 200 * MB });
    expect(sixth.ok).toBe(false);
    clock.advance(10 * 60 * SECOND);
    expect(enqueue.take({ messages: 1, bytes: 2000 * MB }).ok).toBe(true);
  });

  test('5 connection tests in a row, then one every 6 s, and the refusal says how long to wait', () => {
    const clock = createFakeClock();
    const { connectionTests } = createBridgeLimits({ clock });
    for (let i = 0; i < 5; i++) expect(connectionTests.take({ tests: 1 }).ok).toBe(true);
    const refused = connectionTests.take({ tests: 1 });
    expect(refused).toEqual({ ok: false, waitMs: 6 * SECOND });
    expect(rateLimited('connection tests', 6 * SECOND).toErrorInfo()).toEqual({
      code: 'rate_limited',
      message: 'Too many connection tests; wait 6 s and try again.',
    });
    expect(rateLimited('messages', 10 * 60 * SECOND).message).toBe(
      'Too many messages; wait 10 min and try again.',
    );
    expect(BRIDGE_LIMITS.drafts).toEqual({ count: 200, bytes: 50 * 1024 * 1024 });
  });
});
