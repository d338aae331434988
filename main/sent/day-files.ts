import fsp from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, isNotFound } from '../files/atomic-file.ts';

const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

/** The day file (UTC) a line written at `isoTime` belongs in. */
export function dayFileOf(isoTime: string): string {
  return `${isoTime.slice(0, 10)}.jsonl`;
}

/** The names of the day files in `dir`, newest first. */
export async function dayFiles(dir: string): Promise<string[]> {
  const names = await fsp.readdir(dir).catch((error: unknown) => {
    if (isNotFound(error)) return [];
    throw error;
  });
  return names
    .filter((n) => DAY_FILE.test(n))
    .sort()
    .reverse();
}

/** Each line of a day file as JSON. A line torn by a crash mid-append is skipped. */
export async function readJsonLines(file: string): Promise<unknown[]> {
  const text = await fsp.readFile(file, 'utf8').catch(() => '');
  return text.split('\n').flatMap((line) => {
    if (!line) return [];
    try {
      return [JSON.parse(line) as unknown];
    } catch {
      return [];
    }
  });
}

/** A line torn by a crash would swallow the next one: that one starts on a line of its own. */
async function endsWithNewline(handle: fsp.FileHandle, size: number): Promise<boolean> {
  const last = Buffer.alloc(1);
  await handle.read(last, 0, 1, size - 1);
  return last[0] === 0x0a;
}

interface PendingLine {
  readonly file: string;
  readonly line: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Appends lines to day files. Lines that arrive while a write runs share the next one; the day file
 * being appended to stays open, since most batches go to today's.
 */
export class DayFileAppender {
  readonly #dir: string;
  readonly #pending: PendingLine[] = [];
  #writing: Promise<void> | undefined;
  #current: { file: string; handle: fsp.FileHandle; unsynced: boolean } | undefined;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** Resolves once the line is written (readable), not yet synced. */
  append(fileName: string, line: string): Promise<void> {
    const file = path.join(this.#dir, fileName);
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ file, line, resolve, reject });
      this.#writing ??= this.#writeBatches();
    });
  }

  /** Makes every line written so far durable. */
  async sync(): Promise<void> {
    await this.#writing;
    const open = this.#current;
    if (!open?.unsynced) return;
    open.unsynced = false;
    try {
      await open.handle.sync();
    } catch (error) {
      open.unsynced = true;
      throw error;
    }
  }

  /** Closes the open file if it is one of `fileNames` (about to be deleted). */
  async release(fileNames: readonly string[]): Promise<void> {
    const open = this.#current?.file;
    if (open !== undefined && fileNames.some((name) => path.join(this.#dir, name) === open)) {
      await this.#closeCurrent();
    }
  }

  async close(): Promise<void> {
    await this.#writing;
    await this.#closeCurrent();
  }

  async #closeCurrent(): Promise<void> {
    const open = this.#current;
    this.#current = undefined;
    try {
      if (open?.unsynced) await open.handle.sync();
    } finally {
      await open?.handle.close();
    }
  }

  async #writeBatches(): Promise<void> {
    while (this.#pending.length > 0) {
      const batch = this.#pending.splice(0);
      for (const [file, entries] of Map.groupBy(batch, (entry) => entry.file)) {
        try {
          await this.#writeBatch(file, entries.map((e) => e.line).join(''));
          for (const entry of entries) entry.resolve();
        } catch (error) {
          for (const entry of entries) entry.reject(error);
        }
      }
    }
    this.#writing = undefined;
  }

  async #writeBatch(file: string, lines: string): Promise<void> {
    let current = this.#current;
    if (current?.file !== file) {
      await this.#closeCurrent();
      const handle = await fsp.open(file, 'a+', 0o600);
      current = this.#current = { file, handle, unsynced: false };
      const { size } = await handle.stat();
      if (size === 0) await fsyncDir(this.#dir);
      else if (!(await endsWithNewline(handle, size))) lines = `\n${lines}`;
    }
    try {
      // O_APPEND with one write keeps lines whole even when two processes append.
      await current.handle.write(lines);
      current.unsynced = true;
    } catch (error) {
      await this.#closeCurrent().catch(() => undefined);
      throw error;
    }
  }
}
