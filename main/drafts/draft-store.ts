import { randomUuid } from '../core/random.ts';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Draft, DraftContent } from '../../preload/contract/compose.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../errors/logger.ts';
import { ensureDir, isNotFound, nodeFileSystem, removeFiles, writeFileAtomic } from '../files/atomic-file.ts';
import { NewerFormatError, storedSchema, type StoredFormat } from '../files/versioned.ts';
import { storedId, storedTime } from '../files/stored-fields.ts';

/** Version 1 files were written without a `version` field. */
export const DRAFT_FORMAT: StoredFormat = { name: 'draft', version: 1, migrations: {}, unversioned: 1 };

// Not below the contract's MAX_RECIPIENTS: a draft holds whatever compose may send (one list may hold all).
// Raised from 500, which older files all meet.
const addresses = z.array(z.string().max(998)).max(1000).default([]);

/**
 * A draft file: the store's own format, not the bridge's (a change to the contract must not make
 * saved drafts unreadable). A draft need not be valid yet, so little is checked.
 */
const storedDraft = storedSchema(
  DRAFT_FORMAT,
  z.object({
    id: storedId,
    content: z.object({
      accountId: z.string().max(128).optional(),
      from: z.string().max(998).optional(),
      to: addresses,
      cc: addresses,
      bcc: addresses,
      replyTo: z.string().max(998).optional(),
      subject: z.string().max(998).default(''),
      text: z.string().max(20_000_000).optional(),
      html: z.string().max(20_000_000).optional(),
      attachments: z
        // addedBy: optional, so version 1 files without it read as before.
        .array(z.object({ path: z.string().min(1).max(4096), addedBy: z.enum(['program']).optional() }))
        .max(100)
        .default([]),
      sendAt: storedTime.optional(),
      // Optional, so version 1 files without them read as before.
      lateLimitMinutes: z.number().int().positive().optional(),
      inReplyTo: z.string().max(998).optional(),
      references: z.array(z.string().max(998)).max(100).optional(),
    }),
    updatedAt: storedTime,
  }),
);

/** One saved draft's file, as quotas count it. */
export interface DraftFile {
  readonly id: string;
  readonly bytes: number;
}

export interface DraftStore {
  list(): Promise<Draft[]>;
  /** One saved draft; undefined when there is none by that id (or it cannot be read). */
  get(id: string): Promise<Draft | undefined>;
  /** The size of every saved draft's file, without reading them. */
  files(): Promise<DraftFile[]>;
  save(id: string | undefined, content: DraftContent): Promise<Draft>;
  remove(id: string): Promise<void>;
}

/**
 * Drafts as one JSON file each, written atomically so an autosave interrupted by a crash leaves the
 * previous version, and the draft reopens after a restart.
 */
export function createDraftStore(dir: string, log: Logger, now: () => Date = () => new Date()): DraftStore {
  const fileOf = (id: string) => path.join(dir, `${id}.json`);
  const ready = ensureDir(dir);

  async function read(file: string): Promise<Draft | undefined> {
    try {
      const parsed = storedDraft.safeParse(JSON.parse(await fsp.readFile(path.join(dir, file), 'utf8')));
      if (parsed.success) return parsed.data;
      log.warn('Skipping an unreadable draft', { file });
    } catch (error) {
      // Refused as a whole, not skipped: a draft missing from the list would let its edit copies
      // be swept away (core start) while the Outbox that wrote it still needs them.
      if (error instanceof NewerFormatError) throw error;
      if (!isNotFound(error)) log.warn('Skipping an unreadable draft', { file });
    }
    return undefined;
  }

  return {
    async list() {
      await ready;
      const files = (await fsp.readdir(dir)).filter((name) => name.endsWith('.json'));
      const drafts = (await Promise.all(files.map(read))).filter((d): d is Draft => d !== undefined);
      return drafts.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
    },
    async get(id) {
      await ready;
      // An id is a file name here: only ids the schema takes, never a path.
      return storedId.safeParse(id).success ? read(`${id}.json`) : undefined;
    },
    async files() {
      await ready;
      const names = (await fsp.readdir(dir)).filter((name) => name.endsWith('.json'));
      const sized = await Promise.all(
        names.map(async (name) => {
          const stat = await fsp.stat(path.join(dir, name)).catch(() => undefined);
          return stat?.isFile() ? { id: name.slice(0, -'.json'.length), bytes: stat.size } : undefined;
        }),
      );
      return sized.filter((file) => file !== undefined);
    },
    async save(id, content) {
      await ready;
      const saved: Draft = { id: id ?? randomUuid(), content, updatedAt: now().toISOString() };
      const stored = { version: DRAFT_FORMAT.version, ...saved };
      await writeFileAtomic(fileOf(saved.id), JSON.stringify(stored), { tmpDir: dir, fs: nodeFileSystem });
      return saved;
    },
    async remove(id) {
      await ready;
      try {
        await fsp.access(fileOf(id));
      } catch {
        throw new AppError('not_found', 'That draft no longer exists.');
      }
      await removeFiles([fileOf(id)]);
    },
  };
}
