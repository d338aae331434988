import type { Account } from '../../../../preload/contract/accounts.ts';
import type { Progress, QueueItem } from '../../../../preload/contract/outbox.ts';
import { ProgressBar } from '../../shared/ProgressBar.tsx';
import { StateBadge } from '../../shared/StateBadge.tsx';
import { recipientsText, whenText } from './when-text.ts';

interface Props {
  readonly item: QueueItem;
  readonly account: Account | undefined;
  readonly progress: Progress | undefined;
  readonly now: number;
  readonly selected: boolean;
  readonly optionId: string;
  readonly onSelect: () => void;
}

export function OutboxRow({ item, account, progress, now, selected, optionId, onSelect }: Props) {
  const when = whenText(item, now);
  return (
    <div
      id={optionId}
      role="option"
      aria-selected={selected}
      className={selected ? 'outbox-row selected' : 'outbox-row'}
      onClick={onSelect}
    >
      <div className="row-line">
        <StateBadge state={item.state} />
        <span className="row-subject">{item.subject || '(no subject)'}</span>
        <span className="row-account">
          <span className="account-dot" style={{ background: account?.color ?? 'transparent' }} />
          {account?.label ?? 'Unknown account'}
        </span>
      </div>
      <div className="row-line row-detail">
        <span className="row-recipients">{recipientsText(item)}</span>
        {item.state === 'sending' && progress ? (
          <ProgressBar progress={progress} label={`Sending ${item.subject || 'message'}`} />
        ) : null}
        {when ? <span className="row-when">{when}</span> : null}
        <span className="row-attempts">
          {item.attempts} {item.attempts === 1 ? 'attempt' : 'attempts'}
        </span>
      </div>
    </div>
  );
}
