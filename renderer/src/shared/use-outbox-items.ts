import { useEffect, useMemo, useState } from 'react';
import { countOutbox, type OutboxCounts, type OutboxCursor } from '../../../preload/contract/outbox-page.ts';
import type { Progress, QueueItem } from '../../../preload/contract/outbox.ts';
import { OutboxMirror } from './outbox-mirror.ts';

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

/** The first page: a screenful and then some, so the list draws at once. */
const FIRST_PAGE = 100;
/** The pages after it, fetched in the background: the most one answer may hold. */
const LATER_PAGE = 1000;

export interface OutboxItems {
  /** What has arrived so far, in the screen's order (`compareOutboxItems`); the whole queue once `complete`. */
  readonly items: readonly QueueItem[];
  /** The first page is in. */
  readonly loaded: boolean;
  /** Every page is in: `items` is the whole queue. */
  readonly complete: boolean;
  /** The whole queue's counts: the latest page's until every page is in, then counted from `items`. */
  readonly counts: OutboxCounts;
}

const NO_COUNTS: OutboxCounts = { total: 0, byState: {}, unsentByAccount: {} };

/**
 * A background page is shown once the list has grown by this much since it was last shown: each
 * showing makes the list and its virtualizer walk every row, so 100,000 are shown some 20 times, not 100.
 */
const PAGE_GROWTH = 1.25;

/** Lets input and drawing run between two pages. */
const yieldToPage = () =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, 0);
  });

/**
 * The whole queue, asked for a page at a time (the first drawn as soon as it comes, the rest in the
 * background) and kept current from `outbox:changed`; `OutboxMirror` merges the two in the screen's
 * order. React sees the copy renewed at most once a frame for events, and for pages as it grows.
 */
export function useOutboxItems(): OutboxItems {
  const [state, setState] = useState<Omit<OutboxItems, 'counts'> & { pageCounts: OutboxCounts }>({
    items: [],
    loaded: false,
    complete: false,
    pageCounts: NO_COUNTS,
  });
  useEffect(() => {
    const mirror = new OutboxMirror();
    /** Set when the component goes: an answer after that is dropped. */
    const gone = new AbortController();
    const isGone = () => gone.signal.aborted;
    let loaded = false;
    let complete = false;
    let pageCounts = NO_COUNTS;
    let frame: number | undefined;
    let publishedSize = 0;
    const publish = () => {
      if (frame !== undefined) cancelAnimationFrame(frame);
      frame = undefined;
      publishedSize = mirror.size;
      setState({ items: mirror.snapshot(), loaded, complete, pageCounts });
    };
    const publishSoon = () => {
      frame ??= requestAnimationFrame(publish);
    };
    const unsubscribe = window.outbox.outbox.onChanged((change) => {
      mirror.change(change);
      if (loaded) publishSoon();
    });
    void (async () => {
      let cursor: OutboxCursor | undefined;
      do {
        const result = await window.outbox.outbox.page({ cursor, limit: loaded ? LATER_PAGE : FIRST_PAGE });
        if (isGone()) return;
        // A page that cannot be read ends the loading with what came: events keep that current.
        if (!result.ok) break;
        mirror.page(result.value.items);
        pageCounts = result.value.counts;
        cursor = result.value.next;
        if (!loaded) {
          loaded = true;
          publish();
        } else if (mirror.size >= publishedSize * PAGE_GROWTH) publishSoon();
        if (cursor) await yieldToPage();
      } while (cursor && !isGone());
      if (isGone()) return;
      mirror.complete();
      loaded = true;
      complete = true;
      publish();
    })();
    return () => {
      gone.abort();
      unsubscribe();
      if (frame !== undefined) cancelAnimationFrame(frame);
    };
  }, []);
  const { items, loaded, complete, pageCounts } = state;
  const counted = useMemo(() => (complete ? countOutbox(items) : undefined), [complete, items]);
  return { items, loaded, complete, counts: counted ?? pageCounts };
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
