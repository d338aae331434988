import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { storedId, storedTime } from '../../files/stored-fields.ts';
import { storedSchema, type StoredFormat } from '../../files/versioned.ts';
import { lazySchema } from '../../../preload/contract/lazy-schema.ts';
import { fsyncDir, syncPath } from '../../files/atomic-file.ts';

/** Each set-aside item's folder holds one `notice.json` saying what it is and why. */
export const NOTICE_FILE = 'notice.json';

export const SET_ASIDE_NOTICE_FORMAT: StoredFormat = { name: 'set-aside notice', version: 1, migrations: {} };

export const setAsideNotice = lazySchema(() =>
  z.object({
    version: z.literal(SET_ASIDE_NOTICE_FORMAT.version),
    /** A message that could not be read or trusted, or a damaged stretch of the queue log. */
    kind: z.enum(['message', 'stretch']),
    id: storedId.optional(),
    subject: z.string().optional(),
    recipients: z.array(z.string()).optional(),
    /** Every message a damaged stretch names (its body files must never be deleted as orphans). */
    ids: z.array(storedId).optional(),
    reason: z.string(),
    setAsideAt: storedTime,
    /** The files the folder holds, by name; the kept bytes first. */
    files: z.array(z.string()),
  }),
);
export type SetAsideNotice = z.infer<typeof setAsideNotice>;

const noticeOnDisk = lazySchema(() => storedSchema(SET_ASIDE_NOTICE_FORMAT, setAsideNotice));

/**
 * Written last, after the files it names: a folder without one is listed as the old layout is.
 * Durable when it returns, with every name in the folder (the files it names among them): what is
 * set aside leaves the queue only after this, so a power cut cannot lose both.
 */
export async function writeNotice(dir: string, notice: SetAsideNotice): Promise<void> {
  await writeInFolder(path.join(dir, NOTICE_FILE), JSON.stringify(notice));
  // The folder's own name, in the quarantine folder.
  await fsyncDir(path.dirname(dir));
}

/**
 * Writes a file of a set-aside folder whole or not at all (a temp file beside it, synced, renamed),
 * durable with the folder's other names when it returns.
 */
export async function writeInFolder(file: string, text: string): Promise<void> {
  const temp = `${file}.tmp`;
  await fsp.writeFile(temp, text, { mode: 0o600 });
  await syncPath(temp);
  await fsp.rename(temp, file);
  await fsyncDir(path.dirname(file));
}

/** The folder's notice, or undefined when it has none or it cannot be read (then the folder speaks for itself). */
export async function readNotice(dir: string): Promise<SetAsideNotice | undefined> {
  try {
    const parsed = noticeOnDisk.safeParse(
      JSON.parse(await fsp.readFile(path.join(dir, NOTICE_FILE), 'utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** What a person is told of something set aside: the message as far as it is known, why, and where. */
export interface QuarantineNotice {
  /** The item's name under the quarantine folder (`outbox queue restore KEY`). */
  readonly key: string;
  readonly id?: string;
  readonly subject?: string;
  readonly recipients?: readonly string[];
  readonly reason: string;
  /** Absolute path of what was kept. */
  readonly file: string;
}

export interface SetAsideNames {
  readonly id?: string;
  readonly subject?: string;
  readonly recipients?: string[];
}

/** The names that are known, without keys for the others (optional fields stay absent, not undefined). */
export function namesOf(from: {
  readonly id?: string | undefined;
  readonly subject?: string | undefined;
  readonly recipients?: readonly string[] | undefined;
}): SetAsideNames {
  return {
    ...(from.id === undefined ? {} : { id: from.id }),
    ...(from.subject === undefined ? {} : { subject: from.subject }),
    ...(from.recipients === undefined ? {} : { recipients: [...from.recipients] }),
  };
}

/** "message ID "SUBJECT" to A, B": the message as far as it could be read, on one line. */
export function describeSetAside(notice: Pick<QuarantineNotice, 'id' | 'subject' | 'recipients'>): string {
  const parts = [notice.id === undefined ? 'a message that cannot be named' : `message ${notice.id}`];
  if (notice.subject !== undefined) parts.push(JSON.stringify(notice.subject));
  if (notice.recipients?.length) parts.push(`to ${notice.recipients.join(', ')}`);
  return parts.join(' ');
}
