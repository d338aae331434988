import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Clock } from '../../core/clock.ts';
import { ensureDir, fsyncDir, syncPath } from '../../files/atomic-file.ts';
import { bodyFile, type QueuePaths } from './queue-paths.ts';
import { storedId } from '../../files/stored-fields.ts';
import {
  namesOf,
  readNotice,
  SET_ASIDE_NOTICE_FORMAT,
  writeNotice,
  type QuarantineNotice,
} from './quarantine-notice.ts';
import { readableHeaders, type ReadableHeader } from './queue-log-format.ts';
import type { QueueRecord } from './queue-record.ts';
import type { QueueView } from './queue-view.ts';

/** A set-aside message's state, as it was in the queue. */
export const STATE_FILE = 'state.json';

export type { QuarantineNotice } from './quarantine-notice.ts';

export interface QuarantineDeps {
  readonly paths: QueuePaths;
  readonly clock: Pick<Clock, 'now'>;
  readonly onQuarantine: (notice: QuarantineNotice) => void;
}

/** A message's id as a queue-log header spells it (`put` records and `del`/`handover` entries). */
const ID_FIELD = /"id":"([A-Za-z0-9_-]{1,128})"/g;

/**
 * The message a damaged stretch names first (a put says the most), and every id it names. An id
 * the damage made into something no Outbox writes is left out: it would name nothing.
 */
export function namedIn(stretch: Buffer): { first?: ReadableHeader; ids: string[] } {
  const headers = readableHeaders(stretch).map(({ id, ...rest }): ReadableHeader =>
    id !== undefined && storedId.safeParse(id).success ? { id, ...rest } : rest,
  );
  // Ids whose frame start the damage wiped out are still found by their field in the JSON text.
  const inText = [...stretch.toString('latin1').matchAll(ID_FIELD)].map((m) => m[1] ?? '');
  const ids = [...new Set([...headers.flatMap((h) => (h.id === undefined ? [] : [h.id])), ...inText])].filter(
    (id) => storedId.safeParse(id).success,
  );
  const first =
    headers.find((h) => h.op === 'put' && h.id !== undefined) ??
    headers.find((h) => h.id !== undefined) ??
    headers.find((h) => h.op === 'put');
  return { ...(first ? { first } : {}), ids };
}

/**
 * The quarantine folder: damaged log stretches and messages that cannot be sent are moved there,
 * so they never block the rest of the queue, and each is told of once. Each gets a folder of its
 * own with a `notice.json` naming it (see quarantine-shelf.ts for reading them back).
 */
export class Quarantine {
  /** Damaged stretches already set aside by this process (`segment@offset`). */
  private readonly reported = new Set<string>();

  private readonly deps: QuarantineDeps;

  constructor(deps: QuarantineDeps) {
    this.deps = deps;
  }

  /**
   * Copies a damaged stretch of a segment, found at `from`, into a folder of its own, once per
   * process. `reason`: why, when the caller knows better than "damaged" (a cut-off tail).
   */
  async keepDamaged(
    segment: string,
    from: number,
    stretch: Buffer,
    reason?: string,
    unclaimed: readonly string[] = [],
  ): Promise<void> {
    const seen = `${segment}@${from}`;
    if (this.reported.has(seen)) return;
    this.reported.add(seen);
    const key = `${segment}-${from}`;
    const dir = path.join(this.deps.paths.quarantine, key);
    const file = path.join(dir, `${key}.damaged`);
    const found = namedIn(stretch);
    // The damage may have wiped the very header that named the message; a message file with no
    // state in the queue is then the best trace of it, so it is named (and kept for restore).
    const orphans = unclaimed.filter((id) => !found.ids.includes(id));
    const ids = [...found.ids, ...orphans];
    const first =
      found.first?.id !== undefined ? found.first : { ...found.first, id: found.ids[0] ?? orphans[0] };
    const others = found.ids.filter((id) => id !== first.id).length;
    const maybe = orphans.filter((id) => id !== first.id);
    const why =
      (reason ?? `${stretch.length} bytes of the queue log ${segment} are damaged`) +
      (others > 0 ? ` (${others} more message${others > 1 ? 's' : ''} in it)` : '') +
      (maybe.length > 0 ? `; it may also have held ${maybe.join(', ')}, whose files have no state` : '');
    const named = namesOf(first.id === undefined ? (found.first ?? {}) : first);
    await ensureDir(dir);
    // Another process may have kept it already (with message files moved in since): left as it is.
    if (!(await readNotice(dir))) {
      await fsp.writeFile(file, stretch, { mode: 0o600 });
      await syncPath(file);
      await writeNotice(dir, {
        version: SET_ASIDE_NOTICE_FORMAT.version,
        kind: 'stretch',
        ...named,
        ids,
        reason: why,
        setAsideAt: new Date(this.deps.clock.now()).toISOString(),
        files: [path.basename(file)],
      });
    }
    this.deps.onQuarantine({ key, ...named, reason: why, file });
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
    const now = this.deps.clock.now();
    const key = `${id}-${now}`;
    const dir = path.join(paths.quarantine, key);
    await ensureDir(dir);
    const files: string[] = [];
    if (record) {
      const state = path.join(dir, STATE_FILE);
      await fsp.writeFile(state, JSON.stringify(record), { mode: 0o600 });
      await syncPath(state);
      files.push(STATE_FILE);
    }
    const moved = await fsp.rename(bodyFile(paths, id), path.join(dir, `${id}.eml`)).then(
      () => true,
      () => false,
    );
    if (moved) files.unshift(`${id}.eml`);
    const named = namesOf({
      id,
      subject: record?.subject,
      recipients: record?.recipients.map((r) => r.address),
    });
    await writeNotice(dir, {
      version: SET_ASIDE_NOTICE_FORMAT.version,
      kind: 'message',
      ...named,
      reason,
      setAsideAt: new Date(now).toISOString(),
      files,
    });
    // Its old name gone too, where a file system syncs the two folders apart: only now that the
    // new one is durable, so that a power cut between the two leaves it in one place at least.
    if (moved) await fsyncDir(paths.bodies);
    await removeFromQueue();
    this.deps.onQuarantine({ key, ...named, reason, file: path.join(dir, files[0] ?? '') });
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
    const summary = view.summary(id);
    if (!summary || isStaged(id)) continue;
    const inline = view.body(id);
    const size = inline
      ? inline.length
      : await fsp.stat(bodyFile(paths, id)).then(
          (s) => s.size,
          () => -1,
        );
    if (size === summary.storedSize) continue;
    found.push({
      id,
      reason: size < 0 ? 'its message file is missing' : 'its message bytes are truncated',
    });
  }
  return found;
}
