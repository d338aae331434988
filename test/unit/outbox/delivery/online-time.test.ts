import { describe, expect, it } from 'vitest';
import { onlineMsBetween, type OfflineSpan } from '../../../../main/outbox/delivery/online-time.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('onlineMsBetween', () => {
  it.each<[string, number, number, OfflineSpan[], number]>([
    ['no offline span seen: the whole gap, before this process started or not', 0, 5 * HOUR, [], 5 * HOUR],
    ['a span inside the gap is taken off', 0, 5 * HOUR, [{ from: HOUR, to: 3 * HOUR }], 3 * HOUR],
    [
      'a span that began before the gap counts from its start',
      HOUR,
      2 * HOUR,
      [{ from: 0, to: 90 * MIN }],
      30 * MIN,
    ],
    ['a span still open runs to the end of the gap', 0, HOUR, [{ from: 40 * MIN }], 40 * MIN],
    ['spans outside the gap do not count', HOUR, 2 * HOUR, [{ from: 0, to: HOUR }, { from: 3 * HOUR }], HOUR],
    [
      'several spans add up',
      0,
      HOUR,
      [
        { from: 0, to: 10 * MIN },
        { from: 20 * MIN, to: 30 * MIN },
      ],
      40 * MIN,
    ],
    ['offline all along: nothing', 0, HOUR, [{ from: -HOUR }], 0],
    ['an empty gap: nothing', HOUR, HOUR, [], 0],
    ['a clock that went back: nothing', 2 * HOUR, HOUR, [], 0],
  ])('%s', (_name, from, to, offline, expected) => {
    expect(onlineMsBetween(from, to, offline)).toBe(expected);
  });
});
