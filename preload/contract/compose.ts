import { z } from 'zod';
import { filePath, headerText, id, isoTime } from './primitives.ts';

/** One address as typed by a person: `a@example.org` or `Ann <a@example.org>`. Parsed strictly in main. */
export const addressText = headerText().pipe(z.string().trim().min(1, 'must not be empty'));

/** A file the user chose (picked, dropped, or main's own copy): main refuses any other path. */
export const attachmentRef = z.object({ path: filePath });

/** What the compose window sends to the outbox. Attachments are paths; main embeds their bytes at enqueue. */
export const composeRequest = z.object({
  accountId: id,
  /** An alias of the account; the account's own address when absent. */
  from: addressText.optional(),
  to: z.array(addressText).max(500).default([]),
  cc: z.array(addressText).max(500).default([]),
  bcc: z.array(addressText).max(500).default([]),
  replyTo: addressText.optional(),
  /** Trimmed: edge whitespace does not survive RFC 5322 (a blank Subject is dropped), so keep what recipients see. */
  subject: headerText().pipe(z.string().trim()).default(''),
  text: z.string().max(20_000_000).optional(),
  html: z.string().max(20_000_000).optional(),
  attachments: z.array(attachmentRef).max(100).default([]),
  /** Send later: a wall-clock time. A time in the past means "now". */
  sendAt: isoTime.optional(),
  inReplyTo: headerText().optional(),
  references: z.array(headerText()).max(100).optional(),
  /** The draft this message was composed from, removed once the message is queued. */
  draftId: id.optional(),
});
export type ComposeRequest = z.infer<typeof composeRequest>;
export type ComposeInput = z.input<typeof composeRequest>;

/** A draft is a compose request that need not be valid yet. */
export const draftContent = z.object({
  accountId: z.string().max(128).optional(),
  from: z.string().max(998).optional(),
  to: z.array(z.string().max(998)).max(500).default([]),
  cc: z.array(z.string().max(998)).max(500).default([]),
  bcc: z.array(z.string().max(998)).max(500).default([]),
  replyTo: z.string().max(998).optional(),
  subject: z.string().max(998).default(''),
  text: z.string().max(20_000_000).optional(),
  html: z.string().max(20_000_000).optional(),
  attachments: z.array(attachmentRef).max(100).default([]),
  sendAt: isoTime.optional(),
});
export type DraftContent = z.infer<typeof draftContent>;

export const draft = z.object({ id, content: draftContent, updatedAt: isoTime });
export type Draft = z.infer<typeof draft>;

export const attachmentInfo = z.object({
  path: filePath,
  name: z.string(),
  size: z.number().int().nonnegative(),
});
export type AttachmentInfo = z.infer<typeof attachmentInfo>;
