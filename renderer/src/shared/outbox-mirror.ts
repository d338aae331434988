import { compareOutboxItems } from '../../../preload/contract/outbox-page.ts';
import type { OutboxChanged, QueueItem, QueueState } from '../../../preload/contract/outbox.ts';
import { mergeInto, removeFrom } from './outbox-rows.ts';

/** Above this many rows to take out at once, one pass over the list is cheaper than a splice each. */
const SPLICES_AT_MOST = 16;

/**
 * The renderer's copy of the queue while it arrives in pages and changes arrive as events, in the
 * order they come. A page was read at some moment; an event says what happened since it subscribed.
 * So once an event has named a message, the event is the truth for it: a later page's copy is
 * older (or the same) and is ignored, and a removal stays a removal. An event may also give a
 * message's shown state alone (its account was paused): that state is the truth over any page's
 * copy, until an event gives the message whole. A message no event named has not changed since
 * but for such a state, so the page's copy is current; one that moved in the order was named (a
 * change to or from sending, the only one that moves a message, always comes whole).
 *
 * The copy is kept in the screen's order as it changes, so handing it to React is cheap: loading
 * 100,000 messages a page at a time never copies or sorts the whole list for each page.
 */
export class OutboxMirror {
  private readonly items = new Map<string, QueueItem>();
  /** The same messages in the screen's order. */
  private rows: QueueItem[] = [];
  /** `rows` was handed out: copied before it next changes, so what React holds never does. */
  private shared = false;
  /** Ids events named while pages are still coming; gone once the last page is in. */
  private named: Set<string> | undefined = new Set();
  /**
   * Shown states events gave, while pages are still coming, for messages no event gave whole (held
   * or not: a page may bring one again): a page's copy of one is older, or the same, so it takes
   * the event's state.
   */
  private readonly states = new Map<string, QueueState>();

  change(batch: OutboxChanged): void {
    const removed = new Set(batch.removed);
    const upserted = new Set(batch.upserted.map((item) => item.id));
    for (const id of [...upserted, ...removed]) {
      this.named?.add(id);
      this.states.delete(id);
    }
    // As if the upserts came first: a message upserted and removed in one batch is removed.
    this.put(batch.upserted.filter((item) => !removed.has(item.id)));
    this.restate(batch.states.filter(({ id }) => !removed.has(id) && !upserted.has(id)));
    this.drop(batch.removed);
  }

  page(items: readonly QueueItem[]): void {
    this.put(items.filter((item) => !this.named?.has(item.id)).map((item) => this.withState(item)));
  }

  /** The last page is in: from now on only events change the copy. */
  complete(): void {
    this.named = undefined;
    this.states.clear();
  }

  get size(): number {
    return this.rows.length;
  }

  /** The messages in the screen's order; unchanged by what comes after (React needs a new object to see a change). */
  snapshot(): readonly QueueItem[] {
    this.shared = true;
    return this.rows;
  }

  /** Messages whose shown state alone changed: the copy held takes it, or a page's copy will. */
  private restate(states: OutboxChanged['states']): void {
    const changed: QueueItem[] = [];
    // The last state said of a message is its state.
    for (const [id, state] of new Map(states.map((each) => [each.id, each.state]))) {
      if (this.named && !this.named.has(id)) this.states.set(id, state);
      const held = this.items.get(id);
      if (held && held.state !== state) changed.push({ ...held, state });
    }
    this.put(changed);
  }

  private withState(item: QueueItem): QueueItem {
    const state = this.states.get(item.id);
    return state === undefined || state === item.state ? item : { ...item, state };
  }

  /** Adds or replaces messages, the last copy of one winning. */
  private put(items: readonly QueueItem[]): void {
    if (items.length === 0) return;
    const latest = new Map(items.map((item) => [item.id, item]));
    this.drop([...latest.keys()]);
    for (const item of latest.values()) this.items.set(item.id, item);
    // Pages come in the screen's order already, and sorting a sorted run is a single pass.
    mergeInto(this.writableRows(), [...latest.values()].sort(compareOutboxItems));
  }

  private drop(ids: readonly string[]): void {
    const held = ids.flatMap((id) => this.items.get(id) ?? []);
    if (held.length === 0) return;
    for (const item of held) this.items.delete(item.id);
    if (held.length > SPLICES_AT_MOST) {
      const gone = new Set(held.map((item) => item.id));
      this.rows = this.rows.filter((row) => !gone.has(row.id));
      this.shared = false;
    } else {
      const rows = this.writableRows();
      for (const item of held) removeFrom(rows, item);
    }
  }

  private writableRows(): QueueItem[] {
    if (this.shared) {
      this.rows = this.rows.slice();
      this.shared = false;
    }
    return this.rows;
  }
}
