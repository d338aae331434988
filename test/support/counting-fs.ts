import path from 'node:path';
import { nodeFileSystem, type FileSystemSeam, type WritableFile } from '../../main/files/atomic-file.ts';

/** What went through a counting file system: the files created, and the writes to them. */
export interface Written {
  readonly files: string[];
  writes: number;
}

/**
 * The real file system, counting what a store writes through its seam. Every write there is a
 * durable one: the file is opened with O_DSYNC, or the write is followed by an fsync.
 */
export function countingFs(written: Written): FileSystemSeam {
  const counted = async (file: string, open: Promise<WritableFile>): Promise<WritableFile> => {
    const real = await open;
    written.files.push(path.basename(file));
    return {
      write: (chunk, offset, length, position) => {
        written.writes++;
        return real.write(chunk, offset, length, position);
      },
      sync: () => real.sync(),
      truncate: (length) => real.truncate(length),
      close: () => real.close(),
    };
  };
  const synced = nodeFileSystem.createSynced?.bind(nodeFileSystem);
  return {
    create: (file) => counted(file, nodeFileSystem.create(file)),
    ...(synced ? { createSynced: (file: string) => counted(file, synced(file)) } : {}),
  };
}
