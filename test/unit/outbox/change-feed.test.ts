import { describe, expect, it } from 'vitest';
import { ChangeFeed } from '../../../main/outbox/change-feed.ts';
import { systemClock } from '../../../main/core/clock.ts';
import type { EventName, EventPayload } from '../../../preload/contract/channels.ts';
import type { QueueState } from '../../../preload/contract/outbox.ts';
import { sampleItem } from '../../support/sample-item.ts';

/** A feed over messages whose shown state is `states`, counting the items it builds. */
function feedOver(states: Map<string, QueueState>) {
  const sent: EventPayload<'outbox:changed'>[] = [];
  const built: string[] = [];
  const feed = new ChangeFeed({
    emit: <E extends EventName>(event: E, payload: EventPayload<E>) => {
      if (event === 'outbox:changed') sent.push(payload as EventPayload<'outbox:changed'>);
    },
    clock: systemClock,
    itemOf: (id) => {
      built.push(id);
      const state = states.get(id);
      return state && sampleItem(id, { state });
    },
    stateOf: (id) => states.get(id),
  });
  return { feed, sent, built };
}

describe('ChangeFeed', () => {
  it('sends a message whose shown state alone changed as its state, building no item', () => {
    const { feed, sent, built } = feedOver(
      new Map([
        ['a', 'held'],
        ['b', 'held'],
      ]),
    );
    feed.restated('a');
    feed.restated('b');
    feed.flush();
    expect(sent).toEqual([
      {
        upserted: [],
        removed: [],
        states: [
          { id: 'a', state: 'held' },
          { id: 'b', state: 'held' },
        ],
      },
    ]);
    expect(built).toEqual([]);
  });

  it('sends a message changed as a whole once, whichever came first in the turn', () => {
    const { feed, sent } = feedOver(
      new Map([
        ['a', 'deferred'],
        ['b', 'held'],
      ]),
    );
    feed.restated('a');
    feed.changed('a');
    feed.changed('b');
    feed.restated('b');
    feed.flush();
    expect(sent).toEqual([
      {
        upserted: [sampleItem('a', { state: 'deferred' }), sampleItem('b', { state: 'held' })],
        removed: [],
        states: [],
      },
    ]);
  });

  it('sends a removal, not a state, for a message gone in the same turn', () => {
    const { feed, sent } = feedOver(new Map([['b', 'queued']]));
    feed.restated('a');
    feed.removed('a');
    feed.restated('a');
    feed.restated('b');
    feed.flush();
    expect(sent).toEqual([{ upserted: [], removed: ['a'], states: [{ id: 'b', state: 'queued' }] }]);
  });

  it('goes out on its own, batched, after the turn', async () => {
    const { feed, sent } = feedOver(new Map([['a', 'held']]));
    feed.restated('a');
    expect(sent).toEqual([]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toHaveLength(1);
  });
});
