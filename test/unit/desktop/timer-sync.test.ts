import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeliveryTimerSync } from '../../../main/desktop/timer-sync.ts';

describe('DeliveryTimerSync', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const scheduled = [
    { state: 'scheduled', sendAt: '2026-12-05T08:00:00.000Z' },
    { state: 'queued' },
    { state: 'scheduled', sendAt: '2026-12-06T09:30:00.000Z' },
  ];

  it('hands the scheduled times over once a burst of changes settles', async () => {
    vi.useFakeTimers();
    const calls: Date[][] = [];
    const sync = new DeliveryTimerSync(
      {
        refreshDeliveryTimer: (times) => {
          calls.push([...times]);
          return Promise.resolve();
        },
      },
      () => scheduled,
      () => {},
      1000,
    );
    for (let i = 0; i < 50; i++) sync.changed();
    await vi.advanceTimersByTimeAsync(999);
    expect(calls).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual([[new Date('2026-12-05T08:00:00.000Z'), new Date('2026-12-06T09:30:00.000Z')]]);
  });

  it('reports a refusal instead of throwing, and stop() cancels a pending look', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    let refreshed = 0;
    const sync = new DeliveryTimerSync(
      {
        refreshDeliveryTimer: () => {
          refreshed++;
          return Promise.reject(new Error('systemctl refused'));
        },
      },
      () => scheduled,
      (error) => errors.push(error),
      1000,
    );
    await sync.sync();
    expect(errors).toHaveLength(1);
    sync.changed();
    sync.stop();
    await vi.advanceTimersByTimeAsync(5000);
    expect(refreshed).toBe(1);
  });
});
