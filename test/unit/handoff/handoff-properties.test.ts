import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { AppError } from '../../../main/errors/app-error.ts';
import type { ComposeRequest, HandoffSource } from '../../../main/handoff/compose-request.ts';
import { screenHandedPaths } from '../../../main/handoff/handed-paths.ts';
import { parseMailto } from '../../../main/handoff/mailto.ts';
import { parseComposeArgument, requestFromArgv } from '../../../main/handoff/thunderbird-compose.ts';
import { parseMailbox } from '../../../main/mail/address.ts';
import { HEADER_UNSAFE } from '../../../preload/contract/primitives.ts';

/** The request `parse` returns, or undefined when it refuses with an AppError; anything else thrown fails. */
function outcome(parse: () => ComposeRequest | undefined): ComposeRequest | undefined {
  try {
    return parse();
  } catch (error) {
    if (error instanceof AppError) return undefined;
    throw error;
  }
}

/** What every request must be, whatever it came from. */
function expectSafe(request: ComposeRequest): void {
  for (const field of [request.subject, request.inReplyTo]) {
    if (field !== undefined) expect(HEADER_UNSAFE.test(field)).toBe(false);
  }
  for (const [list, entries] of [
    ['to', request.to],
    ['cc', request.cc],
    ['bcc', request.bcc],
  ] as const) {
    entries.forEach((entry, index) => {
      expect(HEADER_UNSAFE.test(entry)).toBe(false);
      expect(() => parseMailbox(entry, `${list}.${index}`)).not.toThrow();
    });
  }
  if (request.body !== undefined) expect(request.body).not.toMatch(/[\r\0]/);
}

// Pieces an attacker would reach for, percent-encoded and raw, and plain valid ones, so that
// generated URLs often parse and the checks run on real requests.
const piece = fc.oneof(
  fc.constantFrom(
    'a@example.org',
    'Ann <ann@example.org>',
    '"Lee, Ann" <ann@example.org>',
    'b@xn--99zt52a.example.org',
    '%0D%0A',
    '%0A',
    '%0D',
    '%00',
    '\r\n',
    '\n',
    '\0',
    'Bcc: all@example.org',
    '%3C',
    '%3E',
    '<x@y>',
    ',',
    '%2C',
    '%22',
    '"',
    '%',
    '%FF',
    '%C3%A9',
    '%E2%80%A8',
    '=?utf-8?Q?a=0D=0Ab?=',
    '%3D%3Futf-8%3FB%3FDQo%3D%3F%3D',
    '/home/ann/.ssh/id_rsa',
    'file:///etc/passwd',
    '+',
    ' ',
  ),
  fc.string({ maxLength: 6 }),
  fc.string({ maxLength: 3, unit: 'binary' }),
);
const value = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));
const name = fc.constantFrom(
  'to',
  'cc',
  'bcc',
  'subject',
  'body',
  'in-reply-to',
  'attach',
  'attachment',
  'Subject',
  'TO',
  'x',
);
const mailtoUrl = fc
  .tuple(value, fc.array(fc.tuple(name, value), { maxLength: 6 }))
  .map(
    ([to, pairs]) =>
      `mailto:${to}${pairs.length > 0 ? '?' : ''}${pairs.map(([n, v]) => `${n}=${v}`).join('&')}`,
  );
const anyText = fc.oneof(
  mailtoUrl,
  fc.string(),
  fc.string({ unit: 'binary' }).map((s) => `mailto:${s}`),
);
const source = fc.constantFrom<HandoffSource>('link', 'program');

const composeArgument = fc
  .array(
    fc.tuple(
      fc.constantFrom('to', 'cc', 'bcc', 'subject', 'body', 'attachment', 'x'),
      fc.constantFrom("'", '"', ''),
      value,
    ),
    { maxLength: 6 },
  )
  .map((pairs) => pairs.map(([n, quote, v]) => `${n}=${quote}${v}${quote}`).join(','));

const RUNS = { numRuns: 3000 };

// Thousands of runs each: seconds on a quiet machine, more on a loaded one.
describe('handoff properties', { timeout: 120_000 }, () => {
  test('parseMailto refuses with an AppError or returns a safe request; a link never attaches', () => {
    fc.assert(
      fc.property(anyText, source, (url, from) => {
        const request = outcome(() => parseMailto(url, from));
        if (request === undefined) return;
        expectSafe(request);
        if (from === 'link') expect(request.attachments).toEqual([]);
      }),
      RUNS,
    );
  });

  test('parseComposeArgument refuses with an AppError or returns a safe request', () => {
    fc.assert(
      fc.property(fc.oneof(composeArgument, fc.string()), (argument) => {
        const request = outcome(() => parseComposeArgument(argument));
        if (request !== undefined) expectSafe(request);
      }),
      RUNS,
    );
  });

  test('parse then screen never yields an attachment from a link, whatever the argv around it', () => {
    const switches = fc.array(fc.constantFrom('--no-sandbox', '--allow-file-access-from-files', '-x', '.'), {
      maxLength: 3,
    });
    // After `--` every argument is what a clicked link's URL can be, `-compose` included.
    const untrusted = fc.array(
      fc.oneof(anyText, fc.constantFrom('-compose', '--compose', "attachment='/tmp/x'")),
      {
        maxLength: 4,
      },
    );
    fc.assert(
      fc.property(switches, untrusted, (before, after) => {
        const fromLink = outcome(() => requestFromArgv(['/opt/Outbox/outbox', ...before, '--', ...after]));
        if (fromLink !== undefined) expect(screenHandedPaths(fromLink.attachments).kept).toEqual([]);
        const bareLink = after.find((arg) => /^mailto:/i.test(arg));
        if (bareLink === undefined) return;
        const request = outcome(() => parseMailto(bareLink, 'link'));
        if (request !== undefined) expect(screenHandedPaths(request.attachments).kept).toEqual([]);
      }),
      RUNS,
    );
  });

  test('a 100 KB URL of any content fails with handoff_invalid before anything else is read', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 8 }), (unit) => {
        const url = `mailto:${unit.repeat(Math.ceil(102_400 / unit.length))}`;
        expect(() => parseMailto(url, 'program')).toThrow(
          expect.objectContaining({ code: 'handoff_invalid' }),
        );
      }),
      { numRuns: 50 },
    );
  });
});
