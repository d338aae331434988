import { useState } from 'react';
import type { Account } from '../../../../preload/contract/accounts.ts';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import { Dialog } from '../../shared/Dialog.tsx';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';

interface Props {
  readonly account: Account;
  readonly others: readonly Account[];
  readonly queuedCount: number;
  readonly onClose: (deleted: boolean) => void;
}

/** Deleting never drops mail: its queued messages move to another account or are kept, held. */
export function DeleteAccountDialog({ account, others, queuedCount, onClose }: Props) {
  const [action, setAction] = useState<'move' | 'hold'>(
    others.length > 0 && queuedCount > 0 ? 'move' : 'hold',
  );
  const [target, setTarget] = useState(others[0]?.id ?? '');
  const [error, setError] = useState<ErrorInfo>();

  async function remove() {
    const result = await window.outbox.accounts.delete({
      id: account.id,
      queued: action === 'move' ? { action: 'move', toAccountId: target } : { action: 'hold' },
    });
    if (result.ok) onClose(true);
    else setError(result.error);
  }

  return (
    <Dialog
      title={`Delete ${account.label}?`}
      onClose={() => {
        onClose(false);
      }}
    >
      <p>
        Its settings, password and DKIM key are removed.{' '}
        {queuedCount > 0
          ? `It has ${queuedCount} ${queuedCount === 1 ? 'message' : 'messages'} waiting in the outbox.`
          : 'It has no messages waiting.'}
      </p>
      <fieldset>
        <legend>Messages waiting to be sent</legend>
        <label className="inline-check">
          <input
            type="radio"
            name="queued"
            checked={action === 'move'}
            disabled={others.length === 0}
            onChange={() => {
              setAction('move');
            }}
          />
          Send them from another account
        </label>
        {action === 'move' ? (
          <label className="inline-field">
            Move to
            <select
              value={target}
              onChange={(event) => {
                setTarget(event.target.value);
              }}
            >
              {others.map((other) => (
                <option key={other.id} value={other.id}>
                  {other.label}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label className="inline-check">
          <input
            type="radio"
            name="queued"
            checked={action === 'hold'}
            onChange={() => {
              setAction('hold');
            }}
          />
          Keep them in the outbox, held
        </label>
      </fieldset>
      <ErrorMessage error={error} />
      <div className="dialog-actions">
        <button
          type="button"
          onClick={() => {
            onClose(false);
          }}
        >
          Keep account
        </button>
        <button type="button" className="danger" onClick={() => void remove()}>
          Delete account
        </button>
      </div>
    </Dialog>
  );
}
