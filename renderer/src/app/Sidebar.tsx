import type { QueueState } from '../../../preload/contract/outbox.ts';
import { STATE_LABELS, STATE_ORDER } from '../shared/queue-states.ts';
import { OnlineIndicator } from './OnlineIndicator.tsx';
import { SCREEN_LABELS, type Screen } from './screens.ts';

interface Props {
  readonly screen: Screen;
  readonly filter: QueueState | undefined;
  readonly counts: ReadonlyMap<QueueState, number>;
  readonly total: number;
  readonly onNavigate: (screen: Screen, filter?: QueueState) => void;
}

export function Sidebar({ screen, filter, counts, total, onNavigate }: Props) {
  const item = (target: Screen, extra?: string) => (
    <button
      type="button"
      className={screen === target && (target !== 'outbox' || !filter) ? 'nav-item active' : 'nav-item'}
      aria-current={screen === target && (target !== 'outbox' || !filter) ? 'page' : undefined}
      onClick={() => {
        onNavigate(target);
      }}
    >
      <span>{SCREEN_LABELS[target]}</span>
      {extra ? <span className="nav-count">{extra}</span> : null}
    </button>
  );
  return (
    <aside className="sidebar">
      <nav aria-label="Main">
        <ul>
          <li>{item('compose')}</li>
          <li>
            {item('outbox', total > 0 ? String(total) : undefined)}
            <ul className="state-counts" aria-label="Outbox by state">
              {STATE_ORDER.filter((state) => (counts.get(state) ?? 0) > 0).map((state) => (
                <li key={state}>
                  <button
                    type="button"
                    className={screen === 'outbox' && filter === state ? `nav-sub active` : 'nav-sub'}
                    aria-current={screen === 'outbox' && filter === state ? 'page' : undefined}
                    onClick={() => {
                      onNavigate('outbox', state);
                    }}
                  >
                    <span className={`state-dot dot-${state}`} aria-hidden="true" />
                    <span>{STATE_LABELS[state]}</span>
                    <span className="nav-count">{counts.get(state)}</span>
                  </button>
                </li>
              ))}
            </ul>
          </li>
          <li>{item('sent')}</li>
          <li>{item('drafts')}</li>
          <li>{item('accounts')}</li>
          <li>{item('settings')}</li>
        </ul>
      </nav>
      <OnlineIndicator />
    </aside>
  );
}
