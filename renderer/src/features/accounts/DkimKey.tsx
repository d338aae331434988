import { useState } from 'react';
import type { Account } from '../../../../preload/contract/accounts.ts';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import { TextField } from '../../shared/TextField.tsx';

/** Write-only: the private key goes to the keychain and is never shown again. */
export function DkimKey({ account, onSaved }: { readonly account: Account; readonly onSaved: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<ErrorInfo>();
  const [saved, setSaved] = useState(false);

  async function save() {
    const result = await window.outbox.accounts.setDkimKey({ id: account.id, secret: key });
    if (result.ok) {
      setKey('');
      setError(undefined);
      setSaved(true);
      onSaved();
    } else {
      setError(result.error);
    }
  }

  return (
    <section className="panel" aria-labelledby="dkim-key-title">
      <h2 id="dkim-key-title">DKIM private key</h2>
      <p className="field-hint" aria-live="polite">
        {account.hasDkimKey
          ? saved
            ? 'The key was saved in the system keychain.'
            : 'A key is saved in the system keychain.'
          : account.dkim
            ? `Key needed: messages are not signed for ${account.dkim.domain} until you paste its key again.`
            : 'No key saved: messages are not signed.'}
      </p>
      <TextField
        label="Private key (PEM)"
        multiline
        value={key}
        onChange={(value) => {
          setKey(value);
          setSaved(false);
        }}
        placeholder="-----BEGIN PRIVATE KEY-----"
        error={error}
      />
      <button type="button" disabled={key.trim() === ''} onClick={() => void save()}>
        Save key
      </button>
    </section>
  );
}
