import type { Account } from '../../../../preload/contract/accounts.ts';
import type { DraftContent } from '../../../../preload/contract/compose.ts';
import type { Result } from '../../../../preload/contract/errors.ts';
import type { Progress, QueueItem } from '../../../../preload/contract/outbox.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';
import { RecipientResults } from '../../shared/RecipientResults.tsx';
import { formatBytes, formatDateTime } from '../../shared/format.ts';
import { ProgressBar } from '../../shared/ProgressBar.tsx';
import { StateBadge } from '../../shared/StateBadge.tsx';
import { useAction } from '../../shared/use-action.ts';
import { whenText } from './when-text.ts';

interface Props {
  readonly item: QueueItem;
  readonly account: Account | undefined;
  readonly progress: Progress | undefined;
  readonly now: number;
  readonly onEdit: (content: DraftContent) => void;
  readonly onOpenAccount: (accountId: string) => void;
}

const RETRYABLE = new Set(['deferred', 'failed', 'needs_attention', 'held']);
const EDITABLE = new Set(['scheduled', 'held', 'failed']);

export function OutboxDetails({ item, account, progress, now, onEdit, onOpenAccount }: Props) {
  const { run, busy, error } = useAction<unknown>();
  const when = whenText(item, now);

  async function act<T>(call: () => Promise<Result<T>>, then?: (value: T) => void) {
    const value = (await run(call)) as T | undefined;
    if (value !== undefined) then?.(value);
  }

  const byId = { id: item.id };
  return (
    <section className="details" aria-labelledby="outbox-details-title">
      <h2 id="outbox-details-title">{item.subject || '(no subject)'}</h2>
      <dl className="facts">
        <dt>State</dt>
        <dd>
          <StateBadge state={item.state} />
          {when ? <span className="when"> {when}</span> : null}
        </dd>
        <dt>From</dt>
        <dd>
          {item.from} · {account?.label ?? 'Unknown account'}
          {account?.paused ? ' (paused)' : ''}
        </dd>
        <dt>Attempts</dt>
        <dd>{item.attempts}</dd>
        <dt>Size</dt>
        <dd>
          {formatBytes(item.sizeBytes)}
          {item.attachmentCount > 0 ? `, ${item.attachmentCount} attachments` : ''}
        </dd>
        <dt>Created</dt>
        <dd>{formatDateTime(item.createdAt)}</dd>
      </dl>
      {item.state === 'sending' && progress ? <ProgressBar progress={progress} label="Bytes sent" /> : null}
      <RecipientResults recipients={item.recipients} />
      {item.lastError ? (
        <div className="last-error">
          <h3>What went wrong</h3>
          <ErrorMessage error={item.lastError} />
        </div>
      ) : null}
      {item.lastReply ? (
        <>
          <h3>Last server reply</h3>
          <pre className="server-reply" aria-label="Last server reply">
            {item.lastReply}
          </pre>
        </>
      ) : null}
      {item.state === 'unconfirmed' ? (
        <p className="notice">
          The server received the whole message but never confirmed it. Sending it again may deliver it twice.
        </p>
      ) : null}
      <div className="detail-actions">
        {RETRYABLE.has(item.state) ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => void act(() => window.outbox.outbox.retryNow(byId))}
          >
            Retry now
          </button>
        ) : null}
        {EDITABLE.has(item.state) ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => void act(() => window.outbox.outbox.edit(byId), onEdit)}
          >
            Edit
          </button>
        ) : null}
        {item.state === 'unconfirmed' ? (
          <>
            <button
              type="button"
              disabled={busy}
              onClick={() => void act(() => window.outbox.outbox.resend(byId))}
            >
              Resend
            </button>
            <button
              type="button"
              disabled={busy}
              onClick={() => void act(() => window.outbox.outbox.markSent(byId))}
            >
              Mark as sent
            </button>
          </>
        ) : null}
        {item.state !== 'sending' && item.state !== 'sent' ? (
          <button
            type="button"
            disabled={busy}
            onClick={() => void act(() => window.outbox.outbox.cancel(byId))}
          >
            Cancel message
          </button>
        ) : null}
        {account ? (
          <button
            type="button"
            disabled={busy}
            onClick={() =>
              void act(() =>
                account.paused
                  ? window.outbox.accounts.resume({ id: account.id })
                  : window.outbox.accounts.pause({ id: account.id }),
              )
            }
          >
            {account.paused ? `Resume ${account.label}` : `Pause ${account.label}`}
          </button>
        ) : null}
        {account?.attention ? (
          <button
            type="button"
            onClick={() => {
              onOpenAccount(account.id);
            }}
          >
            Fix account…
          </button>
        ) : null}
      </div>
      <ErrorMessage error={error} />
    </section>
  );
}
