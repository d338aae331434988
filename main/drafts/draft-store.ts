import { randomUUID } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { draft, type Draft, type DraftContent } from '../../preload/contract/compose.ts';
import { AppError } from '../errors/app-error.ts';
import type { Logger } from '../errors/logger.ts';
import { ensureDir, isNotFound, nodeFileSystem, removeFiles, writeFileAtomic } from '../files/atomic-file.ts';

export interface DraftStore {
  list(): Promise<Draft[]>;
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
      const parsed = draft.safeParse(JSON.parse(await fsp.readFile(path.join(dir, file), 'utf8')));
      if (parsed.success) return parsed.data;
      log.warn('Skipping an unreadable draft', { file });
    } catch (error) {
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
    async save(id, content) {
      await ready;
      const saved: Draft = { id: id ?? randomUUID(), content, updatedAt: now().toISOString() };
      await writeFileAtomic(fileOf(saved.id), JSON.stringify(saved), { tmpDir: dir, fs: nodeFileSystem });
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
