import fsp from 'node:fs/promises';
import path from 'node:path';
import type { SentRecord } from '../../preload/contract/outbox.ts';
import { fsyncDir, isNotFound, syncPath } from '../files/atomic-file.ts';
import { sentRecordOnDisk, toStoredSentRecord } from './sent-record.ts';

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;
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
  async function days(): Promise<string[]> {
    const names = await fsp.readdir(dir).catch((error: unknown) => {
      if (isNotFound(error)) return [];
      throw error;
    });
    return names
      .filter((n) => DAY_FILE.test(n))
      .sort()
      .reverse();
  }

  /** A line torn by a crash mid-append is skipped; the message is still in the queue then. */
  async function readLines(name: string): Promise<unknown[]> {
    const text = await fsp.readFile(path.join(dir, name), 'utf8').catch(() => '');
    return text.split('\n').flatMap((line) => {
      if (!line) return [];
      try {
        return [JSON.parse(line) as unknown];
      } catch {
        return [];
      }
    });
  }

  /** Throws `NewerFormatError` for a line a later Outbox wrote: it is refused, not skipped as damage. */
  async function readDay(name: string): Promise<SentRecord[]> {
    return (await readLines(name)).flatMap((line) => {
      const parsed = sentRecordOnDisk.safeParse(line);
      return parsed.success ? [parsed.data] : [];
    });
  }

  /** The ids a day's file holds, in whatever format: enough to know which lines are missing. */
  async function idsOfDay(name: string): Promise<Set<string>> {
    const lines = await readLines(name);
    return new Set(
      lines.map((line) => (line as { id?: unknown } | null)?.id).filter((id) => typeof id === 'string'),
    );
  }

  const pending: { file: string; line: string; resolve: () => void; reject: (error: unknown) => void }[] = [];
  let writing: Promise<void> | undefined;

  /** The day file being appended to, kept open: most batches go to today's. */
  let current: { file: string; handle: fsp.FileHandle; unsynced: boolean } | undefined;
  async function closeCurrent(): Promise<void> {
    const open = current;
    current = undefined;
    try {
      if (open?.unsynced) await open.handle.sync();
    } finally {
      await open?.handle.close();
    }
  }

  /** A line torn by a crash would swallow the next one: that one starts on a line of its own. */
  async function endsWithNewline(handle: fsp.FileHandle, size: number): Promise<boolean> {
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] === 0x0a;
  }

  async function writeBatch(file: string, lines: string): Promise<void> {
    if (current?.file !== file) {
      await closeCurrent();
      const handle = await fsp.open(file, 'a+', 0o600);
      current = { file, handle, unsynced: false };
      const { size } = await handle.stat();
      if (size === 0) await fsyncDir(dir);
      else if (!(await endsWithNewline(handle, size))) lines = `\n${lines}`;
    }
    try {
      // O_APPEND with one write keeps lines whole even when two processes append.
      await current.handle.write(lines);
      current.unsynced = true;
    } catch (error) {
      await closeCurrent().catch(() => undefined);
      throw error;
    }
  }

  /** Lines that arrive while a write runs share the next one. */
  async function writeBatches(): Promise<void> {
    while (pending.length > 0) {
      const batch = pending.splice(0);
      for (const [file, entries] of Map.groupBy(batch, (entry) => entry.file)) {
        try {
          await writeBatch(file, entries.map((e) => e.line).join(''));
          for (const entry of entries) entry.resolve();
        } catch (error) {
          for (const entry of entries) entry.reject(error);
        }
      }
    }
    writing = undefined;
  }

  function write(record: SentRecord): Promise<void> {
    const file = path.join(dir, `${record.sentAt.slice(0, 10)}.jsonl`);
    return new Promise<void>((resolve, reject) => {
      pending.push({ file, line: `${JSON.stringify(toStoredSentRecord(record))}\n`, resolve, reject });
      writing ??= writeBatches();
    });
  }

  async function sync(): Promise<void> {
    await writing;
    const open = current;
    if (!open?.unsynced) return;
    open.unsynced = false;
    try {
      await open.handle.sync();
    } catch (error) {
      open.unsynced = true;
      throw error;
    }
  }

  return {
    write,
    sync,
    async restore(records) {
      const days = Map.groupBy(records, (r) => r.sentAt.slice(0, 10));
      for (const [day, ofDay] of days) {
        const present = await idsOfDay(`${day}.jsonl`);
        await Promise.all(ofDay.filter((r) => !present.has(r.id)).map(write));
      }
      await sync();
      // Lines another process wrote and never synced (it crashed) are made durable too.
      for (const day of days.keys()) await syncPath(path.join(dir, `${day}.jsonl`));
    },
    async list({ limit, before }) {
      const out: SentRecord[] = [];
      for (const day of await days()) {
        if (before !== undefined && day.slice(0, 10) > before.slice(0, 10)) continue;
        const records = (await readDay(day))
          .filter((r) => before === undefined || r.sentAt < before)
          .sort((a, b) => b.sentAt.localeCompare(a.sentAt));
        out.push(...records);
        if (out.length >= limit) break;
      }
      return out.slice(0, limit);
    },
    async get(id) {
      for (const day of await days()) {
        const found = (await readDay(day)).find((r) => r.id === id);
        if (found) return found;
      }
      return undefined;
    },
    async prune(retentionDays, now) {
      const cutoff = new Date(now - retentionDays * DAY_MS).toISOString().slice(0, 10);
      const old = (await days()).filter((day) => day.slice(0, 10) < cutoff);
      if (current && old.some((day) => path.join(dir, day) === current?.file)) await closeCurrent();
      await Promise.all(old.map((day) => fsp.rm(path.join(dir, day), { force: true })));
    },
    async close() {
      await writing;
      await closeCurrent();
    },
  };
}
