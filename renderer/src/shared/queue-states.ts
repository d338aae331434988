import type { QueueState } from '../../../preload/contract/outbox.ts';

export const STATE_LABELS: Record<QueueState, string> = {
  queued: 'Queued',
  scheduled: 'Scheduled',
  sending: 'Sending',
  deferred: 'Waiting to retry',
  held: 'Held',
  needs_attention: 'Needs attention',
  unconfirmed: 'Unconfirmed',
  failed: 'Failed',
  sent: 'Sent',
};

/** The order states appear in the sidebar: what needs the user first. */
export const STATE_ORDER: readonly QueueState[] = [
  'needs_attention',
  'failed',
  'unconfirmed',
  'sending',
  'queued',
  'deferred',
  'scheduled',
  'held',
  'sent',
];
