import fsp from 'node:fs/promises';
import { screenHandedPaths, type LeftOutReason } from './handed-paths.ts';

const WHY: Record<LeftOutReason, string> = {
  hidden: 'it is hidden, or in a hidden folder, where programs keep keys and passwords',
  system: 'it is part of the system’s configuration',
  relative: 'it is not a full path',
};

/** A handed file that was not attached, and the sentence that tells the user so. */
export interface LeftOutFile {
  readonly path: string;
  readonly reason: LeftOutReason;
  readonly message: string;
}

export interface ScreenedFiles {
  readonly kept: string[];
  readonly leftOut: LeftOutFile[];
}

const leftOut = (path: string, reason: LeftOutReason): LeftOutFile => ({
  path,
  reason,
  message: `${path} was not attached: ${WHY[reason]}. Attach it in Outbox by hand if you mean to.`,
});

/**
 * The handed paths that may be attached (handed-paths.ts), screened as written and again as the
 * files they really are: a link `~/report.pdf` to `~/.ssh/id_ed25519` is left out like its target.
 * A path that does not resolve is kept: opening it says what is wrong.
 */
export async function screenHandedFiles(paths: readonly string[]): Promise<ScreenedFiles> {
  const written = screenHandedPaths(paths);
  const screened: ScreenedFiles = {
    kept: [],
    leftOut: written.leftOut.map((f) => leftOut(f.path, f.reason)),
  };
  for (const file of written.kept) {
    const real = await fsp.realpath(file).catch(() => file);
    const [reason] = screenHandedPaths([real]).leftOut.map((f) => f.reason);
    if (reason === undefined) screened.kept.push(file);
    else screened.leftOut.push(leftOut(file, reason));
  }
  return screened;
}
