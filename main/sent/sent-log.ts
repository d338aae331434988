import fsp from 'node:fs/promises';
import path from 'node:path';
import type { SentRecord } from '../../preload/contract/outbox.ts';
import { syncPath } from '../files/atomic-file.ts';
import { DayFileAppender, dayFileOf, dayFiles, readJsonLines } from './day-files.ts';
import { sentRecordOnDisk, toStoredSentRecord } from './sent-record.ts';

const DAY_MS = 86_400_000;

/**
 * Delivered messages, one JSON line each in a file per UTC day, so retention deletes whole files.
 * A line is made durable by the queue log's removal entry, which carries the same record; this
 * file catches up with those after a crash (restore) and is synced before they are reclaimed.
 */
export interface SentLog {
  /** Written (readable at once) when it resolves, not yet synced. */
  write(record: SentRecord): Promise<void>;
  /** Makes every line written so far durable. */
  sync(): Promise<void>;
  /** Makes these records durable in the log, writing those a crash lost before they were synced. */
  restore(records: readonly SentRecord[]): Promise<void>;
  list(query: { limit: number; before?: string | undefined }): Promise<SentRecord[]>;
  get(id: string): Promise<SentRecord | undefined>;
  prune(retentionDays: number, now: number): Promise<void>;
  /** Once nothing more will be appended (the engine has stopped). */
  close(): Promise<void>;
}

export function createSentLog(dir: string): SentLog {
  return new DailySentLog(dir);
}

class DailySentLog implements SentLog {
  readonly #dir: string;
  readonly #appender: DayFileAppender;

  constructor(dir: string) {
    this.#dir = dir;
    this.#appender = new DayFileAppender(dir);
  }

  write(record: SentRecord): Promise<void> {
    return this.#appender.append(dayFileOf(record.sentAt), `${JSON.stringify(toStoredSentRecord(record))}\n`);
  }

  sync(): Promise<void> {
    return this.#appender.sync();
  }

  async restore(records: readonly SentRecord[]): Promise<void> {
    const byDay = Map.groupBy(records, (r) => dayFileOf(r.sentAt));
    for (const [day, ofDay] of byDay) {
      const present = await this.#idsOfDay(day);
      await Promise.all(ofDay.filter((r) => !present.has(r.id)).map((r) => this.write(r)));
    }
    await this.sync();
    // Lines another process wrote and never synced (it crashed) are made durable too.
    for (const day of byDay.keys()) await syncPath(path.join(this.#dir, day));
  }

  async list({ limit, before }: { limit: number; before?: string | undefined }): Promise<SentRecord[]> {
    const out: SentRecord[] = [];
    for (const day of await dayFiles(this.#dir)) {
      if (before !== undefined && day.slice(0, 10) > before.slice(0, 10)) continue;
      const records = (await this.#readDay(day))
        .filter((r) => before === undefined || r.sentAt < before)
        .sort((a, b) => b.sentAt.localeCompare(a.sentAt));
      out.push(...records);
      if (out.length >= limit) break;
    }
    return out.slice(0, limit);
  }

  async get(id: string): Promise<SentRecord | undefined> {
    for (const day of await dayFiles(this.#dir)) {
      const found = (await this.#readDay(day)).find((r) => r.id === id);
      if (found) return found;
    }
    return undefined;
  }

  async prune(retentionDays: number, now: number): Promise<void> {
    const cutoff = new Date(now - retentionDays * DAY_MS).toISOString().slice(0, 10);
    const old = (await dayFiles(this.#dir)).filter((day) => day.slice(0, 10) < cutoff);
    await this.#appender.release(old);
    await Promise.all(old.map((day) => fsp.rm(path.join(this.#dir, day), { force: true })));
  }

  close(): Promise<void> {
    return this.#appender.close();
  }

  /** Throws `NewerFormatError` for a line a later Outbox wrote: it is refused, not skipped as damage. */
  async #readDay(name: string): Promise<SentRecord[]> {
    return (await readJsonLines(path.join(this.#dir, name))).flatMap((line) => {
      const parsed = sentRecordOnDisk.safeParse(line);
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** The ids a day's file holds, in whatever format: enough to know which lines are missing. */
  async #idsOfDay(name: string): Promise<Set<string>> {
    const lines = await readJsonLines(path.join(this.#dir, name));
    return new Set(
      lines.map((line) => (line as { id?: unknown } | null)?.id).filter((id) => typeof id === 'string'),
    );
  }
}
