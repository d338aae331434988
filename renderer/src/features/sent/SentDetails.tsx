import type { Account } from '../../../../preload/contract/accounts.ts';
import type { SentRecord } from '../../../../preload/contract/outbox.ts';
import { RecipientResults } from '../../shared/RecipientResults.tsx';
import { formatBytes, formatDateTime } from '../../shared/format.ts';

interface Props {
  readonly record: SentRecord;
  readonly account: Account | undefined;
}

export function SentDetails({ record, account }: Props) {
  return (
    <section className="details" aria-labelledby="sent-details-title">
      <h2 id="sent-details-title">{record.subject || '(no subject)'}</h2>
      <dl className="facts">
        <dt>Sent</dt>
        <dd>
          {formatDateTime(record.sentAt)}
          {record.markedSent ? ' · marked as sent by you; the server never confirmed it' : ''}
        </dd>
        <dt>From</dt>
        <dd>
          {record.from} · {account?.label ?? 'Deleted account'}
        </dd>
        <dt>Attempts</dt>
        <dd>{record.attempts}</dd>
        <dt>Size</dt>
        <dd>{formatBytes(record.sizeBytes)}</dd>
        <dt>Message-ID</dt>
        <dd className="mono">{record.messageId}</dd>
      </dl>
      <RecipientResults recipients={record.recipients} />
    </section>
  );
}
