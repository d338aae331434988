import type { Clock } from '../../core/clock.ts';
import type { AccountThrottle } from './account-throttle.ts';
import type { Connectivity } from './connectivity.ts';
import { CONNECTIONS_PER_ACCOUNT } from './delivery-agent.ts';
import type { DueQueue } from './due-queue.ts';
import type { InFlight } from './in-flight.ts';

/** Even with nothing due, look at the wall clock this often: timers do not run during sleep. */
const MAX_SLEEP_MS = 30_000;

export interface SchedulerDeps {
  readonly clock: Clock;
  readonly connectivity: Connectivity;
  readonly due: DueQueue;
  readonly inFlight: InFlight;
  readonly throttle: AccountThrottle;
  /** The account exists and may send: not paused, not needing attention, not being moved. */
  readonly accountOpen: (accountId: string) => boolean;
  /** Starts an attempt on a due message (taken out of the due queue already). */
  readonly start: (id: string) => void;
}

/**
 * Feeds each account's sessions as they free up, oldest due first, and sleeps until the next due
 * time. Delivers only once `deliver()` is called (this process holds the deliverer lock).
 */
export class Scheduler {
  private delivering = false;
  private stopped = false;
  private passQueued = false;
  private cancelWake: (() => void) | undefined;
  private readonly settleWaiters = new Set<() => void>();
  private readonly deps: SchedulerDeps;

  constructor(deps: SchedulerDeps) {
    this.deps = deps;
  }

  deliver(): void {
    if (this.stopped) return;
    this.delivering = true;
    this.wake();
  }

  /** Something changed (an enqueue, an answer, an account edit): look again. Many triggers in one turn make one pass. */
  wake(): void {
    if (this.passQueued) return;
    this.passQueued = true;
    setImmediate(() => {
      this.passQueued = false;
      this.pass();
    });
  }

  /** Resolves once no message is queued, due or sending (at once in a process that does not deliver). */
  settled(): Promise<void> {
    return new Promise((resolve) => {
      this.settleWaiters.add(resolve);
      this.checkSettled();
    });
  }

  /** Starts nothing more, for good: a poll that took the lock meanwhile cannot deliver again. */
  stop(): void {
    this.stopped = true;
    this.delivering = false;
    this.cancelWake?.();
    this.cancelWake = undefined;
  }

  /** Lets go of anyone waiting for the queue to settle (once stopped: nothing will change now). */
  releaseWaiters(): void {
    for (const resolve of this.settleWaiters) resolve();
    this.settleWaiters.clear();
  }

  private pass(): void {
    if (!this.delivering) {
      // A flush() or settled() in a process that does not deliver waits only for this pass.
      this.checkSettled();
      return;
    }
    const { clock, connectivity } = this.deps;
    this.cancelWake?.();
    this.cancelWake = undefined;
    const now = clock.now();
    const nextWake = connectivity.online ? this.feedSessions(now) : now + MAX_SLEEP_MS;
    this.cancelWake = clock.setTimer(
      () => {
        this.wake();
      },
      Math.max(0, nextWake - now),
    );
    this.checkSettled();
  }

  /** Starts what is due on each account with free sessions; returns when to look again. */
  private feedSessions(now: number): number {
    const { due, throttle } = this.deps;
    let nextWake = now + MAX_SLEEP_MS;
    const used = this.deps.inFlight.sessionsInUse();
    for (const accountId of due.accounts()) {
      let slots = this.deps.accountOpen(accountId)
        ? Math.min(CONNECTIONS_PER_ACCOUNT - (used.get(accountId) ?? 0), throttle.allowance(accountId, now))
        : 0;
      if (slots <= 0) {
        // What changes that (an answer, an account edit, the timers here) wakes this again.
        const opens = throttle.opensAt(accountId, now);
        if (opens !== undefined) nextWake = Math.min(nextWake, opens);
        continue;
      }
      for (let next = due.peek(accountId); next && slots > 0; next = due.peek(accountId)) {
        if (next.at > now) {
          nextWake = Math.min(nextWake, next.at);
          break;
        }
        due.pop(accountId);
        this.deps.start(next.id);
        slots--;
      }
    }
    return nextWake;
  }

  private isSettled(): boolean {
    if (this.deps.inFlight.size > 0 || this.passQueued) return false;
    if (!this.delivering || !this.deps.connectivity.online) return true;
    const { due, throttle } = this.deps;
    const now = this.deps.clock.now();
    return !due.accounts().some((accountId) => {
      const ready = this.deps.accountOpen(accountId) && throttle.allowance(accountId, now) > 0;
      const next = ready ? due.peek(accountId) : undefined;
      return next !== undefined && next.at <= now;
    });
  }

  private checkSettled(): void {
    if (this.settleWaiters.size === 0 || !this.isSettled()) return;
    this.releaseWaiters();
  }
}
