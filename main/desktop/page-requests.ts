import type { EventName, EventPayload } from '../../preload/contract/channels.ts';
import type { EventSink } from '../core/ports.ts';

/** The events that ask the page to open something: a screen (menu, tray) or a handed-over draft. */
export const PAGE_REQUEST_EVENTS = ['app:menuInvoked', 'drafts:handedOver'] as const;
type PageRequestEvent = (typeof PAGE_REQUEST_EVENTS)[number];

interface PageRequest {
  readonly event: PageRequestEvent;
  /** Checked as EventPayload<event> where it came in (`request`, or the core's sink). */
  readonly payload: unknown;
}

/** The sink as this class uses it: each payload was typed for its event when it came in. */
type UncheckedSink = (event: PageRequestEvent, payload: unknown) => void;

/** More than anyone clicks or hands over before a page loads; the oldest go first (drafts stay saved). */
export const MAX_WAITING_REQUESTS = 50;

export function isPageRequest(event: EventName): event is PageRequestEvent {
  return (PAGE_REQUEST_EVENTS as readonly EventName[]).includes(event);
}

/**
 * Requests for the page (the tray's "New message", a draft another program handed over) wait here
 * until the page says it listens. An event sent to a window still loading, or made a moment ago
 * because the last one was closed, reaches no listener and is lost; `did-finish-load` is no
 * promise either, as React subscribes in effects that run after it. Other events (queue changes)
 * need no waiting: the page reads the whole state when it starts.
 */
export class PageRequests {
  private listening = false;
  private readonly waiting: PageRequest[] = [];
  private readonly deliver: EventSink;
  private readonly send: UncheckedSink;

  constructor(send: EventSink) {
    this.deliver = send;
    this.send = send as UncheckedSink;
  }

  /** Sent now if the page listens, else kept, in order, until it does. */
  request<E extends PageRequestEvent>(event: E, payload: EventPayload<E>): void {
    this.take(event, payload);
  }

  /** The core's event sink: page requests held as `request` holds them, every other event sent at once. */
  sink(): EventSink {
    return (event, payload) => {
      if (isPageRequest(event)) this.take(event, payload);
      else this.deliver(event, payload);
    };
  }

  private take(event: PageRequestEvent, payload: unknown): void {
    if (this.listening) {
      this.send(event, payload);
      return;
    }
    this.waiting.push({ event, payload });
    if (this.waiting.length > MAX_WAITING_REQUESTS) this.waiting.shift();
  }

  /** The page has subscribed (`app:ready`): what waited goes now, in the order it came. */
  pageReady(): void {
    this.listening = true;
    for (const { event, payload } of this.waiting.splice(0)) this.send(event, payload);
  }

  /** A new window, or the page loading again: nothing listens until it says so again. */
  pageLeft(): void {
    this.listening = false;
  }
}
