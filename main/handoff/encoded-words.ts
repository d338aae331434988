// RFC 2047 §2: =?charset?encoding?encoded-text?= (RFC 2231 §5 adds an optional *language).
const ENCODED_WORD = /=\?([^?*\s]+)(?:\*[^?\s]*)?\?([BbQq])\?([^?\s]*)\?=/g;
// RFC 2047 §6.2: white space between two adjacent encoded-words is not shown.
const BETWEEN_WORDS = /(\?=)\s+(?==\?)/g;

function wordBytes(encoding: string, text: string): Uint8Array {
  if (encoding.toUpperCase() === 'B') return Uint8Array.from(Buffer.from(text, 'base64'));
  // Q (RFC 2047 §4.2): `_` is a space, =XX an octet.
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(text[i] === '_' ? 0x20 : text.charCodeAt(i) & 0xff);
    }
  }
  return Uint8Array.from(bytes);
}

/**
 * Decodes RFC 2047 encoded-words, which RFC 6068 §6.3 allows in a mailto: subject
 * (`=?utf-8?Q?caf=C3=A9?=` is "café"), as Thunderbird does. A word in a charset this runtime does not
 * know, or whose bytes are not text in it, is left as it was written.
 */
export function decodeEncodedWords(text: string): string {
  if (!text.includes('=?')) return text;
  return text
    .replace(BETWEEN_WORDS, '$1')
    .replace(ENCODED_WORD, (word, charset: string, encoding: string, data: string) => {
      try {
        return new TextDecoder(charset, { fatal: true }).decode(wordBytes(encoding, data));
      } catch {
        return word;
      }
    });
}
