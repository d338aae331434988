import { randomUuid } from '../core/random.ts';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { ensureDir, nodeFileSystem, writeFileAtomic } from '../files/atomic-file.ts';
import { storedId } from '../files/stored-fields.ts';

/**
 * Asking the running app to open a draft: the CLI drops a small file into `requests/` of the data
 * folder (owner-only, like the rest of it) and the app, which watches that folder, opens the draft
 * it names. A file, not a socket: it works the same on every OS, and a request made while the app
 * is starting waits for it.
 */
export const requestsFolder = (dataDir: string) => path.join(dataDir, 'requests');

/** Only finished requests: the atomic write's temp file has another name. */
export const REQUEST_FILE = /^[0-9a-f-]{36}\.json$/;

/** A request names a draft and nothing else; anything bigger is not one of ours. */
export const MAX_REQUEST_BYTES = 1024;

const openRequest = z.object({ version: z.literal(1), open: z.object({ draftId: storedId }) }).strict();

/** Writes a request to open `draftId`, atomically, so the app never reads half of one. */
export async function writeOpenRequest(dataDir: string, draftId: string): Promise<void> {
  const dir = requestsFolder(dataDir);
  await ensureDir(dir);
  const request: z.infer<typeof openRequest> = { version: 1, open: { draftId } };
  await writeFileAtomic(path.join(dir, `${randomUuid()}.json`), JSON.stringify(request), {
    tmpDir: dir,
    fs: nodeFileSystem,
  });
}

/** Why a file in the folder was not a request. */
export class NotARequestError extends Error {
  override readonly name = 'NotARequestError';
}

/**
 * Reads one request file and deletes it, whatever it held: a request is acted on at most once, and
 * what is not one must not be read again at every folder event. Returns the draft id it names.
 */
export async function takeOpenRequest(file: string): Promise<string> {
  try {
    // lstat: a symlink or a FIFO planted here is never followed or opened.
    const stat = await fsp.lstat(file);
    if (!stat.isFile()) throw new NotARequestError('not a regular file');
    if (stat.size > MAX_REQUEST_BYTES) throw new NotARequestError(`${stat.size} bytes`);
    const text = await fsp.readFile(file, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new NotARequestError('not JSON');
    }
    const parsed = openRequest.safeParse(json);
    if (!parsed.success) throw new NotARequestError('not an open request');
    return parsed.data.open.draftId;
  } finally {
    await fsp.rm(file, { force: true });
  }
}
