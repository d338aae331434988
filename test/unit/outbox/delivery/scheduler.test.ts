import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { AccountThrottle } from '../../../../main/outbox/delivery/account-throttle.ts';
import { createConnectivity } from '../../../../main/outbox/delivery/connectivity.ts';
import { DueQueue } from '../../../../main/outbox/delivery/due-queue.ts';
import { InFlight } from '../../../../main/outbox/delivery/in-flight.ts';
import { Scheduler } from '../../../../main/outbox/delivery/scheduler.ts';
import { createFakeClock } from '../../../support/fake-clock.ts';
import { sampleRecord } from '../../../support/sample-record.ts';

function scheduler() {
  const clock = createFakeClock();
  const due = new DueQueue(() => true);
  const started: string[] = [];
  const scheduler = new Scheduler({
    clock,
    connectivity: createConnectivity({ clock, isOnline: () => true }),
    due,
    inFlight: new InFlight(),
    throttle: new AccountThrottle(() => undefined),
    accountOpen: () => true,
    start: (id: string) => started.push(id),
  });
  return { clock, due, started, scheduler };
}

describe('scheduler', () => {
  it('starts what is due once it delivers', async () => {
    const { clock, due, started, scheduler: s } = scheduler();
    due.push(sampleRecord('a'), clock.now());
    s.wake();
    await tick();
    expect(started).toEqual([]);
    s.deliver();
    await tick();
    expect(started).toEqual(['a']);
  });

  // The outbox's stop can race a poll tick that takes the deliverer lock and calls deliver(); the
  // old engine's stop was for good, and so is this one's.
  it('starts nothing after stop, even when told to deliver again', async () => {
    const { clock, due, started, scheduler: s } = scheduler();
    s.deliver();
    s.stop();
    due.push(sampleRecord('a'), clock.now());
    s.deliver();
    s.wake();
    await tick();
    expect(started).toEqual([]);
  });
});
