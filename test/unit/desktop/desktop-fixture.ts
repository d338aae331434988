import { summarizeQueue, type QueueSummary } from '../../../main/outbox/queue-summary.ts';

// 2026-12-04 10:00 UTC; the tables say times in UTC with a 24-hour English locale.
export const NOW = Date.UTC(2026, 11, 4, 10, 0);
export const AT_1405 = Date.UTC(2026, 11, 4, 14, 5);
export const TOMORROW_0800 = Date.UTC(2026, 11, 5, 8, 0);
export const WHERE = { locale: 'en-GB', timeZone: 'UTC' } as const;

/** A summary with only the given numbers and times. */
export const summaryOf = (part: Partial<QueueSummary>): QueueSummary => ({ ...summarizeQueue([]), ...part });
