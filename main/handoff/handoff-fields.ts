import { MAX_RECIPIENTS, tooManyRecipients } from '../../preload/contract/compose.ts';
import { errorOfIssues } from '../../preload/contract/errors.ts';
import { headerText } from '../../preload/contract/primitives.ts';
import { AppError } from '../errors/app-error.ts';
import { parseMailbox } from '../mail/address.ts';
import { attachmentPath } from './attachment-location.ts';
import type { ComposeRequest, HandoffSource } from './compose-request.ts';

/**
 * A handed message as a parser found it, decoded but not yet checked: each `to`, `cc` and `bcc`
 * item may be a comma-separated list, attachments are paths or file: URIs as written. This is the
 * one place both parsers (mailto.ts, thunderbird-compose.ts) turn one into a ComposeRequest, so a
 * mailto: link and a -compose argument are judged by the same rules.
 */
export type HandoffFields = ComposeRequest;

/**
 * The longest mailto: URL or -compose argument taken, in characters. Browsers pass on links of
 * megabytes; 64 KiB holds any message a link is fit to prefill (Windows' shell stops far shorter)
 * and keeps the checks below quick, so a 100 KB link fails at once with a clear error.
 */
export const MAX_HANDOFF_LENGTH = 65_536;
/** As many files as the compose window takes (the contract's `attachments` limit). */
export const MAX_HANDED_ATTACHMENTS = 100;

export function assertHandoffLength(text: string, what: string): void {
  if (text.length > MAX_HANDOFF_LENGTH) {
    throw new AppError(
      'handoff_invalid',
      `This ${what} is ${text.length} characters long; Outbox takes at most ${MAX_HANDOFF_LENGTH}.`,
    );
  }
}

/**
 * The entries of an address list, split at commas outside quotes and angle brackets, so that
 * `"Doe, Ann" <ann@example.org>` stays one entry. Empty entries (`a@b,` as xdg-email writes them)
 * are dropped. Unlike the compose field's paste splitter, a line break separates nothing: it stays
 * in its entry, which is then refused as header_injection (RFC 6068 §2 separates with commas only).
 */
export function addressEntries(list: string): string[] {
  const entries: string[] = [];
  let current = '';
  let quoted = false;
  let bracketed = false;
  for (let i = 0; i < list.length; i++) {
    const char = list.charAt(i);
    if (quoted && char === '\\') {
      current += char + list.charAt(++i);
      continue;
    }
    if (char === '"' && !bracketed) quoted = !quoted;
    else if (char === '<' && !quoted) bracketed = true;
    else if (char === '>' && !quoted) bracketed = false;
    if (char === ',' && !quoted && !bracketed) {
      entries.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  entries.push(current);
  return entries.map((entry) => entry.trim()).filter((entry) => entry !== '');
}

// RFC 5322 §2.2.3: a header field's line breaks, with the folding white space after them.
const LINE_BREAKS = /(?:\r\n|\r|\n)[ \t]*/g;

/**
 * A handed subject on one line. Thunderbird does not refuse a mailto: link whose subject holds a
 * line break: its compose window's subject is a single-line input, whose value sanitisation strips
 * them (HTML Living Standard §4.10.5.1.2, "strip newlines"). Outbox too keeps the link working
 * and the line breaks out of the header, but folds each to one space so words stay apart. NUL is
 * still refused, by the contract's header rule.
 */
function oneLineSubject(subject: string): string {
  return subject.replace(LINE_BREAKS, ' ');
}

/** The contract's header rule (no CR, LF or NUL; at most 998 characters), with the bridge's own code. */
function assertHeaderText(value: string, field: string): void {
  const parsed = headerText().safeParse(value);
  if (parsed.success) return;
  const error = errorOfIssues(parsed.error);
  throw new AppError(error.code, `${field}: ${error.message}`, { field });
}

// RFC 5322 §3.6.4 msg-id: one identifier in angle brackets.
const MSG_ID = /^<[^\s<>]+>$/;

function checkedInReplyTo(value: string): string {
  const id = value.trim();
  assertHeaderText(id, 'in-reply-to');
  if (!MSG_ID.test(id)) {
    throw new AppError(
      'handoff_invalid',
      `in-reply-to: ${JSON.stringify(id)} is not a message ID like <id@host>.`,
      {
        field: 'in-reply-to',
      },
    );
  }
  return id;
}

function checkedBody(body: string): string {
  if (body.includes('\0')) {
    throw new AppError('handoff_invalid', 'body: the text must not contain NUL characters.', {
      field: 'body',
    });
  }
  // Plain text in Outbox has LF line breaks; the composer writes CRLF on the wire (RFC 5322 §2.3).
  return body.replace(/\r\n?/g, '\n');
}

function checkedAddresses(lists: readonly string[], field: string): string[] {
  const entries = lists.flatMap(addressEntries);
  entries.forEach((entry, index) => parseMailbox(entry, `${field}.${index}`));
  return entries;
}

function checkedAttachments(values: readonly string[], source: HandoffSource): string[] {
  // "Mailto: Me Your Secrets": a web page must never name a file to attach. Dropped, not refused,
  // so the link still opens a compose window with everything else it asked for.
  if (source === 'link') return [];
  if (values.length > MAX_HANDED_ATTACHMENTS) {
    throw new AppError(
      'handoff_invalid',
      `This message names ${values.length} files to attach; Outbox takes at most ${MAX_HANDED_ATTACHMENTS}.`,
      { field: 'attachments' },
    );
  }
  return values.map((value, index) => attachmentPath(value, `attachments.${index}`));
}

/** The checked request for `fields`, or an AppError naming the first thing wrong with them. */
export function composeRequestOf(fields: HandoffFields, source: HandoffSource): ComposeRequest {
  const count = [...fields.to, ...fields.cc, ...fields.bcc].flatMap(addressEntries).length;
  if (count > MAX_RECIPIENTS) {
    throw new AppError('too_many_recipients', tooManyRecipients(count), { field: 'recipients' });
  }
  const request: {
    -readonly [K in keyof ComposeRequest]: ComposeRequest[K];
  } = {
    to: checkedAddresses(fields.to, 'to'),
    cc: checkedAddresses(fields.cc, 'cc'),
    bcc: checkedAddresses(fields.bcc, 'bcc'),
    attachments: checkedAttachments(fields.attachments, source),
  };
  if (fields.subject !== undefined) {
    const subject = oneLineSubject(fields.subject);
    assertHeaderText(subject, 'subject');
    request.subject = subject;
  }
  if (fields.body !== undefined) request.body = checkedBody(fields.body);
  if (fields.inReplyTo !== undefined && fields.inReplyTo.trim() !== '') {
    request.inReplyTo = checkedInReplyTo(fields.inReplyTo);
  }
  return request;
}
