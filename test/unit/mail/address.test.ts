import { describe, expect, test } from 'vitest';
import { assertAddress, assertMailboxList, domainOf, parseMailbox } from '../../../main/mail/address.ts';
import {
  isDnsLabels,
  isValidAddress,
  mailboxAddressText,
  normalAddress,
} from '../../../preload/contract/address.ts';
import { isValidRecipient } from '../../../renderer/src/features/compose/recipients.ts';

const local64 = 'l'.repeat(64);
// 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters, the longest domain.
const domain253 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(57)}.com`;
// 64 + 1 + 189 = 254 octets, the longest address a 256-octet path holds (RFC 5321 §4.5.3.1.3).
const domain189 = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(57)}.com`;

/** [address, valid, wire form when valid]: one decision for accounts, senders and recipients. */
type Row = readonly [address: string, valid: boolean, wire?: string];
const TABLE: readonly Row[] = [
  ['ann@example.com', true, 'ann@example.com'],
  ['Ann.Lee+outbox@Mail.Example.ORG', true, 'Ann.Lee+outbox@mail.example.org'],
  ["o'brien@example.ie", true],
  ['a!#$%&*/=?^_`{|}~-@example.com', true],
  ['x@a-b.example', true],
  // IDN: non-ASCII domains go out as A-labels; non-ASCII local parts are SMTPUTF8 (RFC 6531).
  ['ann@bücher.example', true, 'ann@xn--bcher-kva.example'],
  ['ann@XN--BCHER-KVA.example', true, 'ann@xn--bcher-kva.example'],
  ['zoë@example.de', true, 'zoë@example.de'],
  ['用户@例子.广告', true, '用户@xn--fsqu00a.xn--4rr70v'],
  ['ann@exa mple.com', false],
  ['ann@bü cher.example', false],
  // Dot-string: no leading, trailing or doubled dot (RFC 5321 §4.1.2).
  ['a.b.c@example.com', true],
  ['a..b@example.com', false],
  ['.ann@example.com', false],
  ['ann.@example.com', false],
  ['ann@example..com', false],
  ['ann@.example.com', false],
  ['ann@example.com.', false],
  // Quoted local parts are refused, even where RFC 5321 allows them.
  ['"ann"@example.com', false],
  ['"ann lee"@example.com', false],
  ['"a@b"@example.com', false],
  // IP literals and bare IP addresses are refused: mail is routed by name.
  ['ann@[192.0.2.1]', false],
  ['ann@[IPv6:2001:db8::1]', false],
  ['ann@192.0.2.1', false],
  ['ann@1.2.3.4', false],
  ['ann@example.123', false],
  // A domain of one label is no mail domain.
  ['ann@localhost', false],
  ['ann@example', false],
  // Labels: letters, digits, inner hyphens.
  ['ann@-example.com', false],
  ['ann@example-.com', false],
  ['ann@ex_ample.com', false],
  ['ann@exa%6dple.com', false],
  ['ann@example.com:25', false],
  // Lengths (RFC 5321 §4.5.3.1): local part 64 octets, domain 253, label 63, path 256.
  [`${local64}@example.com`, true],
  [`${local64}l@example.com`, false],
  [`${'ü'.repeat(32)}@example.com`, true],
  [`${'ü'.repeat(33)}@example.com`, false],
  [`ann@${'a'.repeat(63)}.com`, true],
  [`ann@${'a'.repeat(64)}.com`, false],
  [`a@${domain253}`, false],
  [`${local64}@${domain189}`, true],
  [`${local64}@a${domain189}`, false],
  // Not one bare address.
  ['', false],
  ['ann', false],
  ['ann@', false],
  ['@example.com', false],
  ['ann@@example.com', false],
  ['ann@b@example.com', false],
  ['ann lee@example.com', false],
  ['ann@example.com, bob@example.com', false],
  ['ann@example.com\r\nBcc: eve@example.com', false],
  ['ann\0@example.com', false],
  ['ann\u00a0@example.com', false],
  ['ann\u0085@example.com', false],
];

const ROWS = TABLE.map(([address, valid, wire]) => ({
  address,
  valid,
  wire: valid ? (wire ?? address) : undefined,
}));

describe('the address rule', () => {
  test('is the one the table expects, and the domain-253 row is as long as it claims', () => {
    expect(domain253).toHaveLength(253);
    expect(`${local64}@${domain189}`).toHaveLength(254);
  });

  test.each(ROWS)('$address valid: $valid', ({ address, valid, wire }) => {
    expect(isValidAddress(address)).toBe(valid);
    expect(normalAddress(address)).toBe(wire);
  });

  test.each(ROWS)(
    '$address gets the same verdict as account, recipient and in the compose form',
    ({ address, valid }) => {
      const account = () => {
        assertAddress(address, 'fromAddress');
      };
      if (valid) {
        expect(account).not.toThrow();
        expect(parseMailbox(address, 'to.0').address).toBe(normalAddress(address));
        expect(parseMailbox(`Ann <${address}>`, 'to.0')).toEqual({
          name: 'Ann',
          address: normalAddress(address),
        });
      } else {
        expect(account).toThrow(expect.objectContaining({ code: 'invalid_address', field: 'fromAddress' }));
        // sendmail's arguments, not only the compose schema, name a line break for what it is.
        const code = /[\r\n\0]/.test(address) ? 'header_injection' : 'invalid_address';
        expect(() => parseMailbox(`Ann <${address}>`, 'to.0')).toThrow(
          expect.objectContaining({ code, field: 'to.0' }),
        );
      }
      expect(isValidRecipient(address)).toBe(valid);
      expect(isValidRecipient(`Ann Lee <${address}>`)).toBe(valid);
    },
  );
});

describe('mailboxes', () => {
  test.each([
    ['"Lee, Ann" <ann@example.com>', { name: 'Lee, Ann', address: 'ann@example.com' }],
    ['ann@example.com', { name: '', address: 'ann@example.com' }],
  ])('%j is one mailbox', (text, mailbox) => {
    expect(parseMailbox(text, 'to.0')).toEqual(mailbox);
    expect(isValidRecipient(text)).toBe(true);
  });

  test('a display name makes a mailbox, not a bare address', () => {
    expect(isValidAddress('Ann <ann@example.com>')).toBe(false);
    expect(() => {
      assertAddress('Ann <ann@example.com>', 'aliases.0.address');
    }).toThrow(expect.objectContaining({ code: 'invalid_address' }));
  });

  test.each([
    'ann@example.com, bob@example.com',
    'friends: ann@example.com;',
    'Ann',
    '',
    // nodemailer's parser would make these ann@example.com and lee@example.com.
    'Ann <Ann <ann@example.com>>',
    'Ann <ann lee@example.com>',
    'ann@example.com (Ann)',
  ])('%j is not exactly one mailbox', (text) => {
    expect(() => parseMailbox(text, 'cc.1')).toThrow(
      expect.objectContaining({ code: 'invalid_address', field: 'cc.1' }),
    );
  });

  test('the domain of an address is its lower-case part after the last @', () => {
    expect(domainOf('Ann@Example.COM')).toBe('example.com');
  });
});

describe('DNS labels (host names, DKIM selectors)', () => {
  test.each([
    ['mail2026', true],
    ['s1.eu', true],
    ['a-b.c', true],
    ['mail_2026', false],
    ['-a', false],
    ['a-', false],
    ['a..b', false],
    ['', false],
    ['x'.repeat(64), false],
  ])('%s: %s', (text, valid) => {
    expect(isDnsLabels(text)).toBe(valid);
  });
});

describe('a space before a bare address (issue 14, defect 19)', () => {
  test('`a b@example.test` is refused by every door, not sent to b@example.test as "a"', () => {
    expect(mailboxAddressText('a b@example.test')).toBeUndefined();
    expect(() => parseMailbox('a b@example.test', 'to.0')).toThrow(
      expect.objectContaining({
        code: 'invalid_address',
        message: 'to.0: "a b@example.test" is not one e-mail address: write a name as Name <address>.',
      }),
    );
    expect(isValidRecipient('a b@example.test')).toBe(false);
    expect(() => {
      assertMailboxList('ann@example.net, a b@example.test', 'To');
    }).toThrow(expect.objectContaining({ code: 'invalid_address', field: 'To' }));
  });

  test.each([
    ['a@example.test', 'a@example.test'],
    ['  Name <a@example.test> ', 'a@example.test'],
    ['"Lee, \\"Ann\\"" <a@example.test>', 'a@example.test'],
    ['<a@example.test>', 'a@example.test'],
  ])('%j is one mailbox typed as %j', (text, address) => {
    expect(mailboxAddressText(text)).toBe(address);
  });

  test.each([
    'Ann <ann@example.net>, "Lee, Bo" <bo@example.net>',
    'ann@example.net (Ann at work), bo@example.net',
    'undisclosed-recipients:;',
    'team: ann@example.net, bo@example.net;, cy@example.net',
    '=?utf-8?q?Zo=C3=AB?= <zoe@example.net>',
  ])('the address list %j has only mailboxes', (value) => {
    expect(() => {
      assertMailboxList(value, 'To');
    }).not.toThrow();
  });
});
