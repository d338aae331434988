import { describe, expect, it } from 'vitest';
import { createConnectivity, PROBE_MS, POLL_MS } from '../../../../main/outbox/delivery/connectivity.ts';
import { createFakeClock } from '../../../support/fake-clock.ts';

function setup() {
  const clock = createFakeClock(0);
  const platform = { online: true };
  const connectivity = createConnectivity({ clock, isOnline: () => platform.online });
  const changes: boolean[] = [];
  connectivity.onChange((online) => changes.push(online));
  connectivity.start();
  return { clock, platform, connectivity, changes };
}

describe('connectivity', () => {
  it('counts only online time between two instants', () => {
    const { clock, platform, connectivity } = setup();
    clock.advance(10_000);
    platform.online = false;
    connectivity.reportOffline();
    clock.advance(3_600_000);
    platform.online = true;
    connectivity.reportReachable();
    clock.advance(5_000);
    expect(connectivity.onlineMsBetween(0, clock.now())).toBe(15_000);
    expect(connectivity.onlineMsBetween(20_000, 30_000)).toBe(0);
  });

  it('counts time before this process started as online: it saw nothing else (a cron flush)', () => {
    const { clock, connectivity } = setup();
    clock.advance(5_000);
    expect(connectivity.onlineMsBetween(-3_600_000, clock.now())).toBe(3_605_000);
  });

  it('trusts the platform saying offline, and tries again when it says online', () => {
    const { clock, platform, connectivity, changes } = setup();
    platform.online = false;
    clock.advance(POLL_MS);
    expect(connectivity.online).toBe(false);
    platform.online = true;
    clock.advance(POLL_MS);
    expect(connectivity.online).toBe(true);
    expect(changes).toEqual([false, true]);
  });

  it('after a failure while the platform claims online, probes again only now and then', () => {
    const { clock, connectivity, changes } = setup();
    connectivity.reportOffline();
    clock.advance(PROBE_MS - POLL_MS);
    expect(connectivity.online).toBe(false);
    clock.advance(POLL_MS);
    expect(connectivity.online).toBe(true);
    expect(changes).toEqual([false, true]);
  });

  it('takes hints (renderer events, wake from sleep) and says so once per change', () => {
    const { connectivity, changes } = setup();
    connectivity.hint(false);
    connectivity.hint(false);
    connectivity.hint(true);
    expect(changes).toEqual([false, true]);
  });
});
