import type { QueueRecord } from '../../main/outbox/store/queue-record.ts';

/** A valid queue record for tests that work on the log directly, below the compose step. */
export const sampleRecord = (id: string, extra: Partial<QueueRecord> = {}): QueueRecord => ({
  version: 1,
  id,
  messageId: `<${id}@example.org>`,
  accountId: 'work',
  from: 'me@example.org',
  subject: `subject ${id}`,
  recipients: [{ address: 'ann@example.net', kind: 'to', state: 'pending' }],
  state: 'queued',
  attempts: 0,
  createdAt: '2026-01-01T10:00:00.000Z',
  sizeBytes: 100,
  attachmentCount: 0,
  envelopeFrom: 'me@example.org',
  onlineMsSpent: 0,
  needsSmtpUtf8: false,
  ...extra,
});
