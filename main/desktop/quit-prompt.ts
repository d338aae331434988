import type { QueueSummary } from '../outbox/queue-summary.ts';
import { atWords, countWords, whenWords, type LocaleOptions } from './when-words.ts';

export interface QuitInput extends LocaleOptions {
  readonly summary: QueueSummary;
  readonly online: boolean;
  /** "Pause all sending" is on. */
  readonly paused: boolean;
  /** An OS timer delivers while Outbox is closed (the setting). */
  readonly deliverWhileClosed: boolean;
  readonly now: number;
}

export type QuitChoice = 'quit' | 'keep-running' | 'deliver-while-closed';

export interface QuitPrompt {
  readonly message: string;
  readonly detail: string;
  /** In the order shown; the first is the default, and closing the dialog means keep running. */
  readonly buttons: readonly { readonly choice: QuitChoice; readonly label: string }[];
  readonly cancel: QuitChoice;
}

/**
 * What Quit asks when mail would go if Outbox kept running: how many, and when. Nothing waits
 * (failed and held mail does not go by itself): undefined, Outbox quits without asking.
 */
export function quitPrompt(input: QuitInput): QuitPrompt | undefined {
  const { summary, deliverWhileClosed } = input;
  if (summary.waiting + summary.scheduled === 0) return undefined;
  const sentences = [...waitingSentences(input), scheduledSentence(input)].filter((s) => s !== '');
  const after = deliverWhileClosed
    ? 'Outbox will deliver them while it is closed.'
    : 'If you quit, they go when Outbox runs again.';
  return {
    message: sentences[0] ?? '',
    detail: [...sentences.slice(1), after].join(' '),
    buttons: [
      { choice: 'keep-running', label: 'Keep running in the background' },
      ...(deliverWhileClosed
        ? []
        : [{ choice: 'deliver-while-closed' as const, label: 'Deliver while Outbox is closed' }]),
      { choice: 'quit', label: 'Quit' },
    ],
    cancel: 'keep-running',
  };
}

/** "3 messages are waiting." and when the next goes, or why none goes now. */
function waitingSentences(input: QuitInput): string[] {
  const { summary, online, paused, now } = input;
  if (summary.waiting === 0) return [];
  const are = summary.waiting === 1 ? 'is' : 'are';
  const first = `${countWords(summary.waiting, 'message', 'messages', input)} ${are} waiting.`;
  if (paused) return [first, 'Sending is paused.'];
  if (!online) return [first, 'They go when the network is back.'];
  const next = summary.nextAttemptAt;
  if (next === undefined || next <= now) return [first, 'They are being sent now.'];
  return [first, `The next attempt is ${atWords(next, now, input)}.`];
}

/** "1 message is scheduled for tomorrow 08:00." */
function scheduledSentence(input: QuitInput): string {
  const { summary, now } = input;
  if (summary.scheduled === 0 || summary.nextScheduledAt === undefined) return '';
  const when = whenWords(summary.nextScheduledAt, now, input);
  return summary.scheduled === 1
    ? `1 message is scheduled for ${when}.`
    : `${countWords(summary.scheduled, 'message', 'messages', input)} are scheduled, the first for ${when}.`;
}
