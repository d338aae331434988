import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareOutboxItems, cursorOf } from '../../../preload/contract/outbox-page.ts';
import type { QueueItem, QueueState } from '../../../preload/contract/outbox.ts';
import { findIn, indexIn, mergeInto, placeIn } from '../../../renderer/src/shared/outbox-rows.ts';
import { sampleItem } from '../../support/sample-item.ts';

const item = (id: string, state: QueueState, second: number): QueueItem =>
  sampleItem(id, { state, createdAt: `2026-01-01T00:00:0${String(second)}.000Z` });

const anItem = fc
  .record({
    id: fc.integer({ min: 0, max: 99 }),
    state: fc.constantFrom<QueueState>('queued', 'sending', 'failed'),
    second: fc.integer({ min: 0, max: 5 }),
  })
  .map(({ id, state, second }) => item(`m${String(id)}`, state, second));
/** Rows as the mirror holds them: one copy a message, in the screen's order. */
const someRows = fc
  .uniqueArray(anItem, { selector: (each) => each.id, maxLength: 40 })
  .map((rows) => rows.toSorted(compareOutboxItems));

describe('outbox rows in the screen’s order', () => {
  it('placeIn is the number of rows before the place', () => {
    fc.assert(
      fc.property(someRows, anItem, (rows, each) => {
        const before = rows.filter((row) => compareOutboxItems(row, each) < 0).length;
        expect(placeIn(rows, cursorOf(each))).toBe(before);
      }),
    );
  });

  it('indexIn and findIn find a message by id and creation time, sending or not', () => {
    fc.assert(
      fc.property(someRows, (rows) => {
        rows.forEach((row, index) => {
          const key = { id: row.id, createdAt: row.createdAt };
          expect(indexIn(rows, key)).toBe(index);
          expect(findIn(rows, key)).toBe(row);
        });
        expect(indexIn(rows, item('absent', 'sending', 0))).toBe(-1);
        expect(findIn(rows, item('absent', 'queued', 0))).toBeUndefined();
      }),
    );
  });

  it('mergeInto puts a sorted run at its places', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(anItem, { selector: (each) => each.id, maxLength: 60 }),
        fc.nat(),
        (all, split) => {
          const cut = split % (all.length + 1);
          const rows = all.slice(0, cut).toSorted(compareOutboxItems);
          mergeInto(rows, all.slice(cut).toSorted(compareOutboxItems));
          expect(rows).toEqual(all.toSorted(compareOutboxItems));
        },
      ),
    );
  });
});
