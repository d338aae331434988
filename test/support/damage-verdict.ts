import { createHash } from 'node:crypto';
import { EXIT } from '../../main/cli/exit-codes.ts';
import type { CoreRun } from './damage-trial.ts';
import type { TargetKind } from './queue-damage.ts';

/** A message queued in the fixture, as the fuzzer knows it. */
export interface FuzzMessage {
  readonly id: string;
  readonly messageId: string;
  readonly subject: string;
  /** One recipient of its own: the peer's envelope says which message it got, whatever its bytes. */
  readonly to: readonly string[];
  /** Its bytes are in a file of their own rather than in the log. */
  readonly large: boolean;
}

/**
 * The allowed ends of a message after damage. `reported-unnameable`: the damage left no trace of
 * its id anywhere in the folder, so a notice that something was lost is the most anyone can say.
 */
export type Fate = 'intact' | 'queued' | 'reported' | 'reported-unnameable' | 'settings-refused';

export type FailureClass =
  | 'silent-loss'
  | 'loss-unnamed-notice'
  | 'corrupted-delivery'
  | 'duplicate-delivery'
  | 'unknown-delivery'
  | 'crash'
  | 'hang';

export interface Failure {
  readonly kind: FailureClass;
  readonly detail: string;
}

export interface Verdict {
  readonly fates: ReadonlyMap<string, Fate>;
  readonly failures: readonly Failure[];
}

export const digest = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

const recipientOf = (message: FuzzMessage): string => message.to[0] ?? message.id;

/**
 * Judges one run after damage to a `target` file: every message must be delivered intact, still
 * queued, or named in what the user was told; nothing may be delivered damaged or twice; opening
 * may fail only with the CLI's configuration error, and only when the settings file was damaged.
 */
export function judge(
  messages: readonly FuzzMessage[],
  cleanDigests: ReadonlyMap<string, string>,
  run: CoreRun,
  damage: { readonly target: TargetKind; readonly unnameable: ReadonlySet<string> },
): Verdict {
  const failures: Failure[] = [];
  const fates = new Map<string, Fate>();
  const byRecipient = new Map<string, Buffer[]>();
  for (const delivery of run.deliveries) {
    const known = messages.find((m) => delivery.to.includes(recipientOf(m)));
    if (!known) failures.push({ kind: 'unknown-delivery', detail: `to ${delivery.to.join(',')}` });
    else byRecipient.set(recipientOf(known), [...(byRecipient.get(recipientOf(known)) ?? []), delivery.raw]);
  }
  for (const error of new Set(run.uncaught)) failures.push({ kind: 'crash', detail: `uncaught ${error}` });
  if (run.kind === 'hang') failures.push({ kind: 'hang', detail: `${run.step} never finished` });
  const refused = run.kind === 'threw' && run.exitCode === EXIT.config && damage.target === 'config';
  if (run.kind === 'threw' && !refused) {
    failures.push({ kind: 'crash', detail: `exit ${run.exitCode}: ${run.message}` });
  }
  const named = new Set(run.notices.flatMap((n) => (n.id ? [n.id] : [])));
  const mentioned = (id: string) =>
    named.has(id) ||
    run.notices.some((n) => n.text.includes(id)) ||
    (run.kind === 'ran' && run.setAside.has(id));
  const unnamedNotices = run.notices.filter((n) => n.via !== 'log' || n.id === undefined).length;
  for (const message of messages) {
    const got = byRecipient.get(recipientOf(message)) ?? [];
    const label = `${message.id} (${message.subject})`;
    if (got.length > 1) failures.push({ kind: 'duplicate-delivery', detail: `${label} ×${got.length}` });
    const first = got[0];
    if (first) {
      if (digest(first) === cleanDigests.get(message.id)) fates.set(message.id, 'intact');
      else failures.push({ kind: 'corrupted-delivery', detail: label });
    } else if (run.kind === 'ran' && run.queued.has(message.id)) {
      fates.set(message.id, 'queued');
    } else if (mentioned(message.id)) {
      fates.set(message.id, 'reported');
    } else if (damage.unnameable.has(message.id) && run.notices.length > 0) {
      fates.set(message.id, 'reported-unnameable');
    } else if (refused) {
      fates.set(message.id, 'settings-refused');
    } else if (run.kind === 'ran') {
      failures.push({
        kind: unnamedNotices > 0 ? 'loss-unnamed-notice' : 'silent-loss',
        detail: `${label}${unnamedNotices > 0 ? ` (${unnamedNotices} notices, none naming it)` : ''}`,
      });
    }
  }
  return { fates, failures };
}
