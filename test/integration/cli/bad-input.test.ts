import fsp from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leftoverFiles, loggedEntries } from '../../support/queue-on-disk.ts';
import { addLocalAccount, makeHome, runCli } from './run-cli.ts';

let home: string;

beforeAll(async () => {
  home = await makeHome();
  // Never contacted: every case here must be refused before anything is queued.
  await addLocalAccount(home, 'Main', 'me@example.org', 9);
});
afterAll(async () => {
  await fsp.rm(home, { recursive: true, force: true });
});

/** `outbox send` with a recipient, subject and text, plus `extra`. */
const send = (...extra: string[]) => [
  'send',
  '--to',
  'ann@example.net',
  '--subject',
  's',
  '--text',
  't',
  ...extra,
];

const oneLine = (stderr: string) => {
  expect(stderr.endsWith('\n')).toBe(true);
  expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  return stderr.trim();
};

describe('bad input is refused with its sysexits code, one line on stderr, and nothing queued', () => {
  it.each([
    {
      name: 'a malformed message on stdin',
      args: ['sendmail', 'ann@example.net'],
      input: 'Subject: hi\nthis line is no header\n\nbody\n',
      code: 65,
      message: /Line 2 of the message is not a header field/,
    },
    {
      name: 'a header line over 998 characters',
      args: ['sendmail', 'ann@example.net'],
      input: `Subject: ${'x'.repeat(990)}\n\nbody\n`,
      code: 65,
      message: /longer than 998 characters/,
    },
    {
      name: 'a From that is no address',
      args: ['sendmail', 'ann@example.net'],
      input: 'From: nobody at all\nSubject: hi\n\nbody\n',
      code: 65,
      message: /From: "nobody at all" is not an e-mail address/,
    },
    {
      name: 'a message with NUL bytes',
      args: ['sendmail', 'ann@example.net'],
      input: 'Subject: hi\n\nbo\0dy\n',
      code: 65,
      message: /NUL bytes/,
    },
    {
      name: 'an empty message',
      args: ['sendmail', 'ann@example.net'],
      input: '',
      code: 65,
      message: /message is empty/,
    },
    {
      name: 'a message without recipients',
      args: ['sendmail', '-t'],
      input: 'From: me@example.org\nSubject: to nobody\n\nbody\n',
      code: 64,
      message: /no recipients/,
    },
    {
      name: 'an invalid recipient argument',
      args: ['sendmail', 'not an address'],
      input: 'Subject: hi\n\nbody\n',
      code: 65,
      message: /not .*e-mail address/,
    },
    {
      name: 'an envelope sender with a line break, quoted on one line',
      args: ['sendmail', '-f', 'me@example.org\r\nRCPT TO:<x@example.net>', 'ann@example.net'],
      input: 'Subject: hi\n\nbody\n',
      code: 65,
      message: /"me@example\.org\\r\\nRCPT TO:<x@example\.net>"/,
    },
    {
      // header_injection, as over the bridge: the same schema refuses it with the same code.
      name: 'a subject with a line break, quoted on one line',
      args: ['send', '--to', 'ann@example.net', '--subject', 'Hi\r\nBcc: eve@example.com', '--text', 't'],
      input: '',
      code: 65,
      message: /subject: must not contain line breaks or NUL characters/,
    },
    {
      name: 'an unknown account (sendmail)',
      args: ['sendmail', '--account', 'nope', 'ann@example.net'],
      input: 'Subject: hi\n\nbody\n',
      code: 67,
      message: /unknown account "nope"/,
    },
    {
      name: 'an unknown account (send)',
      args: ['send', '--account', 'nope', '--to', 'ann@example.net', '--subject', 's', '--text', 't'],
      input: '',
      code: 67,
      message: /unknown account "nope"/,
    },
    {
      name: 'a missing attachment',
      args: send('--attach', 'no-such-file.pdf'),
      input: '',
      code: 65,
      message: /no-such-file\.pdf does not exist/,
    },
    {
      name: 'no recipients (send)',
      args: ['send', '--subject', 's', '--text', 't'],
      input: '',
      code: 64,
      message: /at least one recipient/,
    },
    {
      name: '--at without a year (Date.parse took it as 2001 and sent at once)',
      args: send('--at', 'Dec 24 08:00'),
      input: '',
      code: 64,
      message: /--at: "Dec 24 08:00" is not .*2026-12-24T08:00/,
    },
    {
      name: '--at with a bare number',
      args: send('--at', '1'),
      input: '',
      code: 64,
      message: /--at: "1" is not /,
    },
    {
      name: '--at with a date that does not exist',
      args: send('--at', '2099-02-30T08:00'),
      input: '',
      code: 64,
      message: /--at: "2099-02-30T08:00" is not /,
    },
    {
      name: '--at with a line break, quoted on one line',
      args: send('--at', '2099-12-24\r\n08:00'),
      input: '',
      code: 64,
      message: /--at: "2099-12-24\\r\\n08:00" is not /,
    },
    {
      name: '--at in the past',
      args: send('--at', '2001-12-24T08:00Z'),
      input: '',
      code: 64,
      message: /--at: "2001-12-24T08:00Z" is in the past \(2001-12-24T08:00:00\.000Z\)/,
    },
    {
      name: 'an unknown option',
      args: ['send', '--too', 'ann@example.net'],
      input: '',
      code: 64,
      message: /--too.*outbox send --help/,
    },
    {
      name: 'an unknown command',
      args: ['sned'],
      input: '',
      code: 64,
      message: /unknown command "sned"/,
    },
  ])('$name → $code', async ({ args, input, code, message }) => {
    const result = await runCli(home, args, input);
    expect(result.code).toBe(code);
    expect(oneLine(result.stderr)).toMatch(message);
    expect(result.stdout).toBe('');
    expect(await loggedEntries(home)).toEqual([]);
    expect(await leftoverFiles(home)).toEqual([]);
  });

  it('prints help for every command and exits 0', async () => {
    for (const command of [
      [],
      ['send'],
      ['sendmail'],
      ['queue'],
      ['queue', 'list'],
      ['queue', 'show'],
      ['queue', 'flush'],
      ['queue', 'retry'],
      ['queue', 'cancel'],
      ['accounts'],
      ['accounts', 'list'],
      ['accounts', 'add'],
      ['accounts', 'test'],
      ['accounts', 'remove'],
      ['sent', 'list'],
    ]) {
      const result = await runCli(home, [...command, '--help']);
      expect(result.code, command.join(' ')).toBe(0);
      expect(result.stdout).toMatch(/^Usage: outbox/);
    }
  });
});
