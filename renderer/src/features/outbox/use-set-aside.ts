import { useCallback, useEffect, useState } from 'react';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import type { SetAsideItem } from '../../../../preload/contract/outbox.ts';

export interface SetAsideState {
  readonly items: readonly SetAsideItem[];
  /** Why the list could not be read, when it could not. */
  readonly error: ErrorInfo | undefined;
  /** Takes an item off the list at once, after it was restored, before the next read confirms it. */
  readonly forget: (key: string) => void;
}

/**
 * What the queue set aside, read on mount and again whenever the outbox changes (a message set aside
 * leaves the queue) or main tells of something (a damaged stretch of the log leaves no queue change).
 * Reads never overlap: events during a read ask for one more read after it, so bursts cost two.
 */
export function useSetAside(): SetAsideState {
  const [state, setState] = useState<{ items: readonly SetAsideItem[]; error?: ErrorInfo }>({ items: [] });
  useEffect(() => {
    const unmounted = new AbortController();
    const reads = { running: false, again: false };
    const read = async (): Promise<void> => {
      if (reads.running) {
        reads.again = true;
        return;
      }
      reads.running = true;
      const result = await window.outbox.outbox.setAside();
      reads.running = false;
      if (unmounted.signal.aborted) return;
      setState(result.ok ? { items: result.value } : (current) => ({ ...current, error: result.error }));
      if (reads.again) {
        reads.again = false;
        await read();
      }
    };
    const unsubscribeChanged = window.outbox.outbox.onChanged(() => void read());
    const unsubscribeNoticed = window.outbox.app.onNoticed(() => void read());
    void read();
    return () => {
      unmounted.abort();
      unsubscribeChanged();
      unsubscribeNoticed();
    };
  }, []);
  const forget = useCallback((key: string) => {
    setState((current) => ({ ...current, items: current.items.filter((item) => item.key !== key) }));
  }, []);
  return { items: state.items, error: state.error, forget };
}
