import { useCallback, useState } from 'react';
import type { ErrorInfo, Result } from '../../../preload/contract/errors.ts';

export interface Action<T> {
  readonly busy: boolean;
  readonly error: ErrorInfo | undefined;
  readonly value: T | undefined;
  /** Runs one bridge call; resolves to its value, or to undefined after showing its error. */
  readonly run: (call: () => Promise<Result<T>>) => Promise<T | undefined>;
}

/** The state of a button's bridge call: in flight, its last result, and its error in words. */
export function useAction<T>(): Action<T> {
  const [state, setState] = useState<{ busy: boolean; error?: ErrorInfo; value?: T }>({ busy: false });
  const run = useCallback(async (call: () => Promise<Result<T>>) => {
    setState((current) => ({ ...current, busy: true }));
    const result = await call();
    if (result.ok) {
      setState({ busy: false, value: result.value });
      return result.value;
    }
    setState({ busy: false, error: result.error });
    return undefined;
  }, []);
  return { busy: state.busy, error: state.error, value: state.value, run };
}
