import type { Account } from '../../preload/contract/accounts.ts';
import type { QueueItem } from '../../preload/contract/outbox.ts';
import { classifySignInError } from '../smtp/smtp-failure.ts';
import { EXIT, type ExitCode } from './exit-codes.ts';

const WAITING = new Set<QueueItem['state']>(['queued', 'deferred', 'needs_attention', 'sending']);

export interface FlushReport {
  /** One line each for stderr: what the user must do before the waiting messages can go. */
  readonly reasons: readonly string[];
  readonly exitCode: ExitCode;
}

/**
 * What a flush ends with, from the messages left: 78 when an account needs the user (its
 * settings or credentials), 75 while others wait for a later try, 0 when nothing due is left.
 * A keychain this process cannot reach (cron has no D-Bus session) is said once, as it is the
 * process, not the account, that must change.
 */
export function flushReport(left: readonly QueueItem[], accounts: readonly Account[]): FlushReport {
  const reasons = new Set<string>();
  let attention = false;
  for (const item of left) {
    const account = accounts.find((a) => a.id === item.accountId);
    if (item.state === 'needs_attention' && account?.attention) {
      attention = true;
      reasons.add(`account "${account.label}" needs attention: ${account.attention.message}`);
    } else if (WAITING.has(item.state) && item.lastError) {
      if (classifySignInError(item.lastError).class === 'process') reasons.add(item.lastError.message);
    }
  }
  const waiting = left.some((item) => WAITING.has(item.state));
  const exitCode = attention ? EXIT.config : waiting ? EXIT.tempFail : EXIT.ok;
  return { reasons: [...reasons], exitCode };
}
