import type { Account, AccountInput } from '../../../../preload/contract/accounts.ts';
import type { SignIn } from './use-sign-in.ts';

/** Microsoft's answer for Basic authentication refused: the account keeps its id, so its queued mail stays. */
const TO_MICROSOFT_SIGN_IN: Partial<AccountInput> = { auth: 'oauth2', oauth: { provider: 'microsoft' } };

interface Props {
  readonly account: Account;
  readonly signIn: SignIn;
  /** Saves a change to the account; resolves to whether it was saved. */
  readonly onSwitch: (patch: Partial<AccountInput>) => Promise<boolean>;
}

/** What the person can do about an account's stopped delivery, beside the error in words. */
export function AttentionActions({ account, signIn, onSwitch }: Props) {
  const waiting = signIn.state?.phase === 'waiting';
  const code = account.attention?.code;
  if (code === 'oauth_signin_required')
    return (
      <button type="button" disabled={waiting} onClick={() => void signIn.start(account.id)}>
        Sign in again
      </button>
    );
  if (code === 'basic_auth_unsupported')
    return (
      <button
        type="button"
        disabled={waiting}
        onClick={() =>
          void onSwitch(TO_MICROSOFT_SIGN_IN).then((saved) => {
            if (saved) void signIn.start(account.id);
          })
        }
      >
        Switch to Sign in with Microsoft
      </button>
    );
  if (code === 'smtp_auth_disabled')
    // OAuth2 does not help here: the tenant turned SMTP AUTH off, and only its admin can turn it on.
    return (
      <p>
        An administrator of your organisation must turn on authenticated SMTP for this mailbox (Microsoft 365
        admin center › Users › Mail › Manage email apps). Changing how Outbox signs in does not help.
      </p>
    );
  return null;
}
