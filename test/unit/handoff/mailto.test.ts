import { describe, expect, test } from 'vitest';
import { MAX_HANDOFF_LENGTH } from '../../../main/handoff/handoff-fields.ts';
import { parseMailto } from '../../../main/handoff/mailto.ts';
import { MAX_RECIPIENTS } from '../../../preload/contract/compose.ts';
import { refusalOf, request, type Row } from './support.ts';

// RFC 6068 §2 and every example of §6. The quoted local parts of §6.2 are valid RFC 5322 but
// refused by Outbox's one address rule (preload/contract/address.ts: RFC 5321 §4.1.2 asks hosts not
// to define such mailboxes), so they fail as they would typed into compose.
const RFC_6068: readonly Row[] = [
  // §2
  ['mailto:addr1@an.example,addr2@an.example', request({ to: ['addr1@an.example', 'addr2@an.example'] })],
  ['mailto:?to=addr1@an.example,addr2@an.example', request({ to: ['addr1@an.example', 'addr2@an.example'] })],
  ['mailto:addr1@an.example?to=addr2@an.example', request({ to: ['addr1@an.example', 'addr2@an.example'] })],
  // §6.1
  ['mailto:chris@example.com', request({ to: ['chris@example.com'] })],
  [
    'mailto:infobot@example.com?subject=current-issue',
    request({ to: ['infobot@example.com'], subject: 'current-issue' }),
  ],
  [
    'mailto:infobot@example.com?body=send%20current-issue',
    request({ to: ['infobot@example.com'], body: 'send current-issue' }),
  ],
  [
    'mailto:infobot@example.com?body=send%20current-issue%0D%0Asend%20index',
    request({ to: ['infobot@example.com'], body: 'send current-issue\nsend index' }),
  ],
  [
    'mailto:list@example.org?In-Reply-To=%3C3469A91.D10AF4C@example.com%3E',
    request({ to: ['list@example.org'], inReplyTo: '<3469A91.D10AF4C@example.com>' }),
  ],
  [
    'mailto:majordomo@example.com?body=subscribe%20bamboo-l',
    request({ to: ['majordomo@example.com'], body: 'subscribe bamboo-l' }),
  ],
  [
    'mailto:joe@example.com?cc=bob@example.com&body=hello',
    request({ to: ['joe@example.com'], cc: ['bob@example.com'], body: 'hello' }),
  ],
  // §6.1 calls this one not valid: the second "?" leaves cc "bob@example.com?body=hello".
  ['mailto:joe@example.com?cc=bob@example.com?body=hello', 'invalid_address'],
  ['mailto:gorby%25kremvax@example.com', request({ to: ['gorby%kremvax@example.com'] })],
  ['mailto:unlikely%3Faddress@example.com?blat=foop', request({ to: ['unlikely?address@example.com'] })],
  ['mailto:Mike%26family@example.org', request({ to: ['Mike&family@example.org'] })],
  // §6.2
  ['mailto:%22not%40me%22@example.org', 'invalid_address'],
  ['mailto:%22oh%5C%5Cno%22@example.org', 'invalid_address'],
  ["mailto:%22%5C%5C%5C%22it's%5C%20ugly%5C%5C%5C%22%22@example.org", 'invalid_address'],
  // §6.3
  ['mailto:user@example.org?subject=caf%C3%A9', request({ to: ['user@example.org'], subject: 'café' })],
  [
    'mailto:user@example.org?subject=%3D%3Futf-8%3FQ%3Fcaf%3DC3%3DA9%3F%3D',
    request({ to: ['user@example.org'], subject: 'café' }),
  ],
  [
    'mailto:user@example.org?subject=%3D%3Fiso-8859-1%3FQ%3Fcaf%3DE9%3F%3D',
    request({ to: ['user@example.org'], subject: 'café' }),
  ],
  [
    'mailto:user@example.org?subject=caf%C3%A9&body=caf%C3%A9',
    request({ to: ['user@example.org'], subject: 'café', body: 'café' }),
  ],
  [
    'mailto:user@%E7%B4%8D%E8%B1%86.example.org?subject=Test&body=NATTO',
    request({ to: ['user@納豆.example.org'], subject: 'Test', body: 'NATTO' }),
  ],
  [
    'mailto:user@xn--99zt52a.example.org?subject=Test&body=NATTO',
    request({ to: ['user@xn--99zt52a.example.org'], subject: 'Test', body: 'NATTO' }),
  ],
];

const FORMS: readonly Row[] = [
  ['MAILTO:a@example.org', request({ to: ['a@example.org'] })],
  [
    'mailto:?to=a@example.org&to=b@example.org&TO=c@example.org',
    request({ to: ['a@example.org', 'b@example.org', 'c@example.org'] }),
  ],
  [
    'mailto:a@example.org?CC=c@example.org&Bcc=d@example.org,e@example.org',
    request({ to: ['a@example.org'], cc: ['c@example.org'], bcc: ['d@example.org', 'e@example.org'] }),
  ],
  // RFC 6068 §5: "+" is not a space; a space is %20.
  ['mailto:a+tag@example.org?subject=1+1%202', request({ to: ['a+tag@example.org'], subject: '1+1 2' })],
  ['mailto:?to=Ann%20Lee%20%3Cann@example.org%3E', request({ to: ['Ann Lee <ann@example.org>'] })],
  [
    'mailto:?to=%22Lee,%20Ann%22%20%3Cann@example.org%3E,b@example.org',
    request({ to: ['"Lee, Ann" <ann@example.org>', 'b@example.org'] }),
  ],
  ['mailto:?subject=no%20recipient%20yet', request({ subject: 'no recipient yet' })],
  ['mailto:', request({})],
  [
    'mailto:a@example.org?&&body&=x&from=evil@example.org&reply-to=x@example.org&x-y=z',
    request({ to: ['a@example.org'] }),
  ],
  [
    'mailto:a@example.org?subject=first&subject=second',
    request({ to: ['a@example.org'], subject: 'second' }),
  ],
  ['mailto:a@example.org?body=one&body=two', request({ to: ['a@example.org'], body: 'one\ntwo' })],
  ['mailto:a@example.org?body=100%', request({ to: ['a@example.org'], body: '100%' })],
  ['mailto:a@example.org?body=caf%C3%A9%20100%', request({ to: ['a@example.org'], body: 'café 100%' })],
  ['mailto:a@example.org?body=a%0Ab%0Dc%0D%0Ad', request({ to: ['a@example.org'], body: 'a\nb\nc\nd' })],
  ['mailto:a@example.org?subject=x#fragment', request({ to: ['a@example.org'], subject: 'x' })],
  ['mailto:a@example.org?body=%E2%82%AC%20%F0%9F%98%80', request({ to: ['a@example.org'], body: '€ 😀' })],
  ['mailto:a@example.org?body=raw%20€', request({ to: ['a@example.org'], body: 'raw €' })],
];

// Thunderbird keeps such a link working and the line break out of the header (see handoff-fields.ts).
const HOSTILE: readonly Row[] = [
  [
    'mailto:a@example.org?subject=hi%0D%0ABcc:%20all@example.org',
    request({ to: ['a@example.org'], subject: 'hi Bcc: all@example.org' }),
  ],
  ['mailto:a@example.org?subject=a%0Ab%0D%0A%20%20c', request({ to: ['a@example.org'], subject: 'a b c' })],
  [
    'mailto:a@example.org?subject=%3D%3Futf-8%3FQ%3Fx%3D0D%3D0ABcc%3A_y%40example.org%3F%3D',
    request({ to: ['a@example.org'], subject: 'x Bcc: y@example.org' }),
  ],
  ['mailto:a@example.org?subject=nul%00', 'header_injection'],
  ['mailto:a@example.org%0D%0ABcc:%20all@example.org', 'header_injection'],
  ['mailto:?to=a@example.org%0ABcc:all@example.org', 'header_injection'],
  ['mailto:?cc=a@example.org%00', 'header_injection'],
  ['mailto:a@example.org?in-reply-to=%3Cx@y%3E%0D%0ABcc:%20all@example.org', 'header_injection'],
  ['mailto:a@example.org?in-reply-to=not-an-id', 'handoff_invalid'],
  ['mailto:a@example.org?body=a%00b', 'handoff_invalid'],
  ['mailto:a@example.org?subject=%C3%28', 'handoff_invalid'],
  ['mailto:a@example.org?subject=%FF', 'handoff_invalid'],
  ['mailto:a@example.org?body=%ED%A0%80', 'handoff_invalid'],
  ['mailto:a%C0%AF@example.org', 'handoff_invalid'],
  ['mailto:a b@example.org', 'invalid_address'],
  ['mailto:?to=a@example.org,not-an-address', 'invalid_address'],
  ['mailto:?to=a@[127.0.0.1]', 'invalid_address'],
  [`mailto:a@example.org?subject=${'x'.repeat(999)}`, 'invalid_input'],
  ['http://example.org/', 'handoff_invalid'],
  ['mailtox:a@example.org', 'handoff_invalid'],
  [' mailto:a@example.org', 'handoff_invalid'],
];

describe('parseMailto', () => {
  function cases(rows: readonly Row[]): void {
    test.each(rows.map(([url, expected]) => ({ url, expected })))('$url', ({ url, expected }) => {
      if (typeof expected === 'string') expect(refusalOf(() => parseMailto(url, 'link'))).toBe(expected);
      else expect(parseMailto(url, 'link')).toEqual(expected);
    });
  }
  describe('RFC 6068 §2 and §6 examples', () => {
    cases(RFC_6068);
  });
  describe('forms', () => {
    cases(FORMS);
  });
  describe('hostile input', () => {
    cases(HOSTILE);
  });

  test('a URL over the limit fails at once with handoff_invalid, a 100 KB one too', () => {
    const url = (length: number) =>
      `mailto:a@example.org?body=${'x'.repeat(length - 'mailto:a@example.org?body='.length)}`;
    expect(parseMailto(url(MAX_HANDOFF_LENGTH), 'link').body).toHaveLength(MAX_HANDOFF_LENGTH - 26);
    expect(refusalOf(() => parseMailto(url(MAX_HANDOFF_LENGTH + 1), 'link'))).toBe('handoff_invalid');
    expect(() => parseMailto(url(100 * 1024), 'program')).toThrow(
      /102400 characters long; Outbox takes at most 65536/,
    );
  });

  test('more recipients than a message may have is too_many_recipients, counted over to, cc and bcc', () => {
    const list = (n: number, tag: string) =>
      Array.from({ length: n }, (_, i) => `${tag}${i}@ex.org`).join(',');
    const half = MAX_RECIPIENTS / 2;
    expect(parseMailto(`mailto:${list(half, 't')}?cc=${list(half, 'c')}`, 'link').cc).toHaveLength(half);
    expect(
      refusalOf(() => parseMailto(`mailto:${list(half, 't')}?cc=${list(half, 'c')}&bcc=x@ex.org`, 'link')),
    ).toBe('too_many_recipients');
  });

  describe('attachments', () => {
    const url =
      'mailto:a@example.org?attach=%2Fhome%2Fann%2Freport.pdf&ATTACHMENT=file:///home/ann/caf%C3%A9%20menu.pdf';

    test('a program may name files, as paths or file: URIs', () => {
      expect(parseMailto(url, 'program').attachments).toEqual([
        '/home/ann/report.pdf',
        '/home/ann/café menu.pdf',
      ]);
      expect(parseMailto('mailto:?attach=file://localhost/tmp/x.txt', 'program').attachments).toEqual([
        '/tmp/x.txt',
      ]);
    });

    test('a link may not: its attachments are dropped without error, however malformed', () => {
      expect(parseMailto(url, 'link')).toEqual(request({ to: ['a@example.org'] }));
      expect(
        parseMailto('mailto:a@example.org?attach=%FF%00&attach=http://evil.example/x', 'link').attachments,
      ).toEqual([]);
    });

    test.each([
      ['file://evil.example/share/x.pdf'],
      ['https://example.org/x.pdf'],
      ['smb://server/share/x.pdf'],
      ['/tmp/a%00b'],
      ['/tmp/a%0Ab'],
      [''],
    ])('a program naming %j is refused with handoff_invalid', (value) => {
      expect(refusalOf(() => parseMailto(`mailto:?attach=${value}`, 'program'))).toBe('handoff_invalid');
    });

    test('more than 100 files is refused', () => {
      const many = Array.from({ length: 101 }, (_, i) => `attach=/tmp/${i}`).join('&');
      expect(refusalOf(() => parseMailto(`mailto:?${many}`, 'program'))).toBe('handoff_invalid');
    });
  });
});
