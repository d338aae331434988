import fsp from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { deliverOne, refusal as refusalIn, useCliHomes } from './cli-homes.ts';
import { runCli, type CliResult } from './run-cli.ts';

const homes = useCliHomes();
/** Text in ISO 8859-15, which is not UTF-8: "café à 10 €" (0xE9, 0xE0 and 0xA4). */
let latin9File: string;

beforeAll(async () => {
  latin9File = path.join(homes.home, 'report-latin9.txt');
  await fsp.writeFile(latin9File, Buffer.from('first line\ncaf\xe9 \xe0 10 \xa4\n', 'latin1'));
});

/** Queues with `outbox send`, delivers, and returns the envelope and the parsed message received. */
async function sendAndDeliver(args: readonly string[], input: string | Buffer = '') {
  const message = await deliverOne(homes, ['send', '--subject', 'report', ...args], input);
  return { to: message.to, mail: await simpleParser(message.raw) };
}

const refusal = (result: CliResult) => refusalIn(homes, result);

describe('send --text-file that is not UTF-8 (issue 14, defect 17)', () => {
  it('is refused with text_not_utf8 (65), naming the line, instead of sending U+FFFD', async () => {
    const result = await runCli(homes.refusing, [
      'send',
      '--to',
      'ann@example.net',
      '--subject',
      'report',
      '--text-file',
      latin9File,
    ]);
    expect(result.code).toBe(65);
    expect(await refusal(result)).toBe(
      `outbox: --text-file ${latin9File} is not UTF-8 text (line 2); give its character set with --charset, e.g. --charset windows-1252.`,
    );
  });

  it('with --charset, is read in that character set and delivered as the text written', async () => {
    const { mail } = await sendAndDeliver([
      '--to',
      'ann@example.net',
      '--text-file',
      latin9File,
      '--charset',
      'iso-8859-15',
    ]);
    expect(mail.text).toBe('first line\ncafé à 10 €\n');
  });

  it('with --charset, from stdin too', async () => {
    const { mail } = await sendAndDeliver(
      ['--to', 'ann@example.net', '--text-file', '-', '--charset', 'windows-1252'],
      Buffer.from('\x93quoted\x94\n', 'latin1'),
    );
    expect(mail.text).toBe('“quoted”\n');
  });

  it('an unknown --charset is a usage error (64)', async () => {
    const result = await runCli(homes.refusing, [
      'send',
      '--to',
      'ann@example.net',
      '--subject',
      's',
      '--text-file',
      latin9File,
      '--charset',
      'latin-99',
    ]);
    expect(result.code).toBe(64);
    expect(await refusal(result)).toMatch(/^outbox: --charset: "latin-99" is not a character set name/);
  });
});

describe('a space before a bare address (issue 14, defect 19)', () => {
  it("send --to 'a b@example.test' is invalid_address (65), never sent to b@example.test", async () => {
    const result = await runCli(homes.refusing, [
      'send',
      '--to',
      'a b@example.test',
      '--subject',
      's',
      '--text',
      't',
    ]);
    expect(result.code).toBe(65);
    expect(await refusal(result)).toBe(
      'outbox: to.0: "a b@example.test" is not one e-mail address: write a name as Name <address>.',
    );
  });

  it("sendmail -t with 'To: a b@example.test' is refused the same way", async () => {
    const result = await runCli(
      homes.refusing,
      ['sendmail', '-t'],
      'To: ann@example.net, a b@example.test\nSubject: s\n\nt\n',
    );
    expect(result.code).toBe(65);
    expect(await refusal(result)).toBe(
      'outbox: To: "a b@example.test" is not one e-mail address: write a name as Name <address>.',
    );
  });

  it("send --to 'Name <a@example.test>' still sends to a@example.test as Name", async () => {
    const { to, mail } = await sendAndDeliver(['--to', 'Name <a@example.test>', '--text', 't']);
    expect(to).toEqual(['a@example.test']);
    expect(mail.to).toMatchObject({ value: [{ name: 'Name', address: 'a@example.test' }] });
  });
});
