import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Account } from '../../../../preload/contract/accounts.ts';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import type { SentRecord } from '../../../../preload/contract/outbox.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';
import { formatDateTime } from '../../shared/format.ts';
import { SentDetails } from './SentDetails.tsx';
import { Screen } from '../../shared/Screen.tsx';

const PAGE = 200;

interface Props {
  readonly accounts: readonly Account[];
}

export function SentScreen({ accounts }: Props) {
  const [records, setRecords] = useState<readonly SentRecord[]>([]);
  const [more, setMore] = useState(false);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<ErrorInfo>();
  const [selectedId, setSelectedId] = useState<string>();
  const accountsById = useMemo(() => new Map(accounts.map((a) => [a.id, a])), [accounts]);

  const load = useCallback((before?: string) => {
    void window.outbox.sent.list(before ? { limit: PAGE, before } : { limit: PAGE }).then((result) => {
      setLoaded(true);
      if (!result.ok) {
        setError(result.error);
        return;
      }
      setError(undefined);
      setMore(result.value.length === PAGE);
      setRecords((current) => (before ? [...current, ...result.value] : result.value));
    });
  }, []);

  // A message leaves the queue when it is sent: read the newest page again, at most once a second.
  useEffect(() => {
    load();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = window.outbox.outbox.onChanged((change) => {
      if (change.removed.length === 0 && !change.upserted.some((item) => item.state === 'sent')) return;
      timer ??= setTimeout(() => {
        timer = undefined;
        load();
      }, 1000);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [load]);

  const selected = records.find((record) => record.id === selectedId);
  const last = records.at(-1);
  return (
    <Screen
      name="sent"
      title="Sent"
      header={<span className="count">{loaded ? `${records.length} shown` : 'Loading…'}</span>}
    >
      <ErrorMessage error={error} />
      <div className="split">
        <div className="sent-list">
          {loaded && records.length === 0 ? <p className="empty">Nothing sent yet.</p> : null}
          <ul aria-label="Sent messages">
            {records.map((record) => {
              const rejected = record.recipients.filter((r) => r.state === 'rejected').length;
              return (
                <li key={record.id}>
                  <button
                    type="button"
                    className={record.id === selectedId ? 'sent-row selected' : 'sent-row'}
                    aria-pressed={record.id === selectedId}
                    onClick={() => {
                      setSelectedId(record.id);
                    }}
                  >
                    <span className="row-subject">{record.subject || '(no subject)'}</span>
                    <span className="row-recipients">
                      {record.recipients.map((r) => r.address).join(', ')}
                      {rejected > 0 ? ` · ${rejected} refused` : ''}
                    </span>
                    <span className="row-when">
                      {formatDateTime(record.sentAt)}
                      {record.markedSent ? ' · marked as sent' : ''} ·{' '}
                      {accountsById.get(record.accountId)?.label ?? record.from}
                    </span>
                  </button>
                </li>
              );
            })}
          </ul>
          {more && last ? (
            <button
              type="button"
              onClick={() => {
                load(last.sentAt);
              }}
            >
              Load older messages
            </button>
          ) : null}
        </div>
        {selected ? (
          <SentDetails record={selected} account={accountsById.get(selected.accountId)} />
        ) : (
          <p className="details details-empty">Select a message to see what each server answered.</p>
        )}
      </div>
    </Screen>
  );
}
