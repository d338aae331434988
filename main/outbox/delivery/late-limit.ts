import type { QueueRecord } from '../store/queue-record.ts';
import type { Outcome } from './decide-outcome.ts';

const MINUTE_MS = 60_000;

const minutes = (n: number) => (n === 1 ? '1 minute' : `${n} minutes`);

/**
 * A scheduled message about to get its first attempt: held if it would go later than the user
 * allowed ("don't send if more than N minutes late"), with a notice, for them to send or cancel.
 * Undefined when it may go: on time, overdue with no limit (it goes at once), or within its limit.
 * Only the first attempt counts: a retry after a deferral is the server's lateness, not the schedule's.
 */
export function missedSchedule(record: QueueRecord, now: number): Outcome | undefined {
  const { sendAt, lateLimitMinutes } = record;
  if (record.state !== 'scheduled' || sendAt === undefined || lateLimitMinutes === undefined)
    return undefined;
  const lateMs = now - Date.parse(sendAt);
  if (!(lateMs > lateLimitMinutes * MINUTE_MS)) return undefined;
  const message = `Not sent: it was to go at ${sendAt}, and would have gone ${minutes(Math.floor(lateMs / MINUTE_MS))} late (you allowed ${minutes(lateLimitMinutes)}). Send it now or cancel it.`;
  return {
    next: {
      kind: 'save',
      record: {
        ...record,
        state: 'held',
        nextAttemptAt: undefined,
        lastError: { code: 'schedule_missed', message },
      },
    },
    account: { kind: 'none' },
    notice: { kind: 'failed', title: 'Scheduled message held', body: `“${record.subject}”: ${message}` },
  };
}
