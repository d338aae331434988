import { afterAll, describe, expect, test } from 'vitest';
import type { ComposeRequest } from '../../../main/handoff/compose-request.ts';
import { parseComposeArgument, requestFromArgv } from '../../../main/handoff/thunderbird-compose.ts';
import { refusalOf, request, type Row } from './support.ts';
import { XdgEmailRunner } from './xdg-email-runner.ts';

// Written the way programs write them: quoted lists, bare percent-encoded text (GetArgs decodes only
// unquoted values), double quotes, file: URIs.
const ARGUMENTS: readonly Row[] = [
  [
    "to='a@example.org,b@example.org',subject='x',body='y'",
    request({ to: ['a@example.org', 'b@example.org'], subject: 'x', body: 'y' }),
  ],
  [
    "to='a@example.org,',cc='c@example.org,',bcc='d@example.org,'",
    request({ to: ['a@example.org'], cc: ['c@example.org'], bcc: ['d@example.org'] }),
  ],
  ['to="Lee, Ann <ann@example.org>",subject="a, b"', 'invalid_address'],
  [
    'to=\'"Lee, Ann" <ann@example.org>\',subject="a, b"',
    request({ to: ['"Lee, Ann" <ann@example.org>'], subject: 'a, b' }),
  ],
  [
    'subject=caf%C3%A9%2C%20ol%C3%A9,body=line1%0D%0Aline2',
    request({ subject: 'café, olé', body: 'line1\nline2' }),
  ],
  ["subject='100%',body='it''s'", request({ subject: '100%', body: "it''s" })],
  [
    "to='a@example.org',attachment='file:///tmp/a.pdf,file:///tmp/caf%C3%A9.pdf,/tmp/b, c.txt'",
    request({ to: ['a@example.org'], attachments: ['/tmp/a.pdf', '/tmp/café.pdf', '/tmp/b, c.txt'] }),
  ],
  ["TO='a@example.org',Subject=first,subject=second", request({ to: ['a@example.org'], subject: 'first' })],
  [
    "to='a@example.org',format=1,preselectid=id1,from='x@example.org',message=/etc/passwd,newsgroups=x",
    request({ to: ['a@example.org'] }),
  ],
  [
    'mailto:a@example.org?subject=x&attach=/tmp/a.pdf',
    request({ to: ['a@example.org'], subject: 'x', attachments: ['/tmp/a.pdf'] }),
  ],
  ['', request({})],
  // Hostile: the same rules as a mailto: link.
  ["to='a@example.org\r\nBcc: all@example.org'", 'header_injection'],
  ["subject='hi\r\nBcc: all@example.org'", request({ subject: 'hi Bcc: all@example.org' })],
  ["subject='nul\0'", 'header_injection'],
  ['subject=%FF', 'handoff_invalid'],
  ["attachment='http://evil.example/x'", 'handoff_invalid'],
  [`body='${'x'.repeat(70_000)}'`, 'handoff_invalid'],
];

describe('parseComposeArgument', () => {
  test.each(ARGUMENTS.map(([value, expected]) => ({ value: value.slice(0, 120), full: value, expected })))(
    '$value',
    ({ full, expected }) => {
      if (typeof expected === 'string') expect(refusalOf(() => parseComposeArgument(full))).toBe(expected);
      else expect(parseComposeArgument(full)).toEqual(expected);
    },
  );
});

// Each test starts a shell script that starts others: generous on a loaded 2-core machine.
describe('what the real xdg-email hands Thunderbird', { timeout: 120_000 }, () => {
  const xdg = new XdgEmailRunner();
  afterAll(() => {
    xdg.remove();
  });

  test('addresses, subject, body and attachments, a comma and non-ASCII in them', () => {
    const report = xdg.file('my report, v2.txt');
    const menu = xdg.file('café menu.txt');
    const argv = xdg.run([
      '--subject',
      "Héllo, 'world' & more",
      '--body',
      'line 1\nline 2: 100%',
      '--cc',
      'c@example.org',
      '--bcc',
      'd@example.org',
      '--attach',
      report,
      '--attach',
      menu,
      'a@example.org',
      'b@example.org',
    ]);
    expect(argv[0]).toBe('-compose');
    expect(parseComposeArgument(argv[1] ?? '')).toEqual(
      request({
        to: ['a@example.org', 'b@example.org'],
        cc: ['c@example.org'],
        bcc: ['d@example.org'],
        subject: "Héllo, 'world' & more",
        body: 'line 1\nline 2: 100%',
        attachments: [report, menu],
      }),
    );
  });

  test('a mailto: URL given to xdg-email, with options added', () => {
    const argv = xdg.run(['mailto:a@example.org?subject=Hi%20there&cc=c@example.org', '--body', 'text']);
    expect(parseComposeArgument(argv[1] ?? '')).toEqual(
      request({ to: ['a@example.org'], cc: ['c@example.org'], subject: 'Hi there', body: 'text' }),
    );
  });

  test('a subject with a line break still reaches no header', () => {
    const argv = xdg.run(['--subject', 'one\nBcc: all@example.org', 'a@example.org']);
    expect(parseComposeArgument(argv[1] ?? '')).toEqual(
      request({ to: ['a@example.org'], subject: 'one Bcc: all@example.org' }),
    );
  });
});

describe('requestFromArgv', () => {
  const exe = '/opt/Outbox/outbox';

  test.each<[string, readonly string[], ComposeRequest | undefined]>([
    ['nothing handed over', [exe], undefined],
    ['Electron switches only', [exe, '--no-sandbox', '--allow-file-access-from-files'], undefined],
    ['dev mode: electron and the app path', ['/x/electron', '.', '--inspect=0'], undefined],
    [
      '-compose VALUE',
      [exe, '-compose', "to='a@example.org',attachment='/tmp/a.pdf'"],
      request({ to: ['a@example.org'], attachments: ['/tmp/a.pdf'] }),
    ],
    ['--compose VALUE', [exe, '--compose', "to='a@example.org'"], request({ to: ['a@example.org'] })],
    ['--compose=VALUE', [exe, "--compose=to='a@example.org'"], request({ to: ['a@example.org'] })],
    ['/compose VALUE (Windows)', [exe, '/compose', "to='a@example.org'"], request({ to: ['a@example.org'] })],
    [
      'Chromium switches between -compose and its value',
      [exe, '-compose', '--allow-file-access-from-files', '--original-process-start-time=1', "subject='x'"],
      request({ subject: 'x' }),
    ],
    ['a bare -compose: an empty compose window', [exe, '--no-sandbox', '-compose'], request({})],
    [
      '-compose mailto: from a program may attach',
      [exe, '-compose', 'mailto:a@example.org?attach=/tmp/a.pdf'],
      request({ to: ['a@example.org'], attachments: ['/tmp/a.pdf'] }),
    ],
    [
      'a bare mailto: is a clicked link: no attachments',
      [exe, '--no-sandbox', 'mailto:a@example.org?attach=/home/ann/.ssh/id_rsa'],
      request({ to: ['a@example.org'] }),
    ],
    ['MAILTO: in capitals', [exe, 'MAILTO:a@example.org'], request({ to: ['a@example.org'] })],
    [
      '-compose wins over a bare mailto:',
      [exe, 'mailto:x@example.org', '-compose', "to='a@example.org'"],
      request({ to: ['a@example.org'] }),
    ],
    [
      'after --, -compose is no switch: a link cannot smuggle one in',
      [exe, '--', 'mailto:a@example.org?x="', '-compose', "attachment='/home/ann/secret'"],
      request({ to: ['a@example.org'] }),
    ],
  ])('%s', (_name, argv, expected) => {
    expect(requestFromArgv(argv)).toEqual(expected);
  });

  test('a bad request in argv is refused with its code', () => {
    expect(refusalOf(() => requestFromArgv([exe, 'mailto:a@example.org%0D%0ABcc:x@example.org']))).toBe(
      'header_injection',
    );
    expect(refusalOf(() => requestFromArgv([exe, '-compose', "to='not an address'"]))).toBe(
      'invalid_address',
    );
  });
});
