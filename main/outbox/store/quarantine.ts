import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../../core/clock.ts';
import { ensureDir } from '../../files/atomic-file.ts';
import { bodyFile, type QueuePaths } from './queue-paths.ts';
import type { QueueRecord } from './queue-record.ts';
import type { QueueView } from './queue-view.ts';

export interface QuarantineNotice {
  readonly id?: string;
  readonly reason: string;
}

export interface QuarantineDeps {
  readonly paths: QueuePaths;
  readonly clock: Pick<Clock, 'now'>;
  readonly onQuarantine: (notice: QuarantineNotice) => void;
}

/**
 * The quarantine folder: damaged log stretches and messages that cannot be sent are moved there,
 * so they never block the rest of the queue, and each is told of once.
 */
export class Quarantine {
  /** Damaged stretches already set aside by this process (`segment@offset`). */
  private readonly reported = new Set<string>();

  private readonly deps: QuarantineDeps;

  constructor(deps: QuarantineDeps) {
    this.deps = deps;
  }

  /** Copies a damaged stretch of a segment, found at `from`, into the folder, once per process. */
  async keepDamaged(segment: string, from: number, stretch: Buffer, reason?: string): Promise<void> {
    const key = `${segment}@${from}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    await ensureDir(this.deps.paths.quarantine);
    const file = path.join(this.deps.paths.quarantine, `${segment}-${from}.damaged`);
    await fsp.writeFile(file, stretch, { mode: 0o600 });
    this.deps.onQuarantine({ reason: reason ?? `${stretch.length} bytes of ${segment}` });
  }

  /**
   * Moves a message's state and file into the folder, then has `removeFromQueue` take it out of
   * the queue, and tells of it.
   */
  async setAside(
    id: string,
    record: QueueRecord | undefined,
    reason: string,
    removeFromQueue: () => Promise<void>,
  ): Promise<void> {
    const { paths } = this.deps;
    const dir = path.join(paths.quarantine, `${id}-${this.deps.clock.now()}`);
    await ensureDir(dir);
    if (record) await fsp.writeFile(path.join(dir, 'state.json'), JSON.stringify(record), { mode: 0o600 });
    await fsp.rename(bodyFile(paths, id), path.join(dir, `${id}.eml`)).catch(() => undefined);
    await removeFromQueue();
    this.deps.onQuarantine({ id, reason });
  }
}

export interface Unreadable {
  readonly id: string;
  readonly reason: string;
}

/**
 * Live messages whose bytes are missing or not the size their state says. Messages whose bytes are
 * still being staged (`isStaged`) are not looked at.
 */
export async function findUnreadable(
  view: QueueView,
  ids: Iterable<string>,
  paths: QueuePaths,
  isStaged: (id: string) => boolean,
): Promise<Unreadable[]> {
  const found: Unreadable[] = [];
  for (const id of ids) {
    const record = view.record(id);
    if (!record || isStaged(id)) continue;
    const inline = view.body(id);
    const size = inline
      ? inline.length
      : await fsp.stat(bodyFile(paths, id)).then(
          (s) => s.size,
          () => -1,
        );
    if (size === (record.storedSizeBytes ?? record.sizeBytes)) continue;
    found.push({
      id,
      reason: size < 0 ? 'its message file is missing' : 'its message bytes are truncated',
    });
  }
  return found;
}
