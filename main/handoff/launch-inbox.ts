import type { Logger } from '../errors/logger.ts';
import type { ComposeRequest, HandoffSource } from './compose-request.ts';

/** A request the OS handed the app, and where it came from (which decides whether it may attach files). */
export interface Launch {
  readonly request: ComposeRequest;
  readonly source: HandoffSource;
}

/**
 * What the OS hands the app (argv, a second instance's argv, macOS open-url) arrives before the core
 * is ready, or while it runs: kept here, in order, until `deliverTo` names who takes them. Parsing
 * happens when offered, so hostile input is refused at the door and never waits in memory.
 */
export class LaunchInbox {
  private readonly waiting: Launch[] = [];
  private take: ((launch: Launch) => Promise<void>) | undefined;
  /** One at a time, so drafts open in the order they were handed over. */
  private turn: Promise<void> = Promise.resolve();
  private readonly log: Logger;

  constructor(log: Logger) {
    this.log = log;
  }

  /** `read` parses what the OS handed over: undefined when it holds no request; a throw is refused input. */
  offer(read: () => Launch | undefined): void {
    let launch: Launch | undefined;
    try {
      launch = read();
    } catch (error) {
      this.log.warn('Ignoring a message handed to Outbox at launch', { error });
      return;
    }
    if (!launch) return;
    if (this.take) this.hand(this.take, launch);
    else this.waiting.push(launch);
  }

  /** From now on launches go to `take`; those that waited go first, in the order they came. */
  deliverTo(take: (launch: Launch) => Promise<void>): void {
    this.take = take;
    for (const launch of this.waiting.splice(0)) this.hand(take, launch);
  }

  private hand(take: (launch: Launch) => Promise<void>, launch: Launch): void {
    this.turn = this.turn
      .then(() => take(launch))
      .catch((error: unknown) => {
        this.log.error('Opening a message handed to Outbox failed', { error });
      });
  }

  /** Settles once every launch handed on so far has been taken (for tests and an orderly quit). */
  settled(): Promise<void> {
    return this.turn;
  }
}
