import { isUtf8 } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { AppError } from '../errors/app-error.ts';
import { usageError } from './exit-codes.ts';

const LF = 0x0a;

/** The 1-based line of the first bytes that are not UTF-8; a line feed is never inside a UTF-8 sequence. */
function firstLineNotUtf8(bytes: Uint8Array): number {
  let line = 1;
  for (let start = 0; start <= bytes.length; line++) {
    const end = bytes.indexOf(LF, start);
    const stop = end < 0 ? bytes.length : end;
    if (!isUtf8(bytes.subarray(start, stop))) return line;
    start = stop + 1;
  }
  return line;
}

function decoderFor(charset: string): TextDecoder {
  try {
    // ignoreBOM keeps a byte order mark as the text had it, as reading the file as UTF-8 did.
    return new TextDecoder(charset, { fatal: true, ignoreBOM: true });
  } catch {
    throw usageError(
      `--charset: ${JSON.stringify(charset)} is not a character set name this Node.js knows, such as utf-8, iso-8859-15, windows-1252 or shift_jis`,
    );
  }
}

/**
 * A body file's text. Without `charset` it must be UTF-8: replacing bytes that are not with U+FFFD,
 * as a plain UTF-8 read does, would send text nobody wrote. With one, the bytes are read in that
 * character set (a WHATWG Encoding Standard label, as TextDecoder takes it).
 */
export function decodeText(bytes: Uint8Array, source: string, charset: string | undefined): string {
  if (charset === undefined) {
    if (isUtf8(bytes)) return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    throw new AppError(
      'text_not_utf8',
      `${source} is not UTF-8 text (line ${firstLineNotUtf8(bytes)}); give its character set with --charset, e.g. --charset windows-1252.`,
    );
  }
  const decoder = decoderFor(charset);
  try {
    return decoder.decode(bytes);
  } catch {
    throw new AppError('invalid_input', `${source} is not text in the character set ${decoder.encoding}.`);
  }
}
