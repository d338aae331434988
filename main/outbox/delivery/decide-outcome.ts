import type { ErrorInfo } from '../../../preload/contract/errors.ts';
import type { AppSettings } from '../../../preload/contract/settings.ts';
import type { SmtpFailure } from '../../smtp/smtp-failure.ts';
import type { QueueRecord } from '../store/queue-record.ts';
import { boundedRecord } from '../store/record-bounds.ts';
import type { AttemptResult } from './delivery-agent.ts';
import { backoffMs, nextRetry } from './retry-policy.ts';

const HOUR_MS = 3_600_000;

export const UNCONFIRMED: ErrorInfo = {
  code: 'connection_failed',
  message:
    'The connection broke after the whole message was handed to the server, so it may have been delivered. Resend it or mark it as sent.',
};

export const OUTCOME_UNSAVED: ErrorInfo = {
  code: 'storage_failed',
  message:
    'The outcome of the last attempt could not be saved (the disk is full or failing). Outbox tries again later.',
};

/** What becomes of the message. */
export type NextState =
  /** Every recipient answered and one at least accepted it: into the sent log, out of the queue. */
  | { readonly kind: 'sent'; readonly record: QueueRecord }
  /** Stored as is (deferred, failed, unconfirmed, or unchanged but for its last error). */
  | { readonly kind: 'save'; readonly record: QueueRecord }
  /**
   * This computer failed: stored as is unless the store, looking at the bytes again, finds them
   * gone for good and sets the message aside itself.
   */
  | { readonly kind: 'save_unless_set_aside'; readonly record: QueueRecord }
  /**
   * Its stored bytes are damaged: `record`, unchanged (no attempt counted), goes into the quarantine
   * folder and out of the queue; the store's notice tells the user.
   */
  | { readonly kind: 'set_aside'; readonly record: QueueRecord; readonly reason: string };

/** What the attempt says about the account (and the network it is reached over). */
export type AccountEffect =
  | { readonly kind: 'none' }
  /** The server answered: the network works and any account-wide wait is over. */
  | { readonly kind: 'reachable' }
  /** No network at all: nothing is blamed on the account. */
  | { readonly kind: 'offline' }
  /** The server is unreachable or closing: the account's other messages wait until `until`. */
  | { readonly kind: 'blocked'; readonly blocks: number; readonly until: number }
  /** Credentials or a certificate: the account stops until the user acts. */
  | { readonly kind: 'needs_attention'; readonly error: ErrorInfo };

/** What a notice is about: notices of one kind that come close together are shown as one. */
export type NoticeKind = 'sent' | 'failed' | 'unconfirmed' | 'attention';

export interface Notice {
  readonly kind: NoticeKind;
  readonly title: string;
  readonly body: string;
}

export interface Outcome {
  readonly next: NextState;
  readonly account: AccountEffect;
  /** Shown after the message is stored; an account that needs attention is told at once. */
  readonly notice?: Notice;
}

export interface OutcomeContext {
  /** When the attempt ended. */
  readonly now: number;
  /** Draws in [0, 1) for the jitter, one per backoff, in the order the policy needs them. */
  readonly random: () => number;
  readonly settings: Pick<AppSettings, 'autoResendUnconfirmed' | 'retryLifetimeHours'>;
  /** Time spent online trying, this attempt included. */
  readonly onlineMsSpent: number;
  /** Account-wide waits in a row so far (each one longer), ended by the server answering. */
  readonly accountBlocks: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const none: AccountEffect = { kind: 'none' };

const asError = (failure: SmtpFailure): ErrorInfo => ({ code: failure.code, message: failure.message });
const replyOf = (failure: SmtpFailure): { lastReply?: string } =>
  failure.response ? { lastReply: failure.response } : {};

function failed(record: QueueRecord): { record: QueueRecord; notice: Notice } {
  return {
    record: { ...record, state: 'failed', nextAttemptAt: undefined },
    notice: {
      kind: 'failed',
      title: 'Message not sent',
      body: `“${record.subject}”: ${record.lastError?.message ?? 'delivery failed'}`,
    },
  };
}

/** Tried again after a backoff (RFC 5321 §4.5.4.1), or failed once its lifetime online is spent. */
function deferred(record: QueueRecord, context: OutcomeContext): { record: QueueRecord; notice?: Notice } {
  const decision = nextRetry({
    failures: record.attempts,
    onlineMsSpent: record.onlineMsSpent,
    lifetimeMs: context.settings.retryLifetimeHours * HOUR_MS,
    now: context.now,
    random: context.random(),
  });
  if (decision.kind === 'give_up') return failed(record);
  return { record: { ...record, state: 'deferred', nextAttemptAt: iso(decision.at) } };
}

function saved(
  { record, notice }: { record: QueueRecord; notice?: Notice | undefined },
  account: AccountEffect = none,
): Outcome {
  return { next: { kind: 'save', record }, account, ...(notice ? { notice } : {}) };
}

/** Addresses named in a sent notice; the rest are counted. */
const NAMED_RECIPIENTS = 2;

/** "Sent": the subject and who accepted it, short enough for a desktop notification. */
function sentNotice(record: QueueRecord): Notice {
  const accepted = record.recipients.filter((r) => r.state === 'accepted').map((r) => r.address);
  const named = accepted.slice(0, NAMED_RECIPIENTS).join(', ');
  const more = accepted.length - NAMED_RECIPIENTS;
  const to = more > 0 ? `${named} and ${more} more` : named;
  const refused = record.recipients.length - accepted.length;
  const refusedNote = refused > 0 ? ` (refused by ${refused})` : '';
  return { kind: 'sent', title: 'Sent', body: `“${record.subject}” to ${to}${refusedNote}` };
}

/** The server answered for each recipient tried: sent, refused for good, or some still to go. */
function answered(tried: QueueRecord, context: OutcomeContext): Outcome {
  const reachable: AccountEffect = { kind: 'reachable' };
  const open = tried.recipients.some((r) => r.state === 'pending' || r.state === 'deferred');
  if (open) {
    const lastError: ErrorInfo = {
      code: 'server_deferred',
      message: 'The server asked to try some recipients later.',
    };
    return saved(deferred({ ...tried, lastError }, context), reachable);
  }
  if (tried.recipients.some((r) => r.state === 'accepted')) {
    return { next: { kind: 'sent', record: tried }, account: reachable, notice: sentNotice(tried) };
  }
  // RFC 6531 §3.5: a server without SMTPUTF8 refuses international addresses with 553 or 555.
  const smtpUtf8 = tried.needsSmtpUtf8 && tried.recipients.some((r) => /^55[35]/.test(r.reply ?? ''));
  const lastError: ErrorInfo = smtpUtf8
    ? {
        code: 'smtputf8_unsupported',
        message: `The server does not accept international addresses (SMTPUTF8): ${tried.lastReply ?? ''}`,
      }
    : { code: 'recipient_rejected', message: 'The server refused every recipient.' };
  return saved(failed({ ...tried, lastError }), reachable);
}

/** The message as a whole did not go through. */
function failedAttempt(
  record: QueueRecord,
  tried: QueueRecord,
  failure: SmtpFailure,
  context: OutcomeContext,
): Outcome {
  const lastError = asError(failure);
  switch (failure.class) {
    case 'offline':
      // No attempt spent: the message waits for the network.
      return saved({ record: { ...record, lastError } }, { kind: 'offline' });
    case 'attention':
      return {
        next: { kind: 'save', record: { ...record, lastError } },
        account: { kind: 'needs_attention', error: lastError },
        notice: { kind: 'attention', title: 'An account needs attention', body: failure.message },
      };
    case 'process': {
      // No server was asked: no attempt spent, nothing said of the account or the network. Its
      // messages wait a backoff (in memory only), so another process, or this one later, tries.
      const blocks = context.accountBlocks + 1;
      return saved(
        { record: { ...record, lastError } },
        { kind: 'blocked', blocks, until: context.now + backoffMs(blocks, context.random()) },
      );
    }
    case 'permanent':
      return saved(failed({ ...tried, lastError, ...replyOf(failure) }));
    case 'local': {
      // This computer's fault, not the server's: the account's other messages go on.
      const { record: next, notice } = deferred({ ...tried, lastError }, context);
      return {
        next: { kind: 'save_unless_set_aside', record: next },
        account: none,
        ...(notice ? { notice } : {}),
      };
    }
    case 'deferred': {
      // No reply at all, or 421 (RFC 5321 §3.8: the server is closing the channel): the server
      // itself is unavailable, so its other messages wait with this one.
      const wholeServer = failure.responseCode === undefined || failure.responseCode === 421;
      const blocks = context.accountBlocks + 1;
      const account: AccountEffect = wholeServer
        ? { kind: 'blocked', blocks, until: context.now + backoffMs(blocks, context.random()) }
        : none;
      return saved(deferred({ ...tried, lastError, ...replyOf(failure) }, context), account);
    }
    default: {
      const unreachable: never = failure.class;
      throw new Error(`unknown failure class ${String(unreachable)}`);
    }
  }
}

/**
 * The delivery policy: what an attempt's result makes of the message, of its account, and what the
 * user is told. `record` is the message as it was when the attempt started. The servers' replies
 * are kept clipped, so that no answer, however long, makes the record too large to store.
 */
export function decideOutcome(record: QueueRecord, result: AttemptResult, context: OutcomeContext): Outcome {
  const outcome = decide(record, result, context);
  return { ...outcome, next: { ...outcome.next, record: boundedRecord(outcome.next.record) } };
}

function decide(record: QueueRecord, result: AttemptResult, context: OutcomeContext): Outcome {
  const tried: QueueRecord = {
    ...record,
    attempts: record.attempts + 1,
    onlineMsSpent: context.onlineMsSpent,
    lastTriedAt: iso(context.now),
  };
  if (result.kind === 'damaged') {
    return { next: { kind: 'set_aside', record, reason: result.reason }, account: none };
  }
  if (result.kind === 'answered') {
    const byAddress = new Map(result.recipients.map((r) => [r.address, r]));
    const recipients = record.recipients.map((r) => byAddress.get(r.address) ?? r);
    return answered({ ...tried, recipients, lastReply: result.reply }, context);
  }
  const { failure, handedOver } = result;
  if (handedOver && failure.responseCode === undefined) {
    // RFC 1047: the server had the whole message but we never heard its answer.
    const resend = context.settings.autoResendUnconfirmed;
    const next: QueueRecord = {
      ...tried,
      state: resend ? 'deferred' : 'unconfirmed',
      nextAttemptAt: iso(context.now),
      lastError: UNCONFIRMED,
    };
    return saved({
      record: next,
      notice: resend
        ? undefined
        : {
            kind: 'unconfirmed',
            title: 'Delivery unconfirmed',
            body: `“${record.subject}” may or may not have been delivered.`,
          },
    });
  }
  return failedAttempt(record, tried, failure, context);
}

/**
 * The message after an attempt whose outcome could not be written, as shown until a write for it
 * succeeds: unconfirmed if its hand-over mark is on disk (as the next start would find it),
 * otherwise deferred by a backoff, so a failing disk does not send it again and again. `until`:
 * no attempt before then.
 */
export function outcomeUnsaved(
  logged: QueueRecord,
  handoverMark: number | undefined,
  context: { readonly now: number; readonly random: () => number },
): { record: QueueRecord; until: number } {
  if (handoverMark !== undefined && handoverMark > logged.attempts) {
    return {
      until: Infinity,
      record: { ...logged, attempts: handoverMark, state: 'unconfirmed', lastError: UNCONFIRMED },
    };
  }
  const until = context.now + backoffMs(logged.attempts + 1, context.random());
  return {
    until,
    record: { ...logged, state: 'deferred', nextAttemptAt: iso(until), lastError: OUTCOME_UNSAVED },
  };
}

/**
 * After a crash: a hand-over mark newer than the last recorded attempt means the server may have
 * the message. Undefined when the log's record stands.
 */
export function recoveredAfterCrash(
  logged: QueueRecord,
  handoverMark: number | undefined,
  context: { readonly now: number; readonly autoResendUnconfirmed: boolean },
): QueueRecord | undefined {
  if (handoverMark === undefined || handoverMark <= logged.attempts) return undefined;
  return {
    ...logged,
    attempts: logged.attempts + 1,
    state: context.autoResendUnconfirmed ? 'deferred' : 'unconfirmed',
    nextAttemptAt: iso(context.now),
    lastError: UNCONFIRMED,
  };
}
