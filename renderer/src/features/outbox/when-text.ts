import type { QueueItem } from '../../../../preload/contract/outbox.ts';
import { formatCountdown, formatDateTime } from '../../shared/format.ts';

/** When something will next happen to a message, if anything is planned. */
export function whenText(item: QueueItem, now: number): string | undefined {
  if (item.state === 'scheduled' && item.sendAt) {
    return `Sends ${formatDateTime(item.sendAt)} (${formatCountdown(Date.parse(item.sendAt), now)})`;
  }
  if (item.state === 'deferred' && item.nextAttemptAt) {
    return `Next try ${formatCountdown(Date.parse(item.nextAttemptAt), now)}`;
  }
  if (item.state === 'queued' && item.undoUntil && Date.parse(item.undoUntil) > now) {
    return `Sends ${formatCountdown(Date.parse(item.undoUntil), now)} unless undone`;
  }
  return undefined;
}

export function recipientsText(item: QueueItem): string {
  return item.recipients.map((recipient) => recipient.address).join(', ');
}
