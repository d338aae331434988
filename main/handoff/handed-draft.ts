import { randomUuid } from '../core/random.ts';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Draft } from '../../preload/contract/compose.ts';
import type { DraftStore } from '../drafts/draft-store.ts';
import { ensureDir } from '../files/atomic-file.ts';
import { OWNER_ONLY_FILE } from '../files/owner-only.ts';
import { safeName } from '../outbox/message/stored-draft.ts';
import { withAttachments, type AttachmentFile } from '../outbox/message/attachment-file.ts';
import type { ComposeRequest } from './compose-request.ts';

export interface HandedDraftPlaces {
  readonly drafts: DraftStore;
  /** The queue's `edits` folder: copies a draft holds live there, as a queued message's do. */
  readonly edits: string;
}

/**
 * Saves `request` as a new draft, each of `files` (already screened: see handed-paths.ts) copied
 * into a folder of the draft's own under `edits`, as a message taken back for editing is: the
 * draft keeps what the other program handed over even if it deletes its temporary file, which
 * programs commonly do as soon as the mail program has started. Every attachment is marked as added
 * by another program.
 *
 * The draft is saved before its copies are written, so the app's start-up sweep of unused copies
 * (create-core.ts) never takes a folder a draft is about to hold. A file that cannot be attached
 * (missing, not a regular file, unreadable) throws its attachment_* error and leaves nothing behind.
 * `field` names where the files came in (an option, an argument), for those errors.
 */
export async function saveHandedDraft(
  places: HandedDraftPlaces,
  request: ComposeRequest,
  files: readonly string[],
  field: string,
): Promise<Draft> {
  const id = randomUuid();
  const dir = path.join(places.edits, id);
  return withAttachments(
    files,
    async (opened) => {
      const taken = new Set<string>();
      const copies = opened.map((file) => ({ file, copy: path.join(dir, safeName(file.path, taken)) }));
      const draft = await places.drafts.save(id, {
        to: [...request.to],
        cc: [...request.cc],
        bcc: [...request.bcc],
        subject: request.subject ?? '',
        ...(request.body === undefined ? {} : { text: request.body }),
        ...(request.inReplyTo === undefined ? {} : { inReplyTo: request.inReplyTo }),
        attachments: copies.map(({ copy }) => ({ path: copy, addedBy: 'program' as const })),
      });
      try {
        if (copies.length > 0) await ensureDir(dir);
        for (const { file, copy } of copies) await copyOpened(file, copy);
        return draft;
      } catch (error) {
        await places.drafts.remove(id).catch(() => undefined);
        await fsp.rm(dir, { recursive: true, force: true });
        throw error;
      }
    },
    () => field,
  );
}

/** The bytes read from the opened descriptor, never the path again (see AttachmentFile). */
async function copyOpened(file: AttachmentFile, copy: string): Promise<void> {
  const out = fs.createWriteStream(copy, { flags: 'wx', mode: OWNER_ONLY_FILE });
  await pipeline(file.stream(), out);
  const handle = await fsp.open(copy, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
