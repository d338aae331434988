import type { QueueItem } from '../../preload/contract/outbox.ts';

/** A valid outbox list row, as the renderer gets it in pages and events. */
export const sampleItem = (id: string, extra: Partial<QueueItem> = {}): QueueItem => ({
  id,
  messageId: `<${id}@example.org>`,
  accountId: 'work',
  from: 'ann@example.org',
  subject: id,
  recipients: [{ address: 'bob@example.com', kind: 'to', state: 'pending' }],
  state: 'queued',
  attempts: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  sizeBytes: 100,
  attachmentCount: 0,
  ...extra,
});
