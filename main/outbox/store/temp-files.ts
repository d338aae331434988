import fsp from 'node:fs/promises';
import path from 'node:path';
import { unlinkIfExists } from '../../files/atomic-file.ts';
import { isAlive } from '../../files/process-identity.ts';
import { writerOfTempFile } from '../../files/temp-name.ts';

/** Temp files whose name does not say who writes them (older builds): left this long, as before. */
export const UNNAMED_TEMP_AGE_MS = 3_600_000;

/** What decides a temp file's fate: its writer, or only its age when its name does not tell. */
export type TempFileFacts =
  { readonly writer: 'alive' | 'gone' } | { readonly writer: 'unnamed'; readonly ageMs: number };

/**
 * Whether no one will finish or rename a temp file any more. A live writer's file is kept however
 * old (a large attachment from a slow disk), a dead writer's goes at once.
 */
export function isAbandoned(facts: TempFileFacts): boolean {
  switch (facts.writer) {
    case 'alive':
      return false;
    case 'gone':
      return true;
    case 'unnamed':
      return facts.ageMs > UNNAMED_TEMP_AGE_MS;
  }
}

async function factsOf(file: string, now: number): Promise<TempFileFacts | undefined> {
  const writer = writerOfTempFile(path.basename(file));
  if (writer) return { writer: (await isAlive(writer)) ? 'alive' : 'gone' };
  const stat = await fsp.stat(file).catch(() => undefined);
  return stat && { writer: 'unnamed', ageMs: now - stat.mtimeMs };
}

/**
 * Removes the temp files in `dir` that processes killed mid-write left behind; returns their names.
 * `now` is the wall clock (file times are). A file that cannot be removed stays for the next try.
 */
export async function removeAbandonedTempFiles(dir: string, now: number): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await fsp.readdir(dir)) {
    const file = path.join(dir, name);
    const facts = await factsOf(file, now);
    if (!facts || !isAbandoned(facts)) continue;
    try {
      await unlinkIfExists(file);
      removed.push(name);
    } catch {
      // Not ours to fix here (a folder someone made, no permission): opening the queue goes on.
    }
  }
  return removed;
}
