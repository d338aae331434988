import { describe, expect, it } from 'vitest';
import { AccountThrottle } from '../../../../main/outbox/delivery/account-throttle.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const now = Date.parse('2026-01-05T09:00:00Z');

describe('AccountThrottle', () => {
  it('lets an account without an hourly limit start any number of attempts', () => {
    const throttle = new AccountThrottle(() => undefined);
    for (let i = 0; i < 100; i++) throttle.recordStart('work', now);
    expect(throttle.allowance('work', now)).toBe(Infinity);
    expect(throttle.opensAt('work', now)).toBeUndefined();
  });

  it('keeps to the hourly limit, counting the starts of the last hour only', () => {
    const throttle = new AccountThrottle(() => 2);
    throttle.recordStart('work', now);
    expect(throttle.allowance('work', now)).toBe(1);
    throttle.recordStart('work', now + 10 * MIN);
    expect(throttle.allowance('work', now + 10 * MIN)).toBe(0);
    expect(throttle.opensAt('work', now + 10 * MIN)).toBe(now + HOUR);
    expect(throttle.allowance('work', now + HOUR)).toBe(1);
    expect(throttle.allowance('work', now + HOUR + 10 * MIN)).toBe(2);
  });

  it('holds a blocked account until its wait ends, then counts blocks until unblocked', () => {
    const throttle = new AccountThrottle(() => undefined);
    throttle.block('work', { since: now, until: now + MIN, blocks: 1 });
    expect(throttle.allowance('work', now)).toBe(0);
    expect(throttle.allowance('home', now)).toBe(Infinity);
    expect(throttle.opensAt('work', now)).toBe(now + MIN);
    expect(throttle.allowance('work', now + MIN)).toBe(Infinity);
    expect(throttle.blocks('work')).toBe(1);
    throttle.unblock('work');
    expect(throttle.blocks('work')).toBe(0);
  });

  it('opens at the earlier of a wait’s end and the hourly limit’s', () => {
    const throttle = new AccountThrottle(() => 1);
    throttle.recordStart('work', now);
    throttle.block('work', { since: now, until: now + 2 * HOUR, blocks: 3 });
    expect(throttle.opensAt('work', now)).toBe(now + HOUR);
    throttle.block('work', { since: now, until: now + MIN, blocks: 4 });
    expect(throttle.opensAt('work', now)).toBe(now + MIN);
  });

  it('unblocks every account at once (back online, flush)', () => {
    const throttle = new AccountThrottle(() => undefined);
    throttle.block('work', { since: now, until: now + MIN, blocks: 1 });
    throttle.block('home', { since: now, until: now + MIN, blocks: 2 });
    throttle.unblock();
    expect(throttle.allowance('work', now)).toBe(Infinity);
    expect(throttle.allowance('home', now)).toBe(Infinity);
  });

  it('ends only the waits that began before a flush was asked for', () => {
    const throttle = new AccountThrottle(() => undefined);
    throttle.block('work', { since: now - MIN, until: now + MIN, blocks: 1 });
    // Met by the flush's own attempt: it stands, or one flush would knock twice.
    throttle.block('home', { since: now + 1, until: now + MIN, blocks: 1 });
    throttle.unblockBefore(now);
    expect(throttle.allowance('work', now + 2)).toBe(Infinity);
    expect(throttle.allowance('home', now + 2)).toBe(0);
  });
});
