import { useEffect, useRef, useState } from 'react';
import { movesDkimKey, movesOAuthToken, movesPassword } from '../../../../preload/contract/account-rules.ts';
import { usesPassword, type Account, type Provider } from '../../../../preload/contract/accounts.ts';
import type { Discovery } from '../../../../preload/contract/discovery.ts';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';
import { isAboutField } from '../../shared/error-text.ts';
import { Field } from '../../shared/Field.tsx';
import { TextField } from '../../shared/TextField.tsx';
import {
  choiceKeyOf,
  EMPTY_FORM,
  formOf,
  inputOf,
  patchOf,
  presetServer,
  withSavedSignIn,
  withServer,
  type AccountForm,
} from './account-form.ts';
import { AliasesEditor } from './AliasesEditor.tsx';
import { DiscoveryNotice } from './DiscoveryNotice.tsx';
import { domainOf, serverText, sourceLine, type FoundDiscovery } from './discovery-text.ts';
import { OAuthSignIn } from './OAuthSignIn.tsx';
import { SecurityFields } from './SecurityFields.tsx';
import { SignInMethod } from './SignInMethod.tsx';
import { useDiscovery, type LookupState } from './use-discovery.ts';
import type { SignIn } from './use-sign-in.ts';

interface Props {
  /** Absent when adding a new account. */
  readonly account: Account | undefined;
  readonly onSaved: (account: Account) => void;
  /** The screen's browser sign-in, which outlives this editor (saving a new account remounts it). */
  readonly signIn: SignIn;
}

/** The fields that show their own errors; anything else is shown under the Save button. */
const FIELDS = [
  'fromAddress',
  'displayName',
  'label',
  'replyTo',
  'color',
  'host',
  'port',
  'security',
  'allowPlaintext',
  'auth',
  'oauth',
  'username',
  'maxMessageBytes',
  'ratePerHour',
  'signatureText',
  'signatureHtml',
  'dkim',
];
const KEYCHAIN_CODES = new Set(['keychain_unavailable', 'keychain_locked', 'keychain_write_failed']);

/** What became of a lookup's answer: filled in, turned down, or not used because the user typed their own. */
interface Decision {
  readonly about: Discovery;
  readonly action: 'filled' | 'declined' | 'kept';
}

/** The quiet line under a new account's address: the lookup under way, or what it found and from where. */
function lookupStatus(state: LookupState, decision: Decision | undefined): string {
  switch (state.phase) {
    case 'idle':
      return '';
    case 'looking':
      return `Looking up settings for ${state.domain}…`;
    case 'failed':
      return state.error.message;
    case 'done': {
      const result = state.result;
      if (result.status === 'not_found') return result.message;
      const [server] = result.servers;
      switch (decision?.about === result ? decision.action : undefined) {
        case 'filled':
          return `${sourceLine(result)}.${result.note ? ` ${result.note}` : ''}`;
        case 'kept':
          return `${sourceLine(result)}${server ? ` (${serverText(server)})` : ''}; the server settings you typed are kept.`;
        case 'declined':
          return '';
        case undefined:
          return `Found a server outside ${domainOf(result.address)}: check it below.`;
      }
    }
  }
}

/** Every field of an account; the password is write-only and goes to the keychain on save. */
export function AccountEditor({ account, onSaved, signIn }: Props) {
  const [form, setForm] = useState<AccountForm>(account ? formOf(account) : EMPTY_FORM);
  const [password, setPassword] = useState('');
  const [error, setError] = useState<ErrorInfo>();
  const [passwordError, setPasswordError] = useState<ErrorInfo>();
  const [preset, setPreset] = useState<Provider>();
  const [saved, setSaved] = useState(false);
  const [presets, setPresets] = useState<readonly Provider[]>([]);

  useEffect(() => {
    void window.outbox.accounts.presets().then((result) => {
      if (result.ok) setPresets(result.value);
    });
  }, []);
  const [busy, setBusy] = useState(false);
  // Once the user sets a server field by hand, lookups only say what they found (issue 16).
  const serverEdited = useRef(false);
  const serverInput = useRef<HTMLInputElement>(null);
  const [decision, setDecision] = useState<Decision>();
  const lookup = useDiscovery(form.fromAddress, account === undefined, (result) => {
    if (result.status !== 'found' || result.confirm) return;
    if (serverEdited.current) setDecision({ about: result, action: 'kept' });
    else fillFrom(result);
  });
  // The method can change outside the editor (the attention box's switch to Microsoft sign-in):
  // the menu follows the saved method when that changes, not on every refresh of the account.
  const savedMethod = account ? choiceKeyOf(formOf(account)) : undefined;
  const [seenMethod, setSeenMethod] = useState(savedMethod);
  if (account && savedMethod !== seenMethod) {
    setSeenMethod(savedMethod);
    setForm(withSavedSignIn(form, account));
  }

  const set =
    <K extends keyof AccountForm>(key: K) =>
    (value: AccountForm[K]) => {
      setForm((current) => ({ ...current, [key]: value }));
      setSaved(false);
    };
  /** A server field typed by hand: later lookups leave the server settings alone. */
  const setServer =
    <K extends keyof AccountForm>(key: K) =>
    (value: AccountForm[K]) => {
      serverEdited.current = true;
      set(key)(value);
    };
  const fieldError = (field: string) => (isAboutField(error, field) ? error : undefined);

  // A provider chosen from the menu: its server settings are filled in for the address.
  function applyPreset(found: Provider) {
    serverEdited.current = true;
    lookup.clear();
    setPreset(found);
    setForm((current) => withServer(current, presetServer(found, current.fromAddress), found.name));
    setSaved(false);
  }

  // A lookup's first server, filled in for the address; the menu offers its provider's sign-in.
  function fillFrom(found: FoundDiscovery) {
    const [server] = found.servers;
    if (!server) return;
    setPreset(presets.find((p) => p.key === found.presetKey));
    setForm((current) => withServer(current, server, found.providerName));
    setDecision({ about: found, action: 'filled' });
    setSaved(false);
  }

  // The notice closes under the user's focus: it goes on to the server settings.
  function decide(found: FoundDiscovery, use: boolean) {
    if (use) fillFrom(found);
    else setDecision({ about: found, action: 'declined' });
    serverInput.current?.focus();
  }

  async function save(): Promise<Account | undefined> {
    setBusy(true);
    const result = account
      ? await window.outbox.accounts.update({ id: account.id, patch: patchOf(form) })
      : await window.outbox.accounts.create(inputOf(form));
    if (!result.ok) {
      setBusy(false);
      setError(result.error);
      return undefined;
    }
    setError(undefined);
    let latest = result.value;
    if (password !== '' && usesPassword(form.auth)) {
      const stored = await window.outbox.accounts.setPassword({ id: latest.id, secret: password });
      if (stored.ok) {
        latest = stored.value;
        setPassword('');
        setPasswordError(undefined);
      } else {
        setPasswordError(stored.error);
      }
    }
    setBusy(false);
    setSaved(true);
    onSaved(latest);
    return latest;
  }

  // A new account is saved first: the sign-in belongs to an account id.
  async function startSignIn() {
    const target = account && !changed(account) ? account : await save();
    if (target) await signIn.start(target.id);
  }

  function changed(saved: Account): boolean {
    return JSON.stringify(patchOf(formOf(saved))) !== JSON.stringify(patchOf(form));
  }

  async function forgetPassword() {
    if (!account) return;
    const result = await window.outbox.accounts.clearPassword({ id: account.id });
    if (result.ok) onSaved(result.value);
    else setPasswordError(result.error);
  }

  // A saved account's provider, known by its server, offers that provider's sign-in methods.
  const serverPreset = account
    ? presets.find((p) => p.host === form.host.trim().toLowerCase() && String(p.port) === form.port)
    : undefined;
  const ownSignIn = signIn.state && signIn.state.accountId === account?.id ? signIn.state : undefined;
  const keychainError = error && KEYCHAIN_CODES.has(error.code) ? error : passwordError;
  const shownByField =
    error !== undefined &&
    (FIELDS.some((field) => isAboutField(error, field)) ||
      error === keychainError ||
      error.code === 'plaintext_not_confirmed');
  const generalError = shownByField ? undefined : error;
  const looked = lookup.state.phase === 'done' ? lookup.state.result : undefined;
  const toConfirm =
    looked?.status === 'found' && looked.confirm && decision?.about !== looked ? looked : undefined;
  return (
    <form
      noValidate
      className="account-form"
      aria-label={account ? `Settings for ${account.label}` : 'New account'}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <fieldset>
        <legend>Sender</legend>
        <TextField
          label="Email address"
          type="email"
          value={form.fromAddress}
          onChange={set('fromAddress')}
          onBlur={lookup.lookUpNow}
          error={fieldError('fromAddress')}
        />
        {account ? null : (
          <p className="field-hint discovery-status" aria-live="polite">
            {lookupStatus(lookup.state, decision)}
          </p>
        )}
        {toConfirm ? (
          <DiscoveryNotice
            found={toConfirm}
            onUse={() => {
              decide(toConfirm, true);
            }}
            onDecline={() => {
              decide(toConfirm, false);
            }}
          />
        ) : null}
        {account ? null : (
          <Field
            label="Provider"
            hint={
              preset && lookup.state.phase === 'idle'
                ? `Server settings for ${preset.name} filled in.${preset.note ? ` ${preset.note}` : ''}`
                : undefined
            }
          >
            {(control) => (
              <select
                {...control}
                value={preset?.key ?? ''}
                onChange={(event) => {
                  const found = presets.find((p) => p.key === event.target.value);
                  if (found) applyPreset(found);
                  else {
                    serverEdited.current = true;
                    setPreset(undefined);
                  }
                }}
              >
                <option value="">Another server</option>
                {presets.map((p) => (
                  <option key={p.key} value={p.key}>
                    {p.name}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <TextField
          label="Your name"
          value={form.displayName}
          onChange={set('displayName')}
          error={fieldError('displayName')}
        />
        <TextField
          label="Account name"
          value={form.label}
          onChange={set('label')}
          error={fieldError('label')}
        />
        <TextField
          label="Reply-To address (optional)"
          type="email"
          value={form.replyTo}
          onChange={set('replyTo')}
          error={fieldError('replyTo')}
        />
        <TextField
          label="Colour"
          type="color"
          value={form.color}
          onChange={set('color')}
          error={fieldError('color')}
        />
      </fieldset>
      <fieldset>
        <legend>Outgoing server (SMTP)</legend>
        <TextField
          label="Server"
          value={form.host}
          onChange={setServer('host')}
          error={fieldError('host')}
          inputRef={serverInput}
        />
        <TextField
          label="Port"
          type="number"
          value={form.port}
          onChange={setServer('port')}
          error={fieldError('port')}
        />
        <SecurityFields
          security={form.security}
          allowPlaintext={form.allowPlaintext}
          onSecurity={(security) => {
            setServer('security')(security);
            if (form.port === '587' || form.port === '465')
              set('port')(security === 'tls' ? '465' : security === 'starttls' ? '587' : form.port);
          }}
          onAllowPlaintext={set('allowPlaintext')}
          error={fieldError('security')}
          plaintextError={
            fieldError('allowPlaintext') ?? (error?.code === 'plaintext_not_confirmed' ? error : undefined)
          }
        />
        {account?.pinnedCertSha256 ? (
          <p className="field-hint">
            Trusted certificate: <span className="mono">{account.pinnedCertSha256}</span>
          </p>
        ) : null}
      </fieldset>
      <fieldset>
        <legend>Sign-in</legend>
        <SignInMethod
          form={form}
          preset={preset ?? serverPreset}
          onChange={(next) => {
            serverEdited.current = true;
            setForm(next);
            setSaved(false);
          }}
          fieldError={fieldError}
        />
        {usesPassword(form.auth) ? (
          <>
            <TextField
              label="Password"
              type="password"
              value={password}
              onChange={(value) => {
                setPassword(value);
                setSaved(false);
              }}
              autoComplete="new-password"
              error={keychainError}
              hint={
                account?.hasPassword
                  ? movesPassword(patchOf(form), account)
                    ? 'Saving a new server, port, security or username forgets the saved password: type it again.'
                    : 'A password is saved in the system keychain. Type a new one to replace it.'
                  : 'Saved in the system keychain, never shown again.'
              }
            />
            {account?.hasPassword ? (
              <button type="button" onClick={() => void forgetPassword()}>
                Remove saved password
              </button>
            ) : null}
          </>
        ) : null}
        {form.auth === 'oauth2' ? (
          <>
            {account?.hasOAuthToken && movesOAuthToken(inputOf(form), account) ? (
              <div className="warning" role="note">
                <p>
                  Saving a new server, port, security, username or sign-in setting signs this account out:
                  sign in again after saving.
                </p>
              </div>
            ) : null}
            <OAuthSignIn
              provider={form.oauthProvider}
              state={ownSignIn}
              signedInAs={account?.signedInAs}
              hasToken={account?.hasOAuthToken ?? false}
              otherBusy={signIn.state?.phase === 'waiting' && ownSignIn === undefined}
              onSignIn={() => void startSignIn()}
              onCancel={signIn.cancel}
            />
          </>
        ) : null}
      </fieldset>
      <fieldset>
        <legend>Limits</legend>
        <TextField
          label="Largest message (MB, optional)"
          type="number"
          value={form.maxMessageMb}
          onChange={set('maxMessageMb')}
          error={fieldError('maxMessageBytes')}
          hint={
            account?.serverSizeLimit
              ? `The server said it accepts up to ${(account.serverSizeLimit / 1024 / 1024).toFixed(1)} MB.`
              : undefined
          }
        />
        <TextField
          label="Messages per hour (optional)"
          type="number"
          value={form.ratePerHour}
          onChange={set('ratePerHour')}
          error={fieldError('ratePerHour')}
        />
      </fieldset>
      <fieldset>
        <legend>Signature</legend>
        <TextField
          label="Signature (plain text)"
          multiline
          value={form.signatureText}
          onChange={set('signatureText')}
          error={fieldError('signatureText')}
        />
        <TextField
          label="Signature (HTML, optional)"
          multiline
          value={form.signatureHtml}
          onChange={set('signatureHtml')}
          error={fieldError('signatureHtml')}
        />
      </fieldset>
      <AliasesEditor aliases={form.aliases} onChange={set('aliases')} />
      <fieldset>
        <legend>DKIM signing</legend>
        <TextField
          label="DKIM domain"
          value={form.dkimDomain}
          onChange={set('dkimDomain')}
          error={fieldError('dkim')}
        />
        <TextField
          label="DKIM selector"
          value={form.dkimSelector}
          onChange={set('dkimSelector')}
          hint={
            account?.hasDkimKey && movesDkimKey(patchOf(form), account)
              ? 'Saving a new server, port, security or sender domain forgets the saved DKIM key: paste it again.'
              : undefined
          }
        />
      </fieldset>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {account ? 'Save changes' : 'Save account'}
        </button>
        <span aria-live="polite">{saved ? 'Saved.' : ''}</span>
      </div>
      <ErrorMessage error={generalError} />
    </form>
  );
}
