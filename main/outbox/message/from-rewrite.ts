import { Readable } from 'node:stream';

/** A header section longer than this is not a message we wrote. */
const HEADER_LIMIT = 1024 * 1024;
const END_OF_HEADERS = Buffer.from('\r\n\r\n');

interface Split {
  /** The header section, through the CRLF that ends its last field. */
  readonly head: Buffer;
  /** What followed it in the chunk that held the blank line. */
  readonly tail: Buffer;
  readonly rest: AsyncIterator<Buffer>;
}

async function splitHeader(source: Readable): Promise<Split> {
  const rest = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  let read = Buffer.alloc(0);
  for (;;) {
    const next = await rest.next();
    if (next.done) throw new Error('The stored message has no end to its header section.');
    read = Buffer.concat([read, next.value]);
    const end = read.indexOf(END_OF_HEADERS);
    if (end >= 0) return { head: read.subarray(0, end + 2), tail: read.subarray(end + 2), rest };
    if (read.length > HEADER_LIMIT) throw new Error('The stored message has no end to its header section.');
  }
}

/**
 * The header section with its From field (folded lines included) replaced by `field`, a whole
 * "From: …" line without its CRLF. Other fields keep their bytes (latin1 maps each byte to itself).
 */
function replaceFrom(head: Buffer, field: string): Buffer {
  const fields = head.toString('latin1').split(/\r\n(?![ \t])/);
  const at = fields.findIndex((f) => /^from:/i.test(f));
  const before = fields.slice(0, Math.max(at, 0)).map((f) => `${f}\r\n`);
  const after = fields.slice(at + 1).join('\r\n');
  return Buffer.concat([
    Buffer.from(before.join(''), 'latin1'),
    Buffer.from(`${field}\r\n`, 'utf8'),
    Buffer.from(after, 'latin1'),
  ]);
}

/**
 * The message with another From field: a message moved to another account goes out in that
 * account's name. Only the header section is held in memory.
 */
export function rewriteFrom(source: Readable, field: string): Readable {
  return Readable.from(
    (async function* () {
      // Torn down early (a failed attempt), the stored stream must close too: it may hold a file.
      try {
        const { head, tail, rest } = await splitHeader(source);
        yield replaceFrom(head, field);
        if (tail.length > 0) yield tail;
        for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
      } finally {
        source.destroy();
      }
    })(),
    { objectMode: false },
  );
}

/** The size of stored bytes of `storedSize` once their From field is `field`; reads only the header section. */
export async function sizeWithFrom(source: Readable, field: string, storedSize: number): Promise<number> {
  const { head } = await splitHeader(source).finally(() => source.destroy());
  return storedSize - head.length + replaceFrom(head, field).length;
}
