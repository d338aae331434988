import fsp from 'node:fs/promises';
import path from 'node:path';
import type { AttachmentInfo } from '../../preload/contract/compose.ts';
import { AppError } from '../errors/app-error.ts';

/** Name and size of files the user picked or dropped, checked the way enqueue will check them. */
export async function statFiles(paths: readonly string[]): Promise<AttachmentInfo[]> {
  return Promise.all(
    paths.map(async (filePath, i) => {
      const field = `paths.${i}`;
      const stat = await fsp.stat(filePath).catch((error: unknown) => {
        throw new AppError('attachment_missing', `${filePath} does not exist.`, { field, cause: error });
      });
      if (!stat.isFile())
        throw new AppError('attachment_not_a_file', `${filePath} is not a file.`, { field });
      return { path: filePath, name: path.basename(filePath), size: stat.size };
    }),
  );
}
