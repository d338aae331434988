import { AppError } from '../errors/app-error.ts';

const HEX_PAIR = /^[0-9A-Fa-f]{2}$/;
const utf8 = new TextEncoder();

/**
 * Percent-decodes `text` as UTF-8 (RFC 6068 §2, RFC 3986 §2.1). `+` stays a plus: in a mailto: URI
 * it is not a space (RFC 6068 §5). A `%` without two hex digits after it stays as it is, as
 * Thunderbird's and the WHATWG URL standard's decoders leave it; octets that are not UTF-8 are
 * refused rather than turned into U+FFFD, so no decoded text differs unseen from what was sent.
 */
export function percentDecode(text: string, field: string): string {
  if (!text.includes('%')) return text;
  try {
    // The fast path: decodeURIComponent refuses a stray % and invalid UTF-8 alike, so only
    // text with one of them takes the slow path below, which tells the two apart.
    return decodeURIComponent(text);
  } catch {
    return decodeSlowly(text, field);
  }
}

function decodeSlowly(text: string, field: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < text.length;) {
    const pair = text.slice(i + 1, i + 3);
    if (text[i] === '%' && HEX_PAIR.test(pair)) {
      bytes.push(Number.parseInt(pair, 16));
      i += 3;
    } else {
      const codePoint = text.codePointAt(i) ?? 0;
      const char = String.fromCodePoint(codePoint);
      bytes.push(...utf8.encode(char));
      i += char.length;
    }
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(new Uint8Array(bytes));
  } catch (cause) {
    throw new AppError('handoff_invalid', `${field}: the percent-encoded text is not UTF-8.`, {
      field,
      cause,
    });
  }
}
