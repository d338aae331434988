import fsp from 'node:fs/promises';
import path from 'node:path';
import type { DraftContent } from '../../preload/contract/compose.ts';
import { AppError } from '../errors/app-error.ts';

/**
 * The files the user has chosen: picked in the native dialog, dropped onto the window, or written
 * by main for them (edit copies, saved drafts). Main reads and sends a file for the renderer only
 * when it is here, so a compromised renderer cannot name ~/.ssh/id_rsa and have it mailed.
 */
export interface ChosenFiles {
  grant(paths: readonly string[]): Promise<void>;
  /** Throws `invalid_input` naming `${field}.N` for the first path the user never chose. */
  require(paths: readonly string[], field: string): Promise<void>;
}

const NOT_CHOSEN_MESSAGE = 'Attach files with the Attach button or by dropping them.';

/**
 * The file a path names: its real path, so a symlink made later cannot point a granted name at
 * another file. A path that does not exist (yet) keeps its absolute form: there is nothing to read.
 */
async function identity(filePath: string): Promise<string> {
  return fsp.realpath(filePath).catch(() => path.resolve(filePath));
}

export function createChosenFiles(): ChosenFiles {
  const granted = new Set<string>();
  return {
    async grant(paths) {
      for (const key of await Promise.all(paths.map(identity))) granted.add(key);
    },
    async require(paths, field) {
      const keys = await Promise.all(paths.map(identity));
      const index = keys.findIndex((key) => !granted.has(key));
      if (index >= 0) {
        throw new AppError('invalid_input', `${paths[index] ?? ''} was not chosen. ${NOT_CHOSEN_MESSAGE}`, {
          field: `${field}.${index}`,
        });
      }
    },
  };
}

/** Attachments in content main wrote itself (edit copies, saved drafts) are the user's earlier choices. */
export async function grantHeld<C extends Pick<DraftContent, 'attachments'>>(
  chosen: ChosenFiles,
  content: C,
): Promise<C> {
  await chosen.grant(content.attachments.map((ref) => ref.path));
  return content;
}
