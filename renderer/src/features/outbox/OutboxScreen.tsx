import { useVirtualizer } from '@tanstack/react-virtual';
import { useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Account } from '../../../../preload/contract/accounts.ts';
import type { DraftContent } from '../../../../preload/contract/compose.ts';
import type { Progress, QueueItem, QueueState } from '../../../../preload/contract/outbox.ts';
import type { OutboxCounts } from '../../../../preload/contract/outbox-page.ts';
import { indexIn } from '../../shared/outbox-rows.ts';
import { STATE_LABELS } from '../../shared/queue-states.ts';
import { useNow } from '../../shared/use-now.ts';
import { OutboxDetails } from './OutboxDetails.tsx';
import { OutboxRow } from './OutboxRow.tsx';
import { SetAsideList } from './SetAsideList.tsx';
import { Screen } from '../../shared/Screen.tsx';

const ROW_HEIGHT = 64;

interface Props {
  /** In the screen's order (use-outbox-items.ts). */
  readonly items: readonly QueueItem[];
  readonly loaded: boolean;
  /** The whole queue's, which may be more than `items` while pages are still coming. */
  readonly counts: OutboxCounts;
  readonly progress: ReadonlyMap<string, Progress>;
  readonly accounts: readonly Account[];
  readonly filter: QueueState | undefined;
  readonly onFilter: (state: QueueState | undefined) => void;
  readonly onEdit: (content: DraftContent) => void;
  readonly onOpenAccount: (accountId: string) => void;
}

export function OutboxScreen({
  items,
  loaded,
  counts,
  progress,
  accounts,
  filter,
  onFilter,
  onEdit,
  onOpenAccount,
}: Props) {
  const now = useNow();
  const listId = useId();
  /** The selected message as it was chosen: found again by its place in the order, not by a scan. */
  const [chosen, setChosen] = useState<QueueItem>();
  const scrollRef = useRef<HTMLDivElement>(null);
  const accountsById = useMemo(() => new Map(accounts.map((a) => [a.id, a])), [accounts]);

  const rows = useMemo(
    () => (filter === undefined ? items : items.filter((item) => item.state === filter)),
    [items, filter],
  );
  const shown = filter === undefined ? counts.total : (counts.byState[filter] ?? 0);

  // The app does not use the React Compiler; the virtualizer re-renders this component itself.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });

  const selectedIndex = chosen ? indexIn(rows, chosen) : -1;
  const selected = rows[selectedIndex];

  function select(index: number) {
    const target = Math.max(0, Math.min(rows.length - 1, index));
    const item = rows[target];
    if (!item) return;
    setChosen(item);
    virtualizer.scrollToIndex(target, { align: 'auto' });
  }

  function onKeyDown(event: KeyboardEvent) {
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? ROW_HEIGHT) / ROW_HEIGHT));
    const moves: Record<string, number> = {
      ArrowDown: selectedIndex + 1,
      ArrowUp: selectedIndex - 1,
      PageDown: selectedIndex + page,
      PageUp: selectedIndex - page,
      Home: 0,
      End: rows.length - 1,
    };
    const target = moves[event.key];
    if (target !== undefined) {
      event.preventDefault();
      select(target);
    }
  }

  return (
    <Screen
      name="outbox"
      title="Outbox"
      header={
        <>
          <label className="inline-field">
            Show
            <select
              value={filter ?? ''}
              onChange={(event) => {
                onFilter((event.target.value || undefined) as QueueState | undefined);
              }}
            >
              <option value="">All messages</option>
              {Object.entries(STATE_LABELS).map(([state, label]) => (
                <option key={state} value={state}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <span className="count" aria-live="polite">
            {loaded ? `${shown} ${shown === 1 ? 'message' : 'messages'}` : 'Loading…'}
          </span>
        </>
      }
    >
      <SetAsideList
        onRestored={(restored) => {
          setChosen(restored);
        }}
      />
      <div className="split">
        <div
          ref={scrollRef}
          className="outbox-list"
          role="listbox"
          tabIndex={0}
          aria-label="Messages in the outbox"
          aria-activedescendant={selected ? `${listId}-${selected.id}` : undefined}
          onKeyDown={onKeyDown}
          onFocus={() => {
            if (!selected && rows.length > 0) setChosen(rows[0]);
          }}
        >
          {rows.length === 0 && loaded ? <p className="empty">Nothing waiting to be sent.</p> : null}
          <div role="presentation" className="virtual-space" style={{ height: virtualizer.getTotalSize() }}>
            {virtualizer.getVirtualItems().map((virtual) => {
              const item = rows[virtual.index];
              if (!item) return null;
              return (
                <div
                  key={item.id}
                  role="presentation"
                  className="virtual-row"
                  style={{ height: virtual.size, transform: `translateY(${virtual.start}px)` }}
                >
                  <OutboxRow
                    item={item}
                    account={accountsById.get(item.accountId)}
                    progress={progress.get(item.id)}
                    now={now}
                    selected={item.id === selected?.id}
                    optionId={`${listId}-${item.id}`}
                    onSelect={() => {
                      setChosen(item);
                    }}
                  />
                </div>
              );
            })}
          </div>
        </div>
        {selected ? (
          <OutboxDetails
            key={selected.id}
            item={selected}
            account={accountsById.get(selected.accountId)}
            progress={progress.get(selected.id)}
            now={now}
            onEdit={onEdit}
            onOpenAccount={onOpenAccount}
          />
        ) : (
          <p className="details details-empty">Select a message to see its details and actions.</p>
        )}
      </div>
    </Screen>
  );
}
