import type { QueueItem, QueueState } from '../../preload/contract/outbox.ts';
import type { Clock } from '../core/clock.ts';
import type { EventSink } from '../core/ports.ts';

const PROGRESS_EVERY_MS = 100;

export interface ChangeFeedDeps {
  readonly emit: EventSink;
  readonly clock: Clock;
  /** The item as it is when the batch goes out; undefined once the message is gone. */
  readonly itemOf: (id: string) => QueueItem | undefined;
  /** Its shown state, from what memory holds (no record read); undefined once it is gone. */
  readonly stateOf: (id: string) => QueueState | undefined;
}

/**
 * `outbox:changed` and `outbox:progress` for the renderer, batched so a flush of thousands of
 * messages is not thousands of IPC messages: changes made in one turn go out together, each item
 * built once per batch from whatever its message is by then. A message of which only the shown
 * state may have changed goes as its state, and its record is not read back.
 */
export class ChangeFeed {
  private readonly upserts = new Set<string>();
  private readonly removals = new Set<string>();
  private readonly restates = new Set<string>();
  private flushQueued = false;
  private readonly progressSentAt = new Map<string, number>();
  private readonly deps: ChangeFeedDeps;

  constructor(deps: ChangeFeedDeps) {
    this.deps = deps;
  }

  changed(id: string): void {
    this.removals.delete(id);
    this.restates.delete(id);
    this.upserts.add(id);
    this.queueFlush();
  }

  /** Nothing but the shown state may have changed (say, its account's): a whole item would say no more. */
  restated(id: string): void {
    if (this.upserts.has(id) || this.removals.has(id)) return;
    this.restates.add(id);
    this.queueFlush();
  }

  removed(id: string): void {
    this.progressSentAt.delete(id);
    this.upserts.delete(id);
    this.restates.delete(id);
    this.removals.add(id);
    this.queueFlush();
  }

  /** Bytes handed to the server so far; at most every 100 ms per message, and always the last. */
  progress(message: { readonly id: string; readonly sizeBytes: number }, bytes: number): void {
    const now = this.deps.clock.now();
    const last = this.progressSentAt.get(message.id) ?? 0;
    if (bytes < message.sizeBytes && now - last < PROGRESS_EVERY_MS) return;
    this.progressSentAt.set(message.id, now);
    this.deps.emit('outbox:progress', {
      id: message.id,
      bytesSent: Math.min(bytes, message.sizeBytes),
      bytesTotal: message.sizeBytes,
    });
  }

  /** Sends what is pending now (at stop, so nothing is lost). */
  flush(): void {
    this.flushQueued = false;
    if (this.upserts.size === 0 && this.removals.size === 0 && this.restates.size === 0) return;
    const upserted = [...this.upserts].flatMap((id) => {
      const item = this.deps.itemOf(id);
      return item ? [item] : [];
    });
    const states = [...this.restates].flatMap((id) => {
      const state = this.deps.stateOf(id);
      return state ? [{ id, state }] : [];
    });
    this.deps.emit('outbox:changed', { upserted, removed: [...this.removals], states });
    this.upserts.clear();
    this.removals.clear();
    this.restates.clear();
  }

  private queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => {
      this.flush();
    });
  }
}
