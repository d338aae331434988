import type { RecipientStatus, SentRecord } from '../../preload/contract/outbox.ts';
import type { Clock } from '../core/clock.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../errors/logger.ts';
import type { AppSettingsService } from '../settings/app-settings.ts';
import type { QueueRecord } from '../outbox/store/queue-record.ts';
import type { SentLog } from './sent-log.ts';

const DAY_MS = 24 * 3_600_000;
/** How far back address completion looks: the last this many sent, and as many queued. */
export const CONTACTS_FROM_LAST = 500;

export interface SentHistoryDeps {
  readonly sentLog: SentLog;
  readonly settings: AppSettingsService;
  readonly clock: Clock;
  readonly log: Logger;
}

/** What the user reads of what was sent: the sent log, its retention, and the contacts it knows. */
export class SentHistory {
  private cancelPrune: (() => void) | undefined;
  private readonly deps: SentHistoryDeps;

  constructor(deps: SentHistoryDeps) {
    this.deps = deps;
  }

  list(query: { limit: number; before?: string | undefined }): Promise<SentRecord[]> {
    return this.deps.sentLog.list(query);
  }

  /** The sent-log line of a message, if it has one. */
  find(id: string): Promise<SentRecord | undefined> {
    return this.deps.sentLog.get(id);
  }

  async get(id: string): Promise<SentRecord> {
    const record = await this.find(id);
    if (!record) throw new AppError('not_found', 'That message is not in the sent log.');
    return record;
  }

  /**
   * Up to `limit` addresses starting with `prefix` (any case), from recent sent messages first,
   * then from `queued` (the newest messages still in the outbox, read only until `limit` is reached).
   */
  async recentContacts(
    prefix: string,
    limit: number,
    queued: Iterable<{ readonly recipients: readonly RecipientStatus[] }>,
  ): Promise<string[]> {
    const wanted = prefix.toLowerCase();
    const out = new Set<string>();
    const consider = (recipients: readonly RecipientStatus[]) => {
      for (const r of recipients) {
        if (out.size < limit && r.address.toLowerCase().startsWith(wanted)) out.add(r.address);
      }
    };
    for (const record of await this.deps.sentLog.list({ limit: CONTACTS_FROM_LAST }))
      consider(record.recipients);
    for (const record of queued) {
      if (out.size >= limit) break;
      consider(record.recipients);
    }
    return [...out];
  }

  /**
   * Writes the sent-log line for a message leaving the queue. The line goes first: a crash before
   * the queue's removal leaves a message the next start finds here. `marked`: the user said it was
   * delivered; no server confirmed it (see `markedSent`).
   */
  async recordSent(record: QueueRecord, { marked = false }: { marked?: boolean } = {}): Promise<SentRecord> {
    const sent = sentRecordOf(record, this.deps.clock.now(), { marked });
    await this.deps.sentLog.write(sent);
    return sent;
  }

  /** Retention: now and then daily, whole days older than the setting leave the sent log. */
  async startPruning(): Promise<void> {
    const { sentLog, settings, clock, log } = this.deps;
    await sentLog.prune(settings.get().sentRetentionDays, clock.now());
    this.cancelPrune = clock.setTimer(() => {
      this.startPruning().catch((error: unknown) => {
        log.warn('Pruning the sent log failed', { error });
      });
    }, DAY_MS);
  }

  stopPruning(): void {
    this.cancelPrune?.();
  }
}

/** The sent-log line for a message that leaves the queue sent at `now` (`marked`: by the user's word). */
export function sentRecordOf(record: QueueRecord, now: number, { marked = false } = {}): SentRecord {
  return {
    id: record.id,
    messageId: record.messageId,
    accountId: record.accountId,
    from: record.from,
    subject: record.subject,
    sentAt: new Date(now).toISOString(),
    recipients: record.recipients,
    sizeBytes: record.sizeBytes,
    attempts: record.attempts,
    ...(marked ? { markedSent: true as const } : {}),
  };
}
