import type { SetAsideItem } from '../../../../preload/contract/outbox.ts';

/** The calm one-line summary above the list: how many, why, and that nothing was thrown away. */
export function setAsideSummary(count: number): string {
  return count === 1
    ? '1 message was set aside because it was damaged on disk. Its file is kept.'
    : `${count} messages were set aside because they were damaged on disk. Their files are kept.`;
}

/** The item's name: its subject when it could be read. */
export function setAsideTitle(item: SetAsideItem): string {
  if (item.subject === undefined) return 'Unknown message';
  return item.subject || '(no subject)';
}
