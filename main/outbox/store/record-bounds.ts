import { MAX_RECIPIENTS } from '../../../preload/contract/compose.ts';
import { MAX_LINE_LENGTH } from '../../../preload/contract/primitives.ts';
import { MAX_HEADER_BYTES } from './queue-log-format.ts';
import type { QueueRecord } from './queue-record.ts';

/**
 * Every text a queue record keeps has a bound, so that a record (and the sent record a removal
 * carries) always fits in one frame of the queue log, whatever the message or the server says. The
 * recipients are bounded by the contract's MAX_RECIPIENTS at enqueue; the rest is clipped here. What is sent
 * is never clipped: these are the record's copies, for lists and for telling the user what happened.
 * The proof that the worst case fits is test/unit/outbox/store/record-bounds.test.ts.
 */

/** Subject and From are for lists; the message's own header is in its bytes. RFC 5322 §2.1.1. */
export const MAX_DISPLAY_CHARS = MAX_LINE_LENGTH;
/**
 * RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets. Counted as the record stores it (UTF-8
 * JSON, escapes included), so a reply full of control characters cannot take six times as much.
 */
export const MAX_REPLY_JSON_BYTES = 512;
/** An error's sentence may quote a reply; two of them is plenty. */
export const MAX_ERROR_MESSAGE_CHARS = 1024;

const ELLIPSIS = '…';
const ELLIPSIS_JSON_BYTES = 3;
const SHORT_ESCAPES = new Set([0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x22, 0x5c]);

/** The bytes one code point takes in JSON.stringify's output, encoded as UTF-8. */
function jsonBytesOf(codePoint: number): number {
  if (SHORT_ESCAPES.has(codePoint)) return 2;
  if (codePoint < 0x20) return 6;
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  // A lone surrogate comes out as a \uXXXX escape (well-formed JSON.stringify).
  if (codePoint >= 0xd800 && codePoint <= 0xdfff) return 6;
  return codePoint < 0x10000 ? 3 : 4;
}

/** The bytes `text` takes in JSON.stringify's output as UTF-8, quotes not counted. */
export function jsonBytes(text: string): number {
  let bytes = 0;
  for (const char of text) bytes += jsonBytesOf(char.codePointAt(0) ?? 0);
  return bytes;
}

/**
 * `text`, or as much of it as fits with an ellipsis after it: at most `maxChars` UTF-16 units, and
 * at most `maxJsonBytes` as stored (see `jsonBytes`). Never splits a surrogate pair.
 */
export function clipText(text: string, limit: { maxChars?: number; maxJsonBytes?: number }): string {
  const maxChars = limit.maxChars ?? Infinity;
  const maxBytes = limit.maxJsonBytes ?? Infinity;
  // Six bytes is the most a UTF-16 unit can take, so short texts need no count.
  if (text.length <= maxChars && text.length * 6 <= maxBytes) return text;
  let chars = 0;
  let bytes = 0;
  let cut: number | undefined;
  for (const char of text) {
    const nextChars = chars + char.length;
    const nextBytes = bytes + jsonBytesOf(char.codePointAt(0) ?? 0);
    if (cut === undefined && (nextChars + 1 > maxChars || nextBytes + ELLIPSIS_JSON_BYTES > maxBytes)) {
      cut = chars;
    }
    if (nextChars > maxChars || nextBytes > maxBytes) return text.slice(0, cut) + ELLIPSIS;
    chars = nextChars;
    bytes = nextBytes;
  }
  return text;
}

export const clipDisplay = (text: string) => clipText(text, { maxChars: MAX_DISPLAY_CHARS });
export const clipReply = (reply: string) => clipText(reply, { maxJsonBytes: MAX_REPLY_JSON_BYTES });

/** Room a frame keeps beside the record: the entry around it, `,"reply":""` per recipient. */
const FRAME_SLACK_BYTES = 4096;
const REPLY_FIELD_BYTES = 11;

/**
 * The bytes each recipient's reply may take as JSON: the whole reply line, as the proof allows up to
 * MAX_RECIPIENTS recipients. A record an earlier build queued with more must not outgrow its frame
 * as their refusals come in: its replies share what the rest of it leaves, and when that is too
 * little for an ellipsis they are not kept.
 */
export function replyBudget(record: QueueRecord): number {
  const count = record.recipients.length;
  if (count <= MAX_RECIPIENTS) return MAX_REPLY_JSON_BYTES;
  const recipients = record.recipients.map(({ reply: _reply, ...rest }) => rest);
  const rest = Buffer.byteLength(JSON.stringify({ ...record, recipients }));
  const share = Math.floor((MAX_HEADER_BYTES - FRAME_SLACK_BYTES - rest) / count) - REPLY_FIELD_BYTES;
  return Math.min(MAX_REPLY_JSON_BYTES, share);
}

const clipRecipientReply = (reply: string, maxJsonBytes: number): string | undefined =>
  maxJsonBytes < ELLIPSIS_JSON_BYTES ? undefined : clipText(reply, { maxJsonBytes });

/** The record with each of its texts within its bound. */
export function boundedRecord(record: QueueRecord): QueueRecord {
  const { lastReply, lastError } = record;
  const budget = replyBudget(record);
  return {
    ...record,
    from: clipDisplay(record.from),
    subject: clipDisplay(record.subject),
    recipients: record.recipients.map(({ reply, ...r }) => {
      const kept = reply === undefined ? undefined : clipRecipientReply(reply, budget);
      return kept === undefined ? r : { ...r, reply: kept };
    }),
    ...(lastReply === undefined ? {} : { lastReply: clipReply(lastReply) }),
    ...(lastError === undefined
      ? {}
      : {
          lastError: {
            ...lastError,
            message: clipText(lastError.message, { maxChars: MAX_ERROR_MESSAGE_CHARS }),
          },
        }),
  };
}
