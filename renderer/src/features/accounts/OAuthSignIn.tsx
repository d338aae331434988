import { useEffect, useRef } from 'react';
import type { OAuthProviderKey } from '../../../../preload/contract/accounts.ts';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';
import { ORGANISATION_APP } from './SignInMethod.tsx';
import type { SignInState } from './use-sign-in.ts';

const BUTTON_TEXT: Record<OAuthProviderKey, string> = {
  microsoft: 'Sign in with Microsoft…',
  google: 'Sign in with Google…',
  generic: 'Sign in…',
};

interface Props {
  readonly provider: OAuthProviderKey;
  /** This account's sign-in, if one was started while the screen is open. */
  readonly state: SignInState | undefined;
  /** The saved sign-in, before any started here. */
  readonly signedInAs: string | undefined;
  readonly hasToken: boolean;
  /** Another account's sign-in is under way: one browser sign-in at a time. */
  readonly otherBusy: boolean;
  readonly onSignIn: () => void;
  readonly onCancel: () => void;
}

/** A known provider refused for want of a client ID: the one case the person can fix here. */
function needsOwnClientId(provider: OAuthProviderKey, error: ErrorInfo): boolean {
  return provider !== 'generic' && error.code === 'oauth_not_configured' && error.field === 'oauth.clientId';
}

function signedInText(signedInAs: string | undefined): string {
  return signedInAs ? `Signed in as ${signedInAs}` : 'Signed in';
}

/** The sign-in button and, while the browser is open, what to do there and how to stop. */
export function OAuthSignIn({ provider, state, signedInAs, hasToken, otherBusy, onSignIn, onCancel }: Props) {
  const cancelRef = useRef<HTMLButtonElement>(null);
  const signInRef = useRef<HTMLButtonElement>(null);
  const waiting = state?.phase === 'waiting';
  // Focus follows the flow: to Cancel while the browser is open, back to the button after.
  useEffect(() => {
    if (waiting) cancelRef.current?.focus();
    else if (state && document.activeElement === document.body) signInRef.current?.focus();
  }, [waiting, state]);

  let status = hasToken ? signedInText(signedInAs) : 'Not signed in yet.';
  if (state?.phase === 'waiting') status = 'Finish signing in in your browser…';
  else if (state?.phase === 'signed-in') status = signedInText(state.signedInAs ?? signedInAs);
  else if (state?.phase === 'cancelled') status = 'Sign-in was cancelled';
  return (
    <div className="oauth-sign-in">
      <p className="oauth-status" role="status" aria-live="polite">
        {status}
      </p>
      {state?.phase === 'failed' ? <ErrorMessage error={state.error} /> : null}
      {state?.phase === 'failed' && needsOwnClientId(provider, state.error) ? (
        <p className="field-hint">
          If your organisation registered its own app for Outbox, enter its client ID under “
          {ORGANISATION_APP}” above, save, and sign in again.
        </p>
      ) : null}
      {waiting ? (
        <button ref={cancelRef} type="button" onClick={onCancel}>
          Cancel sign-in
        </button>
      ) : (
        <button ref={signInRef} type="button" disabled={otherBusy} onClick={onSignIn}>
          {BUTTON_TEXT[provider]}
        </button>
      )}
    </div>
  );
}
