import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { newestEntries } from '../../../main/outbox/outbox-service.ts';

describe('the newest entries of the queue', () => {
  test('are those a full sort would give first, newest first', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 300 }),
        fc.integer({ min: 0, max: 40 }),
        (times, count) => {
          const entries = times.map((createdAt, i) => ({ createdAt, i }));
          const got = newestEntries(entries, count).map((entry) => entry.createdAt);
          const all = times.toSorted((a, b) => b - a).slice(0, count);
          expect(got).toEqual(all);
        },
      ),
    );
  });

  test('an empty queue, or none asked', () => {
    expect(newestEntries([], 5)).toEqual([]);
    expect(newestEntries([{ createdAt: 1 }], 0)).toEqual([]);
  });
});
