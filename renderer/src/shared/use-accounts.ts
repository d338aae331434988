import { useCallback, useEffect, useState } from 'react';
import type { Account } from '../../../preload/contract/accounts.ts';

export interface AccountsState {
  readonly accounts: readonly Account[];
  readonly loaded: boolean;
  /** Reads the list again, for after a call whose result the caller wants reflected at once. */
  readonly refresh: () => void;
}

/** Every account, in the user's order, kept current from `accounts:changed`. */
export function useAccounts(): AccountsState {
  const [state, setState] = useState<{ accounts: readonly Account[]; loaded: boolean }>({
    accounts: [],
    loaded: false,
  });
  const refresh = useCallback(() => {
    void window.outbox.accounts.list().then((result) => {
      if (result.ok) setState({ accounts: result.value, loaded: true });
      else setState((current) => ({ ...current, loaded: true }));
    });
  }, []);
  useEffect(() => {
    const unsubscribe = window.outbox.accounts.onChanged((accounts) => {
      setState({ accounts, loaded: true });
    });
    refresh();
    return unsubscribe;
  }, [refresh]);
  return { ...state, refresh };
}
