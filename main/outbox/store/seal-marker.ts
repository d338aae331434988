import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic, type FileSystemSeam } from '../../files/atomic-file.ts';
import { storedSchema, type StoredFormat } from '../../files/versioned.ts';
import { lazySchema } from '../../../preload/contract/lazy-schema.ts';

/**
 * What a segment held when its writer sealed it, kept in `<segment>.sealed` next to it. The seal
 * frame alone cannot tell a segment that lost its tail (acknowledged frames gone) from one whose
 * writer died mid-write (nothing lost that was acknowledged): cutting the file removes the seal too.
 * Written only once the seal frame is durable, so a marker means the whole segment was on disk.
 */
export const SEAL_MARKER_FORMAT: StoredFormat = { name: 'queue segment seal', version: 1, migrations: {} };

const sealMarker = lazySchema(() =>
  z.object({
    version: z.literal(SEAL_MARKER_FORMAT.version),
    /** The segment's length in bytes, its seal included. */
    length: z.number().int().nonnegative(),
    /** How many frames it holds, commits included. */
    frames: z.number().int().nonnegative(),
    /**
     * It holds no message state, only removals and hand-over marks (what a delivery run leaves): a
     * reader with nothing queued elsewhere can pass it by, as it could hide nothing. Optional, so
     * markers without it (earlier builds) are read as before, and earlier builds ignore it.
     */
    lifeless: z.boolean().optional(),
  }),
);
export type SealMarker = z.infer<typeof sealMarker>;
const sealMarkerOnDisk = lazySchema(() => storedSchema(SEAL_MARKER_FORMAT, sealMarker));

/** A marker, or the temporary file it is written to before its rename (`<segment>.sealed.<hex>.tmp`). */
const MARKER_FILE = /^(.+\.log)\.sealed(\.[0-9a-f]+\.tmp)?$/;

export const sealMarkerName = (segment: string): string => `${segment}.sealed`;

/** The segment a marker belongs to, and whether it is still being written; undefined for other files. */
export function markerFile(file: string): { segment: string; complete: boolean } | undefined {
  const found = MARKER_FILE.exec(file);
  return found?.[1] === undefined ? undefined : { segment: found[1], complete: found[2] === undefined };
}

/** Writes the marker atomically, its directory synced: on return it survives a crash. */
export async function writeSealMarker(
  dir: string,
  segment: string,
  sealed: Omit<SealMarker, 'version'>,
  fs: FileSystemSeam,
): Promise<void> {
  const marker: SealMarker = { version: SEAL_MARKER_FORMAT.version, ...sealed };
  // The temp file stays in the queue folder (same file system, a name segment readers skip), so a
  // crash leaves it where compaction finds it once its segment is reclaimed.
  await writeFileAtomic(path.join(dir, sealMarkerName(segment)), JSON.stringify(marker), { tmpDir: dir, fs });
}

/**
 * The segment's marker, or undefined when it has none. A marker that cannot be read (damaged, or
 * from a later Outbox) counts as none: it only adds a check, and must never keep the queue from
 * opening.
 */
export async function readSealMarker(dir: string, segment: string): Promise<SealMarker | undefined> {
  let text: string;
  try {
    text = await fsp.readFile(path.join(dir, sealMarkerName(segment)), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = sealMarkerOnDisk.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
