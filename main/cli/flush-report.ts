import type { Account } from '../../preload/contract/accounts.ts';
import type { QueueItem, QueueState, SentRecord } from '../../preload/contract/outbox.ts';
import type { LockHolder } from '../outbox/delivery/deliverer-lock.ts';
import { classifySignInError } from '../smtp/smtp-failure.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

/** What `queue flush` prints once it is done: one summary line for stdout, hints for stderr. */
export interface FlushReport {
  readonly summary: string;
  /** One line each, saying what the user has to run; empty when nothing needs them. */
  readonly hints: readonly string[];
  readonly exitCode: ExitCode;
}

/** States in which a message still waits to go: it needs its account to exist. */
const WAITING: readonly QueueState[] = [
  'queued',
  'scheduled',
  'deferred',
  'held',
  'needs_attention',
  'sending',
];
/** Left after a flush, these go on their own, later: try the flush again (75). */
const TEMPORARY: readonly QueueState[] = ['queued', 'deferred', 'sending'];
const SHOWN_IDS = 5;

function idList(items: readonly QueueItem[]): string {
  const ids = items.slice(0, SHOWN_IDS).map((item) => item.id);
  return items.length > SHOWN_IDS ? `${ids.join(', ')}, …` : ids.join(', ');
}

/**
 * Why messages wait that no account setting explains: a keychain this process cannot reach (cron
 * has no D-Bus session). Said once, as it is the process, not the account, that must change.
 */
function processConditions(left: readonly QueueItem[]): string[] {
  const reasons = new Set<string>();
  for (const item of left) {
    if (!TEMPORARY.includes(item.state) || !item.lastError) continue;
    if (classifySignInError(item.lastError).class === 'process') reasons.add(item.lastError.message);
  }
  return [...reasons];
}

/** A sentence ends with its stop, once: messages may or may not carry theirs. */
const withStop = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

const messages = (n: number) => (n === 1 ? '1 message' : `${n} messages`);

function countsByState(items: readonly QueueItem[]): string {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.state, (counts.get(item.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
}

/**
 * What to run for an account that needs attention. A password Microsoft no longer takes is fixed by
 * signing in with Microsoft, not by testing the same password again.
 */
function nextStep(account: Account): string {
  if (account.attention?.code === 'basic_auth_unsupported') {
    return `run "outbox accounts edit ${account.label} --oauth", then "outbox accounts signin ${account.label}", to sign in with Microsoft`;
  }
  return `see "outbox accounts test ${account.label}"`;
}

/**
 * The outcome of a flush. The exit status says what is left, the worst first: something only the
 * user can fix (an account that needs attention or no longer exists: 78), a message the server may
 * or may not have (unconfirmed: 76), messages still waiting to go (75); otherwise 0. Held (paused)
 * and failed messages are reported but do not fail the flush. Hints also say why messages wait
 * when the cause is this process, not an account (a keychain it cannot reach).
 */
export function flushReport(
  delivered: number,
  left: readonly QueueItem[],
  accounts: readonly Account[],
): FlushReport {
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const orphans = left.filter((item) => WAITING.includes(item.state) && !byId.has(item.accountId));
  const unconfirmed = left.filter((item) => item.state === 'unconfirmed');
  const missed = left.filter((item) => item.state === 'held' && item.lastError?.code === 'schedule_missed');
  const blocked = accounts.filter(
    (a) => a.attention && left.some((item) => item.accountId === a.id && item.state === 'needs_attention'),
  );
  const hints = [
    ...processConditions(left),
    ...blocked.map(
      (a) =>
        `account "${a.label}" needs attention: ${withStop(a.attention?.message ?? '')} Its mail waits until it is fixed; ${nextStep(a)}.`,
    ),
    ...(orphans.length > 0
      ? [
          `${messages(orphans.length)} ${orphans.length === 1 ? 'waits' : 'wait'} for an account that no longer exists (${idList(orphans)}): run "outbox queue move ID --account NAME".`,
        ]
      : []),
    ...(missed.length > 0
      ? [
          `${messages(missed.length)} held, as ${missed.length === 1 ? 'it' : 'they'} would have gone later than you allowed (${idList(missed)}): run "outbox queue retry ID" to send anyway, or "outbox queue cancel ID".`,
        ]
      : []),
    ...(unconfirmed.length > 0
      ? [
          `${messages(unconfirmed.length)} may have been delivered: the connection broke after the server took the message (${idList(unconfirmed)}). Check with a recipient, then run "outbox queue resend ID" or "outbox queue mark-sent ID".`,
        ]
      : []),
  ];
  const exitCode =
    blocked.length > 0 || orphans.length > 0
      ? EXIT.config
      : unconfirmed.length > 0
        ? EXIT.protocol
        : left.some((item) => TEMPORARY.includes(item.state))
          ? EXIT.tempFail
          : EXIT.ok;
  const rest = left.length === 0 ? 'the outbox is empty' : `still in the outbox: ${countsByState(left)}`;
  return { summary: `Delivered ${delivered}; ${rest}.`, hints, exitCode };
}

/** Sent-log records, newest first, sent before `before` (an ISO time) when it is given. */
export type SentPages = (query: { limit: number; before?: string | undefined }) => Promise<SentRecord[]>;

const PAGE = 1000;

/**
 * How many sent-log records are from `since` (an ISO time) on: what was delivered meanwhile, by
 * whichever process. Pages are read newest first. Many messages can share a millisecond, and the
 * log lists only times strictly before `before`, so each page starts again at the last one's time,
 * counting every id once (a run of equal times longer than a page makes the page longer).
 */
export async function deliveredSince(pages: SentPages, since: string): Promise<number> {
  const seen = new Set<string>();
  let before: string | undefined;
  let limit = PAGE;
  for (;;) {
    const page = await pages({ limit, before });
    const recent = page.filter((record) => record.sentAt >= since);
    const fresh = recent.filter((record) => !seen.has(record.id));
    for (const record of fresh) seen.add(record.id);
    const last = page.at(-1);
    if (!last || recent.length < page.length || page.length < limit) return seen.size;
    if (fresh.length === 0) limit *= 2;
    before = new Date(Date.parse(last.sentAt) + 1).toISOString();
  }
}

/** Who holds the deliverer lock and why, as a clause: "the app is delivering". */
export function lockHolderText(holder: LockHolder | undefined): string {
  if (!holder) return 'another Outbox process is delivering';
  switch (holder.role) {
    case 'app':
      return 'the app is delivering';
    case 'queue-flush':
      return `another outbox process (queue flush, pid ${holder.pid}) is delivering`;
    case 'accounts':
      return `another outbox process (an accounts command, pid ${holder.pid}) is changing the accounts`;
    case undefined:
      return `another Outbox process (pid ${holder.pid}) is delivering`;
    default: {
      const unreachable: never = holder.role;
      throw new Error(`unknown deliverer role ${JSON.stringify(unreachable)}`);
    }
  }
}
