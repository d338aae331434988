import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { rewriteFrom, sizeWithFrom } from '../../../../main/outbox/message/from-rewrite.ts';

const NEW = 'From: =?UTF-8?Q?N=C3=A9w?= <new@example.org>';
/** The message in chunks of `size` bytes, so the end of the headers may fall anywhere. */
const chunks = (message: Buffer, size: number) =>
  Readable.from(
    Array.from({ length: Math.ceil(message.length / size) }, (_, i) =>
      message.subarray(i * size, (i + 1) * size),
    ),
  );

describe('rewriting the From field of a stored message', () => {
  const body = Buffer.concat([
    Buffer.from('\r\nbody line\r\nFrom: not a header\r\n'),
    Buffer.from([0xff, 0x00]),
  ]);
  const cases: [string, string, string][] = [
    [
      'a folded From among other fields',
      'To: a@b.c\r\nFrom: "Old,\r\n Name" <old@example.org>\r\nSubject: s\r\n',
      `To: a@b.c\r\n${NEW}\r\nSubject: s\r\n`,
    ],
    ['From first', 'From: old@example.org\r\nSubject: s\r\n', `${NEW}\r\nSubject: s\r\n`],
    ['no From at all', 'Subject: s\r\n', `${NEW}\r\nSubject: s\r\n`],
    [
      '8-bit bytes in another field',
      'Subject: Grüße\r\nfrom: old@example.org\r\n',
      `Subject: Grüße\r\n${NEW}\r\n`,
    ],
  ];

  it.each(cases)('%s: only that field changes, whatever the chunking', async (_name, head, expected) => {
    const message = Buffer.concat([Buffer.from(head), body]);
    const wanted = Buffer.concat([Buffer.from(expected), body]);
    for (const size of [1, 7, 64, message.length]) {
      expect((await buffer(rewriteFrom(chunks(message, size), NEW))).equals(wanted)).toBe(true);
      expect(await sizeWithFrom(chunks(message, size), NEW, message.length)).toBe(wanted.length);
    }
  });

  it('closes the stored stream when the rewritten one is torn down part way', async () => {
    const source = chunks(
      Buffer.concat([Buffer.from('From: old@example.org\r\n'), body, Buffer.alloc(200_000)]),
      1000,
    );
    const rewritten = rewriteFrom(source, NEW);
    await new Promise((resolve) => rewritten.once('data', resolve));
    rewritten.destroy();
    await new Promise((resolve) => rewritten.once('close', resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.destroyed).toBe(true);
  });

  it('refuses a message whose header section never ends', async () => {
    const endless = Readable.from(Array.from({ length: 20 }, () => Buffer.alloc(64 * 1024, 'x')));
    await expect(buffer(rewriteFrom(endless, NEW))).rejects.toThrow(/no end to its header section/);
  });
});
