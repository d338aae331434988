import { describe, expect, it } from 'vitest';
import {
  describeCapabilities,
  parseCapabilities,
  type Capabilities,
} from '../../../main/smtp/capabilities.ts';

const NOTHING: Capabilities = { auth: [], pipelining: false, smtputf8: false, starttls: false };

describe('parseCapabilities (EHLO reply lines, without the 250 code)', () => {
  it.each<[string, string[], Capabilities]>([
    [
      'a full list',
      [
        'mx.example.org greets you',
        'PIPELINING',
        'SIZE 10240000',
        'AUTH PLAIN LOGIN',
        'SMTPUTF8',
        'STARTTLS',
      ],
      { size: 10_240_000, auth: ['PLAIN', 'LOGIN'], pipelining: true, smtputf8: true, starttls: true },
    ],
    ['only the greeting name', ['mx.example.org'], NOTHING],
    ['the greeting name is not an extension', ['STARTTLS'], NOTHING],
    [
      'keywords in any case, mechanisms upper-cased',
      ['mx', 'size 500', 'auth plain cram-md5', 'starttls'],
      { ...NOTHING, size: 500, auth: ['PLAIN', 'CRAM-MD5'], starttls: true },
    ],
    ['a keyword only as a whole word', ['mx', 'AUTHX PLAIN', 'SIZEX 5', 'STARTTLSX', 'PIPELINING2'], NOTHING],
    ['SIZE without a number announces no limit', ['mx', 'SIZE'], NOTHING],
    ['the old AUTH=LOGIN form is not the AUTH extension', ['mx', 'AUTH=LOGIN'], NOTHING],
    [
      'spaces around a line',
      ['mx', '  PIPELINING  ', ' SMTPUTF8'],
      { ...NOTHING, pipelining: true, smtputf8: true },
    ],
    ['AUTH with no mechanisms', ['mx', 'AUTH'], NOTHING],
  ])('%s', (_name, lines, expected) => {
    expect(parseCapabilities(lines)).toEqual(expected);
  });
});

describe('describeCapabilities', () => {
  it.each<[Capabilities, string]>([
    [NOTHING, 'The server accepts no size limit announced; no sign-in offered.'],
    [
      { size: 1000, auth: ['PLAIN', 'LOGIN'], pipelining: true, smtputf8: true, starttls: true },
      'The server accepts messages up to 1000 bytes; sign-in with PLAIN, LOGIN; PIPELINING; SMTPUTF8; STARTTLS.',
    ],
    [
      { ...NOTHING, size: 0, starttls: true },
      'The server accepts no size limit announced; no sign-in offered; STARTTLS.',
    ],
  ])('%j', (capabilities, sentence) => {
    expect(describeCapabilities(capabilities)).toBe(sentence);
  });
});
