import type { QueueState } from '../../../preload/contract/outbox.ts';
import { STATE_LABELS } from './queue-states.ts';

export function StateBadge({ state }: { readonly state: QueueState }) {
  return <span className={`badge badge-${state}`}>{STATE_LABELS[state]}</span>;
}
