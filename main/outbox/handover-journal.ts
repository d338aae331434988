import fsp from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, isNotFound } from './atomic-file.ts';

/**
 * The "body fully handed over" records, one line per attempt (`<id> <attempt>`), appended by the
 * deliverer just before the final dot of each message. Marks that arrive together share one
 * fdatasync. An entry whose attempt is not newer than the attempts recorded in the message's state
 * is stale, so the journal is emptied whenever no attempt is in flight and all outcomes are on disk.
 */
export interface HandoverJournal {
  /** Durable on return. */
  mark(id: string, attempt: number): Promise<void>;
  /** The newest attempt per message in the journal. A line torn by a crash never finished its fsync, so no dot followed it. */
  read(): Promise<Map<string, number>>;
  /** Empties the journal; call only when every attempt it records has its outcome saved. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

const LINE = /^([A-Za-z0-9_-]+) (\d+)$/;

interface Pending {
  readonly line: string;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

export function createHandoverJournal(file: string): HandoverJournal {
  let handle: Promise<fsp.FileHandle> | undefined;
  // Every operation runs in order on this chain; marks waiting for their turn join one batch.
  let chain: Promise<unknown> = Promise.resolve();
  let batch: Pending[] | undefined;

  function open(): Promise<fsp.FileHandle> {
    handle ??= fsp.open(file, 'a', 0o600).then(async (opened) => {
      await fsyncDir(path.dirname(file));
      return opened;
    });
    return handle;
  }

  async function flush(entries: Pending[]): Promise<void> {
    if (batch === entries) batch = undefined;
    try {
      const opened = await open();
      await opened.write(entries.map((e) => e.line).join(''));
      await opened.datasync();
      for (const entry of entries) entry.resolve();
    } catch (error) {
      for (const entry of entries) entry.reject(error);
    }
  }

  return {
    mark(id, attempt) {
      return new Promise<void>((resolve, reject) => {
        if (!batch) {
          const entries: Pending[] = [];
          batch = entries;
          chain = chain.then(() => flush(entries));
        }
        batch.push({ line: `${id} ${attempt}\n`, resolve, reject });
      });
    },
    async read() {
      const text = await fsp.readFile(file, 'utf8').catch((error: unknown) => {
        if (isNotFound(error)) return '';
        throw error;
      });
      const markers = new Map<string, number>();
      for (const line of text.split('\n')) {
        const match = LINE.exec(line);
        if (!match?.[1] || !match[2]) continue;
        markers.set(match[1], Math.max(markers.get(match[1]) ?? 0, Number(match[2])));
      }
      return markers;
    },
    reset() {
      const done = chain.then(async () => {
        const opened = await open();
        await opened.truncate(0);
        await opened.sync();
      });
      chain = done.catch(() => undefined);
      return done;
    },
    async close() {
      await chain;
      await (await handle)?.close();
      handle = undefined;
    },
  };
}
