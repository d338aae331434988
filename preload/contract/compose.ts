import { z } from 'zod';
import { filePath, headerText, id, isoTime } from './primitives.ts';
import { lazySchema } from './lazy-schema.ts';

/** One address as typed by a person: `a@example.org` or `Ann <a@example.org>`. Parsed strictly in main. */
export const addressText = lazySchema(() => headerText().pipe(z.string().trim().min(1, 'must not be empty')));

/** A file the user chose (picked, dropped, or main's own copy): main refuses any other path. */
export const attachmentRef = lazySchema(() => z.object({ path: filePath }));

/**
 * Recipients of one message, To, Cc and Bcc together, whichever door it comes in by. RFC 5321
 * §4.5.3.1.8 only promises 100 per transaction; servers commonly take 500 to 1000 (Postfix's
 * smtpd_recipient_limit is 1000). It also bounds the queue record, which keeps a reply per recipient.
 */
export const MAX_RECIPIENTS = 1000;

/** The refusal of a message with more than MAX_RECIPIENTS recipients, the same sentence at every door. */
export const tooManyRecipients = (count: number) =>
  `This message has ${count} recipients; Outbox sends at most ${MAX_RECIPIENTS} in one message.`;

/**
 * Message ids in a reply's References: a long thread's are trimmed to its first and latest (RFC
 * 5322 §3.6.4 lets the list be shortened; the root and the parent matter most for threading).
 */
export const MAX_REFERENCES = 100;

/** "Don't send if more than N minutes late": from a minute to a year. */
export const MAX_LATE_LIMIT_MINUTES = 525_600;
export const lateLimitMinutes = lazySchema(() => z.number().int().min(1).max(MAX_LATE_LIMIT_MINUTES));

// No length check per list: its issue would stop the check of the total, which names the rule.
const recipientList = lazySchema(() => z.array(addressText).default([]));

/** What the compose window sends to the outbox. Attachments are paths; main embeds their bytes at enqueue. */
export const composeRequest = lazySchema(() =>
  z
    .object({
      accountId: id,
      /** An alias of the account; the account's own address when absent. */
      from: addressText.optional(),
      to: recipientList,
      cc: recipientList,
      bcc: recipientList,
      replyTo: addressText.optional(),
      /** Trimmed: edge whitespace does not survive RFC 5322 (a blank Subject is dropped), so keep what recipients see. */
      subject: headerText().pipe(z.string().trim()).default(''),
      text: z.string().max(20_000_000).optional(),
      html: z.string().max(20_000_000).optional(),
      attachments: z.array(attachmentRef).max(100).default([]),
      /** Send later: a wall-clock time. A time in the past means "now". */
      sendAt: isoTime.optional(),
      /** With sendAt: hold the message rather than send it more than this late (Outbox was not running). */
      lateLimitMinutes: lateLimitMinutes.optional(),
      /** The Message-ID this replies to (RFC 5322 §3.6.4); References follows it when not given. */
      inReplyTo: headerText().optional(),
      references: z.array(headerText()).max(MAX_REFERENCES).optional(),
      /** The draft this message was composed from, removed once the message is queued. */
      draftId: id.optional(),
    })
    .superRefine((request, context) => {
      const count = request.to.length + request.cc.length + request.bcc.length;
      if (count > MAX_RECIPIENTS) {
        context.addIssue({
          code: 'custom',
          message: tooManyRecipients(count),
          params: { code: 'too_many_recipients' },
        });
      }
    }),
);
export type ComposeRequest = z.infer<typeof composeRequest>;
export type ComposeInput = z.input<typeof composeRequest>;

/**
 * A draft's attachment. `addedBy: 'program'` marks a file another program handed Outbox (a mailto:
 * attach=, `outbox compose --attach`, the xdg-email hook) rather than one the user chose: compose
 * shows it as "added by another program" so the user sees what they did not pick (issue 18).
 */
export const draftAttachment = lazySchema(() =>
  attachmentRef.extend({ addedBy: z.enum(['program']).optional() }),
);
export type DraftAttachment = z.infer<typeof draftAttachment>;

const draftAddresses = () => z.array(z.string().max(998)).max(MAX_RECIPIENTS).default([]);

/** A draft is a compose request that need not be valid yet. */
export const draftContent = lazySchema(() =>
  z.object({
    accountId: z.string().max(128).optional(),
    from: z.string().max(998).optional(),
    // Each list may hold all a message may have: a message taken back for editing becomes a draft.
    to: draftAddresses(),
    cc: draftAddresses(),
    bcc: draftAddresses(),
    replyTo: z.string().max(998).optional(),
    subject: z.string().max(998).default(''),
    text: z.string().max(20_000_000).optional(),
    html: z.string().max(20_000_000).optional(),
    attachments: z.array(draftAttachment).max(100).default([]),
    sendAt: isoTime.optional(),
    /** Kept with sendAt so a scheduled message taken back and sent again keeps its limit. */
    lateLimitMinutes: lateLimitMinutes.optional(),
    /** A reply's thread (RFC 5322 §3.6.4), from a mailto: link or a message taken back. */
    inReplyTo: z.string().max(998).optional(),
    references: z.array(z.string().max(998)).max(MAX_REFERENCES).optional(),
  }),
);
export type DraftContent = z.infer<typeof draftContent>;

export const draft = lazySchema(() => z.object({ id, content: draftContent, updatedAt: isoTime }));
export type Draft = z.infer<typeof draft>;

export const attachmentInfo = lazySchema(() =>
  z.object({
    path: filePath,
    name: z.string(),
    size: z.number().int().nonnegative(),
  }),
);
export type AttachmentInfo = z.infer<typeof attachmentInfo>;
