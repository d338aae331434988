import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import type { AddressObject, AttachmentStream, Headers, MessageText } from 'mailparser';
import { MAX_REFERENCES, type DraftContent } from '../../../preload/contract/compose.ts';
import { AppError } from '../../errors/app-error.ts';
import { ensureDir, errno } from '../../files/atomic-file.ts';
import type { QueueRecord } from '../store/queue-record.ts';
import type { QueueStore } from '../store/queue-store.ts';
import { MessageDamagedError, type StoredBody } from '../store/stored-body.ts';

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list
    .flatMap((a) => a.value)
    .map((m) => (m.name ? `${m.name} <${m.address ?? ''}>` : (m.address ?? '')));
}

/** A file name that stays inside its folder and does not collide with one already taken. */
export function safeName(name: string | undefined, taken: Set<string>): string {
  const base = path.basename(name ?? '').replace(/[\0/\\]/g, '_') || 'attachment';
  let candidate = base;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) {
    const ext = path.extname(base);
    candidate = `${path.basename(base, ext)} (${n})${ext}`;
  }
  taken.add(candidate.toLowerCase());
  return candidate;
}

interface Parsed {
  headers: Headers;
  text?: string;
  html?: string;
  attachments: { path: string }[];
}

/** The stored bytes end before the size their state says. */
class CutShort extends Error {}

/**
 * Streams the message (`size` bytes) through mailparser, each attachment straight into its own file
 * in `dir`. If it fails, none of those files is left behind.
 */
async function parseInto(source: Readable, dir: string, size: number): Promise<Parsed> {
  // Loaded on first use: parsing is only needed when a message goes back to compose.
  const { MailParser } = await import('mailparser');
  const parser = new MailParser();
  const parsed: Parsed = { headers: new Map(), attachments: [] };
  const taken = new Set<string>();
  const saving: Promise<void>[] = [];
  const writing = new Set<fs.WriteStream>();
  let failure: Error | undefined;
  parser.on('headers', (headers: Headers) => {
    parsed.headers = headers;
  });
  parser.on('data', (data: AttachmentStream | MessageText) => {
    if (data.type === 'text') {
      if (data.text) parsed.text = data.text;
      if (typeof data.html === 'string') parsed.html = data.html;
      return;
    }
    const file = path.join(dir, safeName(data.filename, taken));
    parsed.attachments.push({ path: file });
    const out = fs.createWriteStream(file, { mode: 0o600 });
    writing.add(out);
    saving.push(
      finished(out)
        .catch((error: unknown) => {
          failure ??= error instanceof Error ? error : new Error(String(error));
        })
        .finally(() => writing.delete(out)),
    );
    // A failed write is reported once parsing ends; until then the content is drained, never
    // destroyed, so the parser (which waits for release()) carries on to the end of the message.
    out.on('error', () => data.content.resume());
    data.content.on('error', (error) => {
      out.destroy(error);
      data.release?.();
    });
    data.content.once('end', () => data.release?.());
    data.content.pipe(out);
  });
  let read = 0;
  async function* counted(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of chunks) {
      read += chunk.length;
      yield chunk;
    }
  }
  try {
    try {
      await pipeline(source, counted, parser);
    } catch (error) {
      // Reading failed inside an attachment: close its file, whose write will never end.
      for (const out of writing) out.destroy();
      throw error;
    } finally {
      await Promise.all(saving);
    }
    if (failure) throw failure;
    // mailparser ends an open part where its input ends, so bytes cut short parse "fine" into a
    // short attachment: only their size tells.
    if (read !== size) throw new CutShort(`read ${read} of ${size} bytes`);
    return parsed;
  } catch (error) {
    // What was written is partial or belongs to a draft no one gets: nothing of it stays.
    await Promise.all(parsed.attachments.map((a) => fsp.unlink(a.path).catch(() => undefined)));
    await fsp.rmdir(dir).catch(() => undefined);
    throw error;
  }
}

/**
 * Turns a queued message back into a draft. Attachments are taken from the stored message (the
 * originals may be gone) into a folder of their own under the data folder.
 */
export async function draftFromStored(store: QueueStore, record: QueueRecord): Promise<DraftContent> {
  const body = await checkedBody(store, record);
  const dir = path.join(store.paths.edits, record.id);
  const size = record.storedSizeBytes ?? record.sizeBytes;
  let parsed: Parsed;
  try {
    await ensureDir(dir);
    parsed = await parseInto(Readable.from(body, { objectMode: false }), dir, size);
  } catch (error) {
    throw notTakenBack(error);
  } finally {
    await body.close();
  }
  const header = (name: string) => parsed.headers.get(name) as AddressObject | AddressObject[] | undefined;
  const replyTo = addresses(header('reply-to'))[0];
  const thread = threadOf(parsed.headers);
  return {
    accountId: record.accountId,
    from: record.from,
    to: addresses(header('to')),
    cc: addresses(header('cc')),
    bcc: record.recipients.filter((r) => r.kind === 'bcc').map((r) => r.address),
    ...(replyTo ? { replyTo } : {}),
    subject: record.subject,
    ...(parsed.text ? { text: parsed.text } : {}),
    ...(parsed.html === undefined ? {} : { html: parsed.html }),
    attachments: parsed.attachments,
    ...(record.sendAt ? { sendAt: record.sendAt } : {}),
    // Without it, sending again from compose would go however late (issue 18).
    ...(record.sendAt && record.lateLimitMinutes !== undefined
      ? { lateLimitMinutes: record.lateLimitMinutes }
      : {}),
    ...thread,
  };
}

/** At most a header line (RFC 5322 §2.1.1), as the contract's header rule takes. */
const MAX_ID_LENGTH = 998;

/**
 * A reply's In-Reply-To and References, as mailparser reads them (one id, or a list), within what
 * a draft holds: a message from `sendmail` may carry any number, and a long thread keeps its root
 * and its latest ids (MAX_REFERENCES).
 */
function threadOf(headers: Headers): Pick<DraftContent, 'inReplyTo' | 'references'> {
  const inReplyTo = headers.get('in-reply-to');
  const references = headers.get('references');
  const raw: unknown[] =
    typeof references === 'string' ? [references] : Array.isArray(references) ? references : [];
  const ids = raw.filter((r): r is string => typeof r === 'string' && r !== '' && r.length <= MAX_ID_LENGTH);
  const kept = ids.length > MAX_REFERENCES ? [ids[0] ?? '', ...ids.slice(1 - MAX_REFERENCES)] : ids;
  return {
    ...(typeof inReplyTo === 'string' && inReplyTo !== '' && inReplyTo.length <= MAX_ID_LENGTH
      ? { inReplyTo }
      : {}),
    ...(kept.length > 0 ? { references: kept } : {}),
  };
}

function notTakenBack(error: unknown): AppError {
  const code = errno(error);
  const why = error instanceof CutShort ? 'its stored bytes are cut short' : (code ?? 'read failed');
  return new AppError(
    code === 'ENOSPC' ? 'disk_full' : 'storage_failed',
    `The message could not be taken back for editing (${why}); it stays in the outbox.`,
    { cause: error },
  );
}

/**
 * The message's bytes, checked before any of them is handed back: damaged ones are set aside (as
 * delivery would) and the user told so with `message_damaged`, never given a draft built from them.
 */
async function checkedBody(store: QueueStore, record: QueueRecord): Promise<StoredBody> {
  try {
    return await store.openBody(record.id);
  } catch (error) {
    if (!(error instanceof MessageDamagedError)) throw notTakenBack(error);
    await store.setAside(record.id, error.reason);
    throw new AppError(
      'message_damaged',
      `The message “${record.subject}” cannot be taken back for editing: ${error.reason}. It was set aside in ${store.paths.quarantine}.`,
      { cause: error },
    );
  }
}

/**
 * Deletes the copies an edit made, once the message that attached them is queued again: its bytes
 * now hold them, and copies of what may be confidential files should not pile up in the data
 * folder. Paths outside `edits` (the user's own files) are never touched.
 */
export async function removeEditCopies(edits: string, paths: readonly string[]): Promise<void> {
  const root = path.resolve(edits) + path.sep;
  const copies = paths.map((p) => path.resolve(p)).filter((p) => p.startsWith(root));
  await Promise.all(copies.map((copy) => fsp.unlink(copy).catch(() => undefined)));
  // The message's folder goes once nothing is left in it.
  for (const dir of new Set(copies.map((copy) => path.dirname(copy)))) {
    await fsp.rmdir(dir).catch(() => undefined);
  }
}

/**
 * Deletes every edit's folder that holds none of `kept` (the attachments of saved drafts): copies
 * left by a compose that was discarded, or lost with its window before it was saved.
 */
export async function removeEditCopiesExcept(edits: string, kept: readonly string[]): Promise<void> {
  const keep = new Set(kept.map((p) => path.dirname(path.resolve(p))));
  const folders = await fsp.readdir(edits).catch(() => [] as string[]);
  for (const name of folders) {
    const folder = path.join(path.resolve(edits), name);
    if (!keep.has(folder)) await fsp.rm(folder, { recursive: true, force: true });
  }
}
