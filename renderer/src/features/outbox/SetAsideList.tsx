import type { QueueItem } from '../../../../preload/contract/outbox.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';
import { SetAsideEntry } from './SetAsideEntry.tsx';
import { setAsideSummary } from './set-aside-text.ts';
import { useSetAside } from './use-set-aside.ts';

interface Props {
  /** A restored message is back in the queue: the outbox can show it. */
  readonly onRestored: (restored: QueueItem) => void;
}

/** The outbox's account of what the queue set aside as damaged; nothing shows while nothing is. */
export function SetAsideList({ onRestored }: Props) {
  const { items, error, forget } = useSetAside();
  if (items.length === 0 && !error) return null;
  return (
    // Focusable so the keyboard can scroll it when every Restore button is disabled.
    <section className="set-aside" aria-labelledby="set-aside-title" tabIndex={0}>
      <h2 id="set-aside-title">Set aside</h2>
      {items.length > 0 ? <p className="set-aside-summary">{setAsideSummary(items.length)}</p> : null}
      <ErrorMessage error={error} />
      <ul className="set-aside-items">
        {items.map((item) => (
          <SetAsideEntry
            key={item.key}
            item={item}
            onRestored={(restored) => {
              forget(item.key);
              onRestored(restored);
            }}
          />
        ))}
      </ul>
    </section>
  );
}
