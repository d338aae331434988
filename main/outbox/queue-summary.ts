import type { QueueState } from '../../preload/contract/outbox.ts';

/** The queue in a few numbers, for what the tray shows and what Quit says (main/desktop/). */
export interface QueueSummary {
  /** Queued, retrying later or being sent now: mail that goes by itself while Outbox runs. */
  readonly waiting: number;
  /** Not to go before their send time. */
  readonly scheduled: number;
  /** Given up on; the user has to look at them. */
  readonly failed: number;
  /** Kept back until the user acts: held, needing the account fixed, or unconfirmed. */
  readonly held: number;
  /** The earliest time a waiting message is next tried (ms since the epoch); undefined when none waits. */
  readonly nextAttemptAt: number | undefined;
  /** The earliest send time of a scheduled message (ms since the epoch). */
  readonly nextScheduledAt: number | undefined;
}

export interface SummarizedMessage {
  readonly state: QueueState;
  /** In ms since the epoch, as the live queue keeps them. */
  readonly nextAttemptAt?: number | undefined;
  readonly sendAt?: number | undefined;
}

const WAITING = new Set<QueueState>(['queued', 'deferred', 'sending']);
const HELD = new Set<QueueState>(['held', 'needs_attention', 'unconfirmed']);

/** One pass, nothing kept: the queue may hold 100,000 messages. */
export function summarizeQueue(messages: Iterable<SummarizedMessage>): QueueSummary {
  let waiting = 0;
  let scheduled = 0;
  let failed = 0;
  let held = 0;
  let nextAttemptAt = Infinity;
  let nextScheduledAt = Infinity;
  for (const message of messages) {
    if (WAITING.has(message.state)) {
      waiting++;
      nextAttemptAt = Math.min(nextAttemptAt, timeOf(message.nextAttemptAt));
    } else if (message.state === 'scheduled') {
      scheduled++;
      nextScheduledAt = Math.min(nextScheduledAt, timeOf(message.sendAt ?? message.nextAttemptAt));
    } else if (message.state === 'failed') failed++;
    else if (HELD.has(message.state)) held++;
  }
  return {
    waiting,
    scheduled,
    failed,
    held,
    nextAttemptAt: Number.isFinite(nextAttemptAt) ? nextAttemptAt : undefined,
    nextScheduledAt: Number.isFinite(nextScheduledAt) ? nextScheduledAt : undefined,
  };
}

const timeOf = (time: number | undefined): number =>
  time === undefined || Number.isNaN(time) ? Infinity : time;
