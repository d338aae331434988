import type { OutboxChanged, QueueItem } from '../../../preload/contract/outbox.ts';

/**
 * The renderer's copy of the queue while it arrives in pages and changes arrive as events, in the
 * order they come. A page was read at some moment; an event says what happened since it subscribed.
 * So once an event has named a message, the event is the truth for it: a later page's copy is
 * older (or the same) and is ignored, and a removal stays a removal. A message no event named has
 * not changed since, so the page's copy is current; one that moved in the order was named.
 */
export class OutboxMirror {
  private readonly items = new Map<string, QueueItem>();
  /** Ids events named while pages are still coming; gone once the last page is in. */
  private named: Set<string> | undefined = new Set();

  change(batch: OutboxChanged): void {
    for (const item of batch.upserted) {
      this.items.set(item.id, item);
      this.named?.add(item.id);
    }
    for (const id of batch.removed) {
      this.items.delete(id);
      this.named?.add(id);
    }
  }

  page(items: readonly QueueItem[]): void {
    for (const item of items) if (!this.named?.has(item.id)) this.items.set(item.id, item);
  }

  /** The last page is in: from now on only events change the copy. */
  complete(): void {
    this.named = undefined;
  }

  get size(): number {
    return this.items.size;
  }

  /** A copy for React, which needs a new object to see a change. */
  snapshot(): ReadonlyMap<string, QueueItem> {
    return new Map(this.items);
  }
}
