import type { Clock } from '../../core/clock.ts';
import type { Notice } from './decide-outcome.ts';
import { coalesceNotices, showAt } from './notification-policy.ts';

export interface NotifierDeps {
  readonly clock: Clock;
  /** Whether the user wants notifications now (the setting). */
  readonly wanted: () => boolean;
  readonly show: (notice: Notice) => void;
}

/** Holds the notices of a burst and shows them coalesced once it ends (notification-policy.ts). */
export class Notifier {
  private readonly deps: NotifierDeps;
  private held: Notice[] = [];
  private firstAt = 0;
  private cancelTimer: (() => void) | undefined;

  constructor(deps: NotifierDeps) {
    this.deps = deps;
  }

  notify(notice: Notice): void {
    const now = this.deps.clock.now();
    if (this.held.length === 0) this.firstAt = now;
    this.held.push(notice);
    this.cancelTimer?.();
    this.cancelTimer = this.deps.clock.setTimer(
      () => {
        this.flush();
      },
      showAt(this.firstAt, now) - now,
    );
  }

  /** Shows what is held now (the burst is over, or the outbox stops). */
  flush(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    const burst = this.held;
    this.held = [];
    // Turned off while a burst was held: nothing more is shown.
    if (!this.deps.wanted()) return;
    for (const notice of coalesceNotices(burst)) this.deps.show(notice);
  }
}
