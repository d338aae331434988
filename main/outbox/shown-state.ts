import type { Account } from '../../preload/contract/accounts.ts';
import type { QueueState } from '../../preload/contract/outbox.ts';
import type { QueueRecord } from './store/queue-record.ts';

/**
 * The state the user sees for a message: its stored state, unless something says more. An attempt
 * under way shows as sending; mail waiting on an account that needs the user (a refused password,
 * a sign-in) or that the user paused shows why it does not go. The app's list and `queue list`.
 */
export function shownState(
  state: QueueRecord['state'],
  account: Pick<Account, 'attention' | 'paused'> | undefined,
  sending: boolean,
): QueueState {
  if (sending) return 'sending';
  if (showsAccount(state)) {
    if (account?.attention) return 'needs_attention';
    if (account?.paused) return 'held';
  }
  return state;
}

/** Whether a message in this stored state shows what its account is (held, needs attention). */
export function showsAccount(state: QueueRecord['state']): boolean {
  return state === 'queued' || state === 'deferred';
}
