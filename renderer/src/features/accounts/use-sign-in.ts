import { useCallback, useState } from 'react';
import type { Account } from '../../../../preload/contract/accounts.ts';
import type { ErrorInfo, Result } from '../../../../preload/contract/errors.ts';

/** Where one account's browser sign-in stands. */
export type SignInState =
  | { readonly accountId: string; readonly phase: 'waiting' }
  | { readonly accountId: string; readonly phase: 'signed-in'; readonly signedInAs: string | undefined }
  | { readonly accountId: string; readonly phase: 'cancelled' }
  | { readonly accountId: string; readonly phase: 'failed'; readonly error: ErrorInfo };

/** What a finished `accounts:signIn` call means to the person: a cancel is no failure, and changes nothing. */
export function signInOutcome(accountId: string, result: Result<Account>): SignInState {
  if (result.ok) return { accountId, phase: 'signed-in', signedInAs: result.value.signedInAs };
  if (result.error.code === 'oauth_cancelled') return { accountId, phase: 'cancelled' };
  return { accountId, phase: 'failed', error: result.error };
}

export interface SignIn {
  readonly state: SignInState | undefined;
  /** Opens the provider's page in the browser and waits for the user to finish there. */
  readonly start: (accountId: string) => Promise<void>;
  readonly cancel: () => void;
}

/**
 * The sign-in flow, held by the App rather than the editor or the Accounts screen: saving a new
 * account first remounts the editor, the list's "Sign in again" starts the same flow, and the
 * person may look at another screen while the browser is open.
 */
export function useSignIn(onSignedIn: () => void): SignIn {
  const [state, setState] = useState<SignInState>();
  const start = useCallback(
    async (accountId: string) => {
      setState({ accountId, phase: 'waiting' });
      const outcome = signInOutcome(accountId, await window.outbox.accounts.signIn({ id: accountId }));
      setState(outcome);
      if (outcome.phase === 'signed-in') onSignedIn();
    },
    [onSignedIn],
  );
  const cancel = useCallback(() => {
    if (state?.phase === 'waiting') void window.outbox.accounts.cancelSignIn({ id: state.accountId });
  }, [state]);
  return { state, start, cancel };
}
