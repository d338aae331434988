import type { QueueSummary } from '../outbox/queue-summary.ts';
import { atWords, countWords, whenWords, type LocaleOptions } from './when-words.ts';

/** What the outbox is doing, as the tray needs it. */
export interface TrayInput extends LocaleOptions {
  readonly summary: QueueSummary;
  /** "Pause all sending" is on. */
  readonly paused: boolean;
  readonly online: boolean;
  readonly now: number;
}

/** One picture per situation, most urgent first: build/tray/<name>.png (and a macOS template). */
export type TrayIcon = 'attention' | 'paused' | 'offline' | 'waiting' | 'idle';

export type TrayCommand = 'open' | 'compose' | 'pause' | 'resume' | 'quit';

export type TrayMenuItem =
  | { readonly kind: 'status'; readonly label: string }
  | { readonly kind: 'separator' }
  | {
      readonly kind: 'command';
      readonly command: TrayCommand;
      readonly label: string;
      readonly enabled: boolean;
    };

export interface TrayView {
  readonly icon: TrayIcon;
  /** Hover text; Linux panels that show no tooltip get the same words as the menu's first line. */
  readonly tooltip: string;
  readonly menu: readonly TrayMenuItem[];
}

/** What the tray shows for a state of the outbox. */
export function trayView(input: TrayInput): TrayView {
  const status = statusWords(input);
  return {
    icon: trayIcon(input),
    tooltip: `Outbox: ${status}`,
    menu: [
      { kind: 'status', label: status },
      { kind: 'separator' },
      { kind: 'command', command: 'open', label: 'Open Outbox', enabled: true },
      { kind: 'command', command: 'compose', label: 'New message', enabled: true },
      input.paused
        ? { kind: 'command', command: 'resume', label: 'Resume sending', enabled: true }
        : { kind: 'command', command: 'pause', label: 'Pause all sending', enabled: true },
      { kind: 'separator' },
      { kind: 'command', command: 'quit', label: 'Quit Outbox', enabled: true },
    ],
  };
}

function trayIcon({ summary, paused, online }: TrayInput): TrayIcon {
  if (summary.failed > 0 || summary.held > 0) return 'attention';
  if (paused) return 'paused';
  const pending = summary.waiting + summary.scheduled > 0;
  if (!online && pending) return 'offline';
  return pending ? 'waiting' : 'idle';
}

/** "3 messages waiting, next attempt at 14:05 · 1 failed", led by why nothing goes if nothing goes. */
function statusWords(input: TrayInput): string {
  const { summary, paused, online, now } = input;
  const parts: string[] = [];
  if (paused) parts.push('Sending paused');
  else if (!online && summary.waiting + summary.scheduled > 0) parts.push('Offline');
  if (summary.waiting > 0) parts.push(waitingWords(input));
  if (summary.scheduled > 0 && summary.nextScheduledAt !== undefined) {
    const when = whenWords(summary.nextScheduledAt, now, input);
    parts.push(
      summary.scheduled === 1
        ? `1 scheduled for ${when}`
        : `${countWords(summary.scheduled, 'scheduled', 'scheduled', input)}, the first for ${when}`,
    );
  }
  if (summary.failed > 0) parts.push(countWords(summary.failed, 'failed', 'failed', input));
  if (summary.held > 0) parts.push(`${countWords(summary.held, 'waits', 'wait', input)} for you`);
  return parts.length > 0 ? parts.join(' · ') : 'Nothing to send';
}

function waitingWords(input: TrayInput): string {
  const { summary, paused, online, now } = input;
  const count = `${countWords(summary.waiting, 'message', 'messages', input)} waiting`;
  // Paused or offline, the time of the next attempt is not when they will go.
  if (paused || !online) return count;
  const next = summary.nextAttemptAt;
  if (next === undefined || next <= now) return `${count}, sending now`;
  return `${count}, next attempt ${atWords(next, now, input)}`;
}
