import fsp from 'node:fs/promises';
import path from 'node:path';
import type { AddressObject } from 'mailparser';
import type { DraftContent } from '../../preload/contract/compose.ts';
import { ensureDir } from './atomic-file.ts';
import type { QueueRecord } from './queue-record.ts';
import type { QueueStore } from './queue-store.ts';

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list
    .flatMap((a) => a.value)
    .map((m) => (m.name ? `${m.name} <${m.address ?? ''}>` : (m.address ?? '')));
}

/** A file name that stays inside its folder and does not collide with one already taken. */
function safeName(name: string | undefined, taken: Set<string>): string {
  const base = path.basename(name ?? '').replace(/[\0/\\]/g, '_') || 'attachment';
  let candidate = base;
  for (let n = 2; taken.has(candidate.toLowerCase()); n++) {
    const ext = path.extname(base);
    candidate = `${path.basename(base, ext)} (${n})${ext}`;
  }
  taken.add(candidate.toLowerCase());
  return candidate;
}

/**
 * Turns a queued message back into a draft. Attachments are taken from the stored message (the
 * originals may be gone) into a folder of their own under the data folder.
 */
export async function draftFromStored(store: QueueStore, record: QueueRecord): Promise<DraftContent> {
  // Loaded on first use: parsing is only needed when a message goes back to compose.
  const { simpleParser } = await import('mailparser');
  const parsed = await simpleParser(store.openBytes(record.id));
  const dir = path.join(store.paths.edits, record.id);
  await ensureDir(dir);
  const taken = new Set<string>();
  const attachments: { path: string }[] = [];
  for (const attachment of parsed.attachments) {
    const file = path.join(dir, safeName(attachment.filename, taken));
    await fsp.writeFile(file, attachment.content, { mode: 0o600 });
    attachments.push({ path: file });
  }
  const replyTo = addresses(parsed.replyTo)[0];
  return {
    accountId: record.accountId,
    from: record.from,
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    bcc: record.recipients.filter((r) => r.kind === 'bcc').map((r) => r.address),
    ...(replyTo ? { replyTo } : {}),
    subject: record.subject,
    ...(parsed.text ? { text: parsed.text } : {}),
    ...(typeof parsed.html === 'string' ? { html: parsed.html } : {}),
    attachments,
    ...(record.sendAt ? { sendAt: record.sendAt } : {}),
  };
}
