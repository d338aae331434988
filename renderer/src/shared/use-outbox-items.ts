import { useEffect, useState } from 'react';
import type { OutboxChanged, Progress, QueueItem } from '../../../preload/contract/outbox.ts';

/** Collects pushes and hands them over at most once per animation frame, whatever their rate. */
function frameBatcher<T>(apply: (batch: T[]) => void): { push(value: T): void; cancel(): void } {
  let pending: T[] = [];
  let frame: number | undefined;
  return {
    push(value) {
      pending.push(value);
      frame ??= requestAnimationFrame(() => {
        frame = undefined;
        const batch = pending;
        pending = [];
        apply(batch);
      });
    },
    cancel() {
      if (frame !== undefined) cancelAnimationFrame(frame);
    },
  };
}

function applyChanges(items: ReadonlyMap<string, QueueItem>, batches: readonly OutboxChanged[]) {
  const next = new Map(items);
  for (const batch of batches) {
    for (const item of batch.upserted) next.set(item.id, item);
    for (const id of batch.removed) next.delete(id);
  }
  return next;
}

export interface OutboxItems {
  readonly items: ReadonlyMap<string, QueueItem>;
  readonly loaded: boolean;
}

/**
 * The whole queue, kept current from `outbox:changed`. Events that arrive while the first list is
 * in flight are kept and applied on top of it, so nothing is lost between the two.
 */
export function useOutboxItems(): OutboxItems {
  const [state, setState] = useState<OutboxItems>({ items: new Map(), loaded: false });
  useEffect(() => {
    let initial: QueueItem[] | undefined;
    const early: OutboxChanged[] = [];
    const batcher = frameBatcher<OutboxChanged>((batches) => {
      setState((current) => ({ ...current, items: applyChanges(current.items, batches) }));
    });
    const unsubscribe = window.outbox.outbox.onChanged((change) => {
      if (initial) batcher.push(change);
      else early.push(change);
    });
    void window.outbox.outbox.list().then((result) => {
      initial = result.ok ? result.value : [];
      const base = new Map(initial.map((item) => [item.id, item]));
      setState({ items: applyChanges(base, early), loaded: true });
    });
    return () => {
      unsubscribe();
      batcher.cancel();
    };
  }, []);
  return state;
}

/** Bytes sent per message in flight, from `outbox:progress`, at most one update per frame. */
export function useOutboxProgress(): ReadonlyMap<string, Progress> {
  const [progress, setProgress] = useState<ReadonlyMap<string, Progress>>(new Map());
  useEffect(() => {
    const batcher = frameBatcher<Progress>((batch) => {
      setProgress((current) => {
        const next = new Map(current);
        for (const item of batch) next.set(item.id, item);
        return next;
      });
    });
    const unsubscribe = window.outbox.outbox.onProgress((item) => {
      batcher.push(item);
    });
    return () => {
      unsubscribe();
      batcher.cancel();
    };
  }, []);
  return progress;
}
