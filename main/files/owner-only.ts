import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

/** Folders Outbox creates: the data folder holds private mail and account settings. */
export const OWNER_ONLY_DIR = 0o700;
/** Files Outbox creates. */
export const OWNER_ONLY_FILE = 0o600;
/** S_ISVTX, which Node's fs.constants lacks: a folder others share, as /tmp. */
const STICKY = 0o1000;

/**
 * The folders `mkdir -p dir` made, outermost first, given the first one it created (what Node's
 * recursive mkdir returns); just `dir` when it made none.
 */
export function foldersMade(firstMade: string | undefined, dir: string): string[] {
  const leaf = path.resolve(dir);
  if (firstMade === undefined) return [leaf];
  const top = path.resolve(firstMade);
  const made: string[] = [];
  for (let folder = leaf; ; folder = path.dirname(folder)) {
    made.unshift(folder);
    if (folder === top || folder === path.dirname(folder)) return made;
  }
}

/**
 * Creates `dir` and its missing parents owner-only whatever the umask (mkdir's mode is masked by
 * it), as the XDG Base Directory spec asks of a missing config folder: 0700. `dir` itself is made
 * owner-only even when it was there.
 */
export async function ensureOwnerOnlyDir(dir: string): Promise<void> {
  const firstMade = await fsp.mkdir(dir, { recursive: true, mode: OWNER_ONLY_DIR });
  for (const folder of foldersMade(firstMade, dir)) await fsp.chmod(folder, OWNER_ONLY_DIR);
}

/**
 * The data folder, before the settings library (which would make it 0755) opens it: created
 * owner-only, or tightened if it is ours. A folder of someone else's or a shared one (sticky, as
 * /tmp) that `OUTBOX_HOME` names by mistake is left as it is.
 */
export function ensureOwnerOnlyDirSync(dir: string): void {
  const firstMade = fs.mkdirSync(dir, { recursive: true, mode: OWNER_ONLY_DIR });
  if (firstMade === undefined) {
    tightenIfOurs(dir, OWNER_ONLY_DIR);
    return;
  }
  for (const folder of foldersMade(firstMade, dir)) fs.chmodSync(folder, OWNER_ONLY_DIR);
}

/**
 * Takes group and other access away from an existing file or folder of ours (one an older version
 * created under a loose umask); a missing one is fine.
 */
export function tightenIfOurs(target: string, mode: number): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return;
    throw error;
  }
  const loose = (stat.mode & 0o077) !== 0;
  const ours = process.getuid === undefined || stat.uid === process.getuid();
  const shared = (stat.mode & STICKY) !== 0;
  if (loose && ours && !shared) fs.chmodSync(target, mode);
}
