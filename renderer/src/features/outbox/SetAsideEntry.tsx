import { useId } from 'react';
import type { QueueItem, SetAsideItem } from '../../../../preload/contract/outbox.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';
import { formatDateTime } from '../../shared/format.ts';
import { useAction } from '../../shared/use-action.ts';
import { setAsideTitle } from './set-aside-text.ts';

interface Props {
  readonly item: SetAsideItem;
  readonly onRestored: (restored: QueueItem) => void;
}

/** One set-aside item: what it was, why it was set aside, where its bytes are, and Restore if it can be. */
export function SetAsideEntry({ item, onRestored }: Props) {
  const { run, busy, error } = useAction<QueueItem>();
  const titleId = useId();
  const whyNotId = useId();
  const title = setAsideTitle(item);

  async function restore() {
    const restored = await run(() => window.outbox.outbox.restore({ key: item.key }));
    if (restored) onRestored(restored);
  }

  return (
    <li className="set-aside-item" aria-labelledby={titleId}>
      <h3 id={titleId}>{title}</h3>
      <dl className="facts">
        <dt>Reason</dt>
        <dd>{item.reason}</dd>
        {item.recipients && item.recipients.length > 0 ? (
          <>
            <dt>To</dt>
            <dd>{item.recipients.join(', ')}</dd>
          </>
        ) : null}
        <dt>File</dt>
        <dd>
          <code className="file-path">{item.file}</code>
        </dd>
        <dt>Set aside</dt>
        <dd>{formatDateTime(item.setAsideAt)}</dd>
      </dl>
      <div className="detail-actions">
        <button
          type="button"
          disabled={busy || !item.restorable}
          aria-label={`Restore ${title}`}
          aria-describedby={item.restorable ? undefined : whyNotId}
          onClick={() => void restore()}
        >
          Restore
        </button>
        {item.restorable ? null : (
          <span id={whyNotId} className="set-aside-why-not">
            Cannot be restored: what was kept could not be read, or does not match what was queued. The file
            stays where it is.
          </span>
        )}
      </div>
      <ErrorMessage error={error} />
    </li>
  );
}
