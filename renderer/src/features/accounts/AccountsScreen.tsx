import { useState } from 'react';
import type { Account } from '../../../../preload/contract/accounts.ts';
import type { Result } from '../../../../preload/contract/errors.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';
import { useAction } from '../../shared/use-action.ts';
import { AccountEditor } from './AccountEditor.tsx';
import { ConnectionTest } from './ConnectionTest.tsx';
import { DeleteAccountDialog } from './DeleteAccountDialog.tsx';
import { DkimKey } from './DkimKey.tsx';
import { SenderDomainCheck } from './SenderDomainCheck.tsx';
import { Screen } from '../../shared/Screen.tsx';
import { AttentionActions } from './AttentionActions.tsx';
import type { SignIn } from './use-sign-in.ts';

interface Props {
  readonly accounts: readonly Account[];
  readonly selectedId: string | undefined;
  readonly onSelect: (id: string | undefined) => void;
  readonly refresh: () => void;
  /** The app's one browser sign-in (App holds it, so it outlives this screen). */
  readonly signIn: SignIn;
  readonly queuedCount: (accountId: string) => number;
}

export function AccountsScreen({ accounts, selectedId, onSelect, refresh, signIn, queuedCount }: Props) {
  const [adding, setAdding] = useState(accounts.length === 0);
  const [deleting, setDeleting] = useState(false);
  const { run, error } = useAction<unknown>();
  const selected = adding ? undefined : (accounts.find((a) => a.id === selectedId) ?? accounts[0]);

  async function act(call: () => Promise<Result<unknown>>) {
    if ((await run(call)) !== undefined) refresh();
  }

  const position = selected ? accounts.indexOf(selected) : -1;

  /** The list order is the From picker's order. */
  async function move(by: number) {
    const ids = accounts.map((a) => a.id);
    const [id] = ids.splice(position, 1);
    if (id === undefined) return;
    ids.splice(position + by, 0, id);
    await act(() => window.outbox.accounts.reorder({ ids }));
  }

  return (
    <Screen name="accounts" title="Accounts">
      <div className="split">
        <nav className="account-list" aria-label="Accounts">
          <ul>
            {accounts.map((account) => (
              <li key={account.id}>
                <button
                  type="button"
                  className={account.id === selected?.id ? 'account-item selected' : 'account-item'}
                  aria-current={account.id === selected?.id ? 'true' : undefined}
                  onClick={() => {
                    setAdding(false);
                    onSelect(account.id);
                  }}
                >
                  <span className="account-dot" style={{ background: account.color }} />
                  <span className="account-name">{account.label}</span>
                  <span className="account-address">{account.fromAddress}</span>
                  {account.auth === 'oauth2' && account.signedInAs ? (
                    <span className="account-address">Signed in as {account.signedInAs}</span>
                  ) : null}
                  <span className="account-flags">
                    {[
                      account.isDefault && 'Default',
                      account.paused && 'Paused',
                      account.attention && 'Needs attention',
                      account.security === 'none' && 'Unencrypted',
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <button
            type="button"
            className="primary"
            onClick={() => {
              setAdding(true);
            }}
          >
            Add account
          </button>
        </nav>
        <div className="account-detail">
          {selected?.attention ? (
            <div className="attention" role="alert">
              <strong>Delivery from this account is stopped.</strong>{' '}
              <ErrorMessage error={selected.attention} />
              <AttentionActions
                account={selected}
                signIn={signIn}
                onSwitch={async (patch) => {
                  const switched = await run(() => window.outbox.accounts.update({ id: selected.id, patch }));
                  refresh();
                  return switched !== undefined;
                }}
              />
            </div>
          ) : null}
          {selected ? (
            <div className="account-actions">
              {selected.isDefault ? null : (
                <button
                  type="button"
                  onClick={() => void act(() => window.outbox.accounts.setDefault({ id: selected.id }))}
                >
                  Make default
                </button>
              )}
              <button
                type="button"
                onClick={() =>
                  void act(() =>
                    selected.paused
                      ? window.outbox.accounts.resume({ id: selected.id })
                      : window.outbox.accounts.pause({ id: selected.id }),
                  )
                }
              >
                {selected.paused ? 'Resume sending' : 'Pause sending'}
              </button>
              <button type="button" disabled={position === 0} onClick={() => void move(-1)}>
                Move up
              </button>
              <button type="button" disabled={position === accounts.length - 1} onClick={() => void move(1)}>
                Move down
              </button>
              <button
                type="button"
                className="danger"
                onClick={() => {
                  setDeleting(true);
                }}
              >
                Delete account…
              </button>
              <ErrorMessage error={error} />
            </div>
          ) : null}
          <AccountEditor
            key={selected?.id ?? 'new'}
            account={selected}
            signIn={signIn}
            onSaved={(account) => {
              setAdding(false);
              onSelect(account.id);
              refresh();
            }}
          />
          {selected ? (
            <>
              <ConnectionTest key={`test-${selected.id}`} accountId={selected.id} />
              <SenderDomainCheck key={`domain-${selected.id}`} accountId={selected.id} />
              <DkimKey key={`dkim-${selected.id}`} account={selected} onSaved={refresh} />
            </>
          ) : null}
        </div>
      </div>
      {deleting && selected ? (
        <DeleteAccountDialog
          account={selected}
          others={accounts.filter((a) => a.id !== selected.id)}
          queuedCount={queuedCount(selected.id)}
          onClose={(deleted) => {
            setDeleting(false);
            if (deleted) {
              onSelect(undefined);
              refresh();
            }
          }}
        />
      ) : null}
    </Screen>
  );
}
