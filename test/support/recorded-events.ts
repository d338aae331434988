import type { EventName, EventPayload } from '../../preload/contract/channels.ts';
import type { TestCore } from './core-fixture.ts';

/** What the core pushed to the window, recorded from now on; `of(name)` lists one event's payloads. */
export function recordEvents(core: TestCore): { of<E extends EventName>(name: E): EventPayload<E>[] } {
  const events: { event: EventName; payload: unknown }[] = [];
  core.setEventSink((event, payload) => events.push({ event, payload }));
  // A recorder listens as a page that has loaded does: requests for the page come to it too.
  void core.handlers['app:ready'](undefined);
  return {
    of: <E extends EventName>(name: E) =>
      events.filter((e) => e.event === name).map((e) => e.payload as EventPayload<E>),
  };
}
