import type { DesktopIntegration } from './create-os-integration.ts';
import { scheduledSendTimes } from './os-files.ts';

/** Queue changes come in bursts (a flush of thousands): the scheduled times are read once they settle. */
export const TIMER_SYNC_DELAY_MS = 10_000;

type ScheduledItems = () => Iterable<{ readonly state: string; readonly sendAt?: string | undefined }>;

/**
 * While the app runs, keeps an installed delivery timer firing at the next scheduled sends (issue
 * 18 §2): once queue changes settle, the scheduled times go to refreshDeliveryTimer, which does
 * nothing while the timer is off and writes nothing when the times are the same. `queue flush`
 * does the same after each run (timer-refresh.ts).
 */
export class DeliveryTimerSync {
  private pending: NodeJS.Timeout | undefined;
  private readonly integration: Pick<DesktopIntegration, 'refreshDeliveryTimer'>;
  private readonly items: ScheduledItems;
  private readonly onError: (error: unknown) => void;
  private readonly delayMs: number;

  constructor(
    integration: Pick<DesktopIntegration, 'refreshDeliveryTimer'>,
    items: ScheduledItems,
    onError: (error: unknown) => void,
    delayMs = TIMER_SYNC_DELAY_MS,
  ) {
    this.integration = integration;
    this.items = items;
    this.onError = onError;
    this.delayMs = delayMs;
  }

  /** The queue changed: look again after it settles. */
  changed(): void {
    clearTimeout(this.pending);
    this.pending = setTimeout(() => {
      this.pending = undefined;
      void this.sync();
    }, this.delayMs);
    // A pending look must not keep a quitting app alive.
    this.pending.unref();
  }

  async sync(): Promise<void> {
    try {
      await this.integration.refreshDeliveryTimer(scheduledSendTimes(this.items()));
    } catch (error) {
      this.onError(error);
    }
  }

  stop(): void {
    clearTimeout(this.pending);
    this.pending = undefined;
  }
}
