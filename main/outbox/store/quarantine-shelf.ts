import fsp from 'node:fs/promises';
import path from 'node:path';
import type { SetAsideItem } from '../../../preload/contract/outbox.ts';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.ts';
import { errno, isNotFound, storageError, unlinkIfExists } from '../../files/atomic-file.ts';
import { storedId } from '../../files/stored-fields.ts';
import { currentProcess, isAlive } from '../../files/process-identity.ts';
import { namedIn, STATE_FILE } from './quarantine.ts';
import {
  namesOf,
  readNotice,
  writeInFolder,
  type SetAsideNames,
  type SetAsideNotice,
} from './quarantine-notice.ts';
import { queueRecordOnDisk, type QueueRecord } from './queue-record.ts';
import { checkStoredFile, expectedBody, type BodyMismatch } from './stored-body.ts';

/**
 * A key names an entry directly under the quarantine folder: no separators, no `..`, nothing
 * hidden. Checked before any path is built from it.
 */
const KEY = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;
/** Held by the process restoring the item; gone with the folder once it is restored. */
const CLAIM_FILE = 'restoring.json';
/**
 * The queue id a restore puts the message back under, written before anything is queued: a restore
 * cut off (a crash) after the message was queued but before the folder was removed is found by the
 * next restore, which then cannot queue it a second time under another id.
 */
const RESTORE_ID_FILE = 'restored-as.json';
const restoreIdFile = z.object({ id: storedId });
/** An unreadable claim younger than this may still be being written; older, its writer died mid-write. */
const CLAIM_WRITE_MS = 60_000;
const processIdentity = z.object({ pid: z.number().int(), started: z.string().optional() });
/** An old set-aside message's folder: `<id>-<ms>`. */
const OLD_MESSAGE_DIR = /^([A-Za-z0-9_-]{1,128})-(\d{10,})$/;
const OLD_STRETCH_FILE = /^(.+)-(\d+)\.damaged$/;

/**
 * A stretch's states failed their CRC: what still parses may differ from what was written by a
 * flipped bit (another recipient), so it is never queued again, only kept for a person to read.
 */
const STRETCH_PROBLEM = 'its state in the queue log is damaged and cannot be trusted';

/** A set-aside item as read from its folder (or, in the old layout, its file). */
interface ShelfEntry {
  readonly item: SetAsideItem;
  /** The message's state and verified bytes, when it can be restored. */
  readonly restorable?: { readonly record: QueueRecord; readonly bytes: string };
  /** Why it cannot be restored, when it cannot. */
  readonly problem?: string;
  /** Every message it may refer to, whose body file must not be deleted as an orphan. */
  readonly ids: readonly string[];
  /** The folder a message's body file may be moved into (none for an old-layout stretch file). */
  readonly dir?: string;
  /** A damaged stretch's bytes: a message whose id appears in them may be one it held. */
  readonly stretch?: string;
}

/** Whether the bytes in `file` are the ones `record` describes: its size, and its SHA-256 when it has one. */
/** What the shelf says of a message file that is not what was queued. */
const SHELF_REASONS: Record<BodyMismatch, string> = {
  missing: 'its message file is missing',
  resized: 'its message bytes are truncated',
  damaged: 'its message bytes do not match their checksum',
};

/**
 * Checks message files once per version of each: listing runs on every change of the outbox, and
 * hashing every set-aside file each time would cost seconds for large ones. A file is the same
 * version while its inode, size and change time are (ctime, which only the kernel sets, moves on
 * any write); the expected size and hash are part of the key too.
 */
class FileChecks {
  private readonly known = new Map<string, { stamp: string; problem: string | undefined }>();

  async problem(record: QueueRecord, file: string): Promise<string | undefined> {
    const stat = await fsp.stat(file, { bigint: true }).catch(() => undefined);
    if (!stat) {
      this.known.delete(file);
      return SHELF_REASONS.missing;
    }
    const expected = expectedBody(record);
    const stamp = [stat.dev, stat.ino, stat.size, stat.ctimeNs, expected.size, expected.sha256].join(':');
    const seen = this.known.get(file);
    if (seen?.stamp === stamp) return seen.problem;
    const mismatch = await checkStoredFile(file, expected);
    const problem = mismatch && SHELF_REASONS[mismatch];
    this.known.set(file, { stamp, problem });
    return problem;
  }

  /** Lets go of what is known of the files in `dir`, once it is gone. */
  forgetUnder(dir: string): void {
    for (const file of this.known.keys()) if (path.dirname(file) === dir) this.known.delete(file);
  }
}

const alreadyRestoring = (key: string) => new AppError('invalid_state', `${key} is already being restored.`);

/** Whether a restore claim is held: by a live process, or just being written (not yet readable). */
async function claimHeld(file: string): Promise<boolean> {
  try {
    const holder = processIdentity.parse(JSON.parse(await fsp.readFile(file, 'utf8')));
    return await isAlive(holder);
  } catch {
    const stat = await fsp.stat(file).catch(() => undefined);
    return stat !== undefined && Date.now() - stat.mtimeMs < CLAIM_WRITE_MS;
  }
}

async function readState(file: string): Promise<QueueRecord | undefined> {
  try {
    const parsed = queueRecordOnDisk.safeParse(JSON.parse(await fsp.readFile(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the quarantine folder holds, read back: listed, checked, restored and discarded by key. Reads
 * the layout older builds left too (`<segment>-<from>.damaged` files, `<id>-<ms>/` folders without
 * a notice), naming what it can from them.
 */
export class QuarantineShelf {
  private readonly root: string;
  /** Keys this process is restoring. */
  private readonly claimed = new Set<string>();
  private readonly checks = new FileChecks();

  constructor(root: string) {
    this.root = root;
  }

  async list(): Promise<SetAsideItem[]> {
    return (await this.entries()).map((entry) => entry.item);
  }

  /** Every entry, oldest first. */
  async entries(): Promise<ShelfEntry[]> {
    const names = await fsp.readdir(this.root).catch(() => [] as string[]);
    const entries: ShelfEntry[] = [];
    for (const name of names) {
      if (!KEY.test(name)) continue;
      const entry = await this.read(name).catch(() => undefined);
      if (entry) entries.push(entry);
    }
    return entries.sort((a, b) => a.item.setAsideAt.localeCompare(b.item.setAsideAt));
  }

  /**
   * The entry `key` names. Throws `invalid_input` for a key that is not a plain name under the
   * quarantine folder and `not_found` for one that names nothing there.
   */
  async entry(key: string): Promise<ShelfEntry> {
    if (!KEY.test(key)) {
      throw new AppError('invalid_input', `${JSON.stringify(key)} is not the key of something set aside.`, {
        field: 'key',
      });
    }
    const entry = await this.read(key);
    if (!entry) throw new AppError('not_found', `Nothing set aside is called ${JSON.stringify(key)}.`);
    return entry;
  }

  /**
   * The entry a message's body file belongs with, if any may refer to it: its notice or state names
   * the id, or a damaged stretch holds the id's text (its header may be too damaged to read).
   */
  async claimant(id: string, entries: readonly ShelfEntry[]): Promise<ShelfEntry | undefined> {
    const named = entries.find((entry) => entry.ids.includes(id));
    if (named) return named;
    for (const entry of entries) {
      if (!entry.stretch) continue;
      const bytes = await fsp.readFile(entry.stretch).catch(() => undefined);
      if (bytes?.includes(id)) return entry;
    }
    return undefined;
  }

  /**
   * Claims an item's folder for one restore, across processes (a restore from the CLI while the
   * app restores it too would queue it twice); returns the release. `invalid_state` while another
   * live process, or this one, holds the claim; a claim left by a process that died is taken over.
   */
  async claim(key: string): Promise<() => Promise<void>> {
    const { dir } = await this.entry(key);
    // An old-layout stretch file: nothing to restore, which restore itself says.
    if (!dir) return () => Promise.resolve();
    // Within this process first: two restores here would both take over a dead process's claim.
    if (this.claimed.has(key)) throw alreadyRestoring(key);
    this.claimed.add(key);
    const file = path.join(dir, CLAIM_FILE);
    try {
      const me = JSON.stringify(await currentProcess());
      try {
        await fsp.writeFile(file, me, { flag: 'wx', mode: 0o600 });
      } catch (error) {
        if (errno(error) !== 'EEXIST') throw storageError(error);
        if (await claimHeld(file)) throw alreadyRestoring(key);
        await fsp.writeFile(file, me, { mode: 0o600 });
      }
    } catch (error) {
      this.claimed.delete(key);
      throw error;
    }
    return async () => {
      this.claimed.delete(key);
      await unlinkIfExists(file);
    };
  }

  /**
   * The queue id a restore of `key` puts its message back under: the one an earlier restore
   * recorded in the folder, else `proposed`, recorded durably first. Call it holding the claim.
   */
  async restoreId(key: string, proposed: string): Promise<string> {
    const { dir } = await this.entry(key);
    if (!dir) return proposed;
    const file = path.join(dir, RESTORE_ID_FILE);
    let text: string | undefined;
    try {
      text = await fsp.readFile(file, 'utf8');
    } catch (error) {
      if (!isNotFound(error)) throw storageError(error);
    }
    if (text !== undefined) {
      // Unreadable, it might name a message already queued: a guess could queue it twice.
      const recorded = restoreIdFile.safeParse(parsedJson(text)).data?.id;
      if (recorded === undefined) {
        throw new AppError(
          'message_damaged',
          `${key} cannot be restored: its ${RESTORE_ID_FILE} (the id an earlier restore queued it under) cannot be read; check the queue for the message before you remove that file.`,
        );
      }
      return recorded;
    }
    try {
      await writeInFolder(file, JSON.stringify({ id: proposed }));
    } catch (error) {
      throw storageError(error);
    }
    return proposed;
  }

  /** Removes a restored item's folder: only once its message is durable in the queue again. */
  async discard(key: string): Promise<void> {
    await this.entry(key);
    await fsp.rm(path.join(this.root, key), { recursive: true, force: true });
    this.checks.forgetUnder(path.join(this.root, key));
    this.claimed.delete(key);
  }

  private async read(key: string): Promise<ShelfEntry | undefined> {
    const where = path.join(this.root, key);
    const stat = await fsp.lstat(where).catch(() => undefined);
    if (stat?.isFile() && OLD_STRETCH_FILE.test(key)) return this.oldStretch(key, where, stat.mtime);
    if (!stat?.isDirectory()) return undefined;
    const notice = await readNotice(where);
    if (notice) return this.fromNotice(key, where, notice);
    const old = OLD_MESSAGE_DIR.exec(key);
    if (!old) return undefined;
    const [, id = '', ms = '0'] = old;
    const setAsideAt = new Date(Number(ms));
    if (Number.isNaN(setAsideAt.getTime())) return undefined;
    return this.message(key, where, { id, setAsideAt: setAsideAt.toISOString() });
  }

  /** A message's folder: its state, its bytes, and whether they still go together. */
  private async message(
    key: string,
    dir: string,
    known: SetAsideNames & { id: string; setAsideAt: string; reason?: string },
  ): Promise<ShelfEntry> {
    const record = await readState(path.join(dir, STATE_FILE));
    const bytes = path.join(dir, `${known.id}.eml`);
    const problem = record ? await this.checks.problem(record, bytes) : 'its state could not be read';
    const hasBytes = await fsp.stat(bytes).then(
      () => true,
      () => false,
    );
    const item: SetAsideItem = {
      key,
      ...namesOf(
        record
          ? { id: known.id, subject: record.subject, recipients: record.recipients.map((r) => r.address) }
          : known,
      ),
      reason: known.reason ?? problem ?? 'set aside by an earlier version of Outbox',
      file: hasBytes ? bytes : record ? path.join(dir, STATE_FILE) : dir,
      setAsideAt: known.setAsideAt,
      restorable: record !== undefined && problem === undefined,
    };
    return {
      item,
      ...(record && problem === undefined ? { restorable: { record, bytes } } : {}),
      ...(problem === undefined ? {} : { problem }),
      ids: [known.id],
      dir,
    };
  }

  private async fromNotice(key: string, dir: string, notice: SetAsideNotice): Promise<ShelfEntry> {
    if (notice.kind === 'message' && notice.id !== undefined) {
      return this.message(key, dir, { ...notice, id: notice.id });
    }
    const item: SetAsideItem = {
      key,
      ...namesOf(notice),
      reason: notice.reason,
      file: path.join(dir, notice.files[0] ?? ''),
      setAsideAt: notice.setAsideAt,
      restorable: false,
    };
    return {
      item,
      problem: STRETCH_PROBLEM,
      ids: notice.ids ?? (notice.id === undefined ? [] : [notice.id]),
      dir,
      stretch: item.file,
    };
  }

  private async oldStretch(key: string, file: string, modified: Date): Promise<ShelfEntry> {
    const stretch = await fsp.readFile(file);
    const { first, ids } = namedIn(stretch);
    const segment = OLD_STRETCH_FILE.exec(key)?.[1] ?? key;
    const item: SetAsideItem = {
      key,
      ...namesOf(first ?? {}),
      reason: `${stretch.length} bytes of the queue log ${segment} are damaged`,
      file,
      setAsideAt: modified.toISOString(),
      restorable: false,
    };
    return {
      item,
      problem: STRETCH_PROBLEM,
      ids,
      stretch: file,
    };
  }
}

/** JSON text's value, or undefined when it is not JSON. */
function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
