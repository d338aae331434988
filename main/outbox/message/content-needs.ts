// What a message asks of the server, and whether it must be reworked to go out, without the
// rework itself (transfer-encoding.ts): enqueueing loads the rework only for a message that needs it.

/** RFC 5321 §4.5.3.1.6: a line of text is at most 998 octets before its CRLF. */
export const MAX_LINE_OCTETS = 998;

/** Whether some line of the text (latin1, CRLF line endings) is longer than the limit. */
export function hasLongLine(text: string): boolean {
  let start = 0;
  for (;;) {
    const end = text.indexOf('\r\n', start);
    if ((end < 0 ? text.length : end) - start > MAX_LINE_OCTETS) return true;
    if (end < 0) return false;
    start = end + 2;
  }
}

/** What a message asks of the server, read once from its bytes. */
export interface ContentNeeds {
  /** A byte after the header section is outside ASCII: the body needs 8BITMIME (RFC 6152). */
  readonly eightBitBody: boolean;
  /** The header section holds raw UTF-8 (RFC 6532): it needs SMTPUTF8 (RFC 6531) or encoded words. */
  readonly utf8Header: boolean;
}

export function contentNeeds(message: Buffer): ContentNeeds {
  const end = message.indexOf('\r\n\r\n');
  const head = end < 0 ? message : message.subarray(0, end);
  const body = end < 0 ? Buffer.alloc(0) : message.subarray(end + 4);
  return { eightBitBody: body.some((b) => b >= 0x80), utf8Header: head.some((b) => b >= 0x80) };
}

/** What to rework besides lines over the limit, which are always re-encoded. */
export interface Downgrade {
  /** No 8BITMIME: every body part in 7 bits. */
  readonly sevenBitBody: boolean;
  /** No SMTPUTF8: the header section in ASCII. */
  readonly asciiHeader: boolean;
}

/** 8-bit and UTF-8 kept, as for a server that takes them (and at enqueue, before any server is known). */
export const AS_IS: Downgrade = { sevenBitBody: false, asciiHeader: false };

/**
 * Whether fitForTransport (transfer-encoding.ts) would change the message: a line over the limit,
 * measured with every line ending as the CRLF it goes out as, or what `downgrade` must rework.
 */
export function needsRework(message: Buffer, downgrade: Downgrade): boolean {
  return (
    hasLongLine(message.toString('latin1').replace(/\r?\n/g, '\r\n')) ||
    (downgrade.sevenBitBody && contentNeeds(message).eightBitBody) ||
    (downgrade.asciiHeader && contentNeeds(message).utf8Header)
  );
}
