import type { Notice, NoticeKind } from './decide-outcome.ts';

/** A burst of notices ends once none has come for this long… */
export const QUIET_MS = 2_000;
/** …and none waits longer than this to be shown, however long the burst goes on. */
export const MAX_WAIT_MS = 10_000;

/** When the notices held since `firstAt`, the latest of them at `lastAt`, are shown. */
export function showAt(firstAt: number, lastAt: number): number {
  return Math.min(lastAt + QUIET_MS, firstAt + MAX_WAIT_MS);
}

/** What several notices of one kind become. */
const SUMMARIES: Record<NoticeKind, (count: number) => Omit<Notice, 'kind'>> = {
  sent: (count) => ({ title: 'Sent', body: `${count} messages sent` }),
  failed: (count) => ({ title: 'Messages not sent', body: `${count} messages could not be sent` }),
  unconfirmed: (count) => ({
    title: 'Delivery unconfirmed',
    body: `${count} messages may or may not have been delivered`,
  }),
  attention: (count) => ({ title: 'Accounts need attention', body: `${count} accounts need attention` }),
};

/**
 * What one burst of notices shows, so that a queue going out at once is not a flood of
 * notifications: one per kind, in the order the kinds first came; a kind that came once is shown as
 * it is, several as their count. The same notice twice (two messages of one account meeting the
 * same sign-in failure) counts once.
 */
export function coalesceNotices(notices: readonly Notice[]): Notice[] {
  const byKind = new Map<NoticeKind, Map<string, Notice>>();
  for (const notice of notices) {
    const same = byKind.get(notice.kind) ?? new Map<string, Notice>();
    same.set(`${notice.title}\n${notice.body}`, notice);
    byKind.set(notice.kind, same);
  }
  return [...byKind].map(([kind, same]) => {
    const [only] = same.values();
    return same.size === 1 && only ? only : { kind, ...SUMMARIES[kind](same.size) };
  });
}
