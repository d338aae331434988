import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import {
  AS_IS,
  contentNeeds,
  fitForTransport,
  MAX_LINE_OCTETS,
} from '../../../../main/outbox/message/transfer-encoding.ts';

const crlf = (lines: readonly string[]) => Buffer.from(lines.join('\r\n'), 'utf8');
const SEVEN_BIT = { sevenBitBody: true, asciiHeader: true };
const longest = (bytes: Buffer) =>
  Math.max(
    ...bytes
      .toString('latin1')
      .split('\r\n')
      .map((l) => l.length),
  );

describe('contentNeeds', () => {
  it('tells 8-bit bodies from UTF-8 headers', () => {
    expect(contentNeeds(crlf(['Subject: hi', '', 'hi', '']))).toEqual({
      eightBitBody: false,
      utf8Header: false,
    });
    expect(contentNeeds(crlf(['Subject: hi', '', 'hé', '']))).toEqual({
      eightBitBody: true,
      utf8Header: false,
    });
    expect(contentNeeds(crlf(['Subject: hé', '', 'hi', '']))).toEqual({
      eightBitBody: false,
      utf8Header: true,
    });
  });
});

describe('fitForTransport', () => {
  it('gives back the very bytes when nothing needs rework', () => {
    const message = crlf(['Subject: hé', '', 'Café', '']);
    expect(fitForTransport(message, AS_IS)).toBe(message);
  });

  it('measures lines ended by a bare LF as they go out, in CRLF (records of older builds)', async () => {
    const lines = ['Subject: older', '', ...Array.from({ length: 100 }, () => 'The quick brown fox.'), ''];
    const lf = Buffer.from(lines.join('\n'), 'latin1');
    expect(fitForTransport(lf, SEVEN_BIT)).toBe(lf);
    const eightBit = Buffer.from(['Subject: older', '', 'Café au lait.', ''].join('\n'), 'utf8');
    const fitted = fitForTransport(eightBit, SEVEN_BIT);
    expect(contentNeeds(fitted).eightBitBody).toBe(false);
    expect((await simpleParser(fitted)).text?.trim()).toBe('Café au lait.');
  });

  it('encodes a nested message/rfc822 part inside, never the part itself (RFC 2046 §5.2.1)', async () => {
    const message = crlf([
      'Subject: fwd',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary=outer',
      '',
      '--outer',
      'Content-Type: message/rfc822',
      '',
      'Subject: inner',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
      '',
      `Größe ${'y'.repeat(2000)}`,
      '--outer--',
      '',
    ]);
    const fitted = fitForTransport(message, SEVEN_BIT);
    expect(fitted.some((b) => b >= 0x80)).toBe(false);
    expect(longest(fitted)).toBeLessThanOrEqual(MAX_LINE_OCTETS);
    expect(fitted.toString('latin1')).toContain('Content-Type: message/rfc822\r\n\r\nSubject: inner');
    const inner = (await simpleParser(fitted)).attachments[0]?.content ?? Buffer.alloc(0);
    expect((await simpleParser(inner)).text).toBe(`Größe ${'y'.repeat(2000)}`);
  });

  it('writes a part header in ASCII for a 7-bit server: an RFC 2231 file name', async () => {
    const message = crlf([
      'Subject: file',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: application/pdf',
      'Content-Disposition: attachment; filename="Prüfbericht.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      'JVBERi0=',
      '--b--',
      '',
    ]);
    const fitted = fitForTransport(message, SEVEN_BIT);
    expect(fitted.some((b) => b >= 0x80)).toBe(false);
    expect((await simpleParser(fitted)).attachments[0]?.filename).toBe('Prüfbericht.pdf');
  });

  it('refuses a long line it cannot re-encode, with line_too_long', () => {
    const message = crlf([
      'Subject: qp',
      'Content-Type: text/plain',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'q'.repeat(1200),
      '',
    ]);
    expect(() => fitForTransport(message, AS_IS)).toThrow(expect.objectContaining({ code: 'line_too_long' }));
  });

  it('refuses an address with a non-ASCII local part for a server without SMTPUTF8', () => {
    const message = crlf(['From: Jörg <jörg@example.net>', 'Subject: hi', '', 'hi', '']);
    const fit = () => fitForTransport(message, SEVEN_BIT);
    expect(fit).toThrow(expect.objectContaining({ code: 'smtputf8_unsupported' }));
    expect(fit).toThrow(/the address jörg@example\.net in its From field/);
  });

  it('writes an IDN domain as an A-label and a display name as encoded words', async () => {
    const message = crlf(['From: Zoë <zoe@bücher.example>', 'Subject: hi', '', 'hi', '']);
    const fitted = fitForTransport(message, SEVEN_BIT);
    expect(fitted.toString('latin1')).toContain('<zoe@xn--bcher-kva.example>');
    expect((await simpleParser(fitted)).from?.value).toEqual([
      // mailparser shows the A-label as the U-label again: nothing was lost.
      { name: 'Zoë', address: 'zoe@bücher.example' },
    ]);
  });
});
