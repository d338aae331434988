import fsp from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { queueListJson } from '../../../main/cli/json-output.ts';
import { startTestServer, type TestServer, type TestServerOptions } from '../../support/smtp-test-server.ts';
import { addLocalAccount, makeHome, runCli } from './run-cli.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A strict server (see `strict`) and a data folder with one account on it. */
async function setup(options: TestServerOptions = {}): Promise<{ server: TestServer; home: string }> {
  const server = await startTestServer({ strict: true, ...options });
  cleanups.push(() => server.close());
  const home = await makeHome();
  cleanups.push(() => fsp.rm(home, { recursive: true, force: true }));
  await addLocalAccount(home, 'Personal', 'me@example.org', server.port);
  return { server, home };
}

/** Queues `message` with `outbox sendmail -t`, flushes, and returns what the queue still holds. */
async function sendmail(home: string, message: string | Buffer) {
  const queued = await runCli(home, ['sendmail', '-t'], message);
  expect(queued.stderr).toBe('');
  expect(queued.code).toBe(0);
  await runCli(home, ['queue', 'flush', '--wait']);
  const list = await runCli(home, ['queue', 'list', '--json']);
  return queueListJson.parse(JSON.parse(list.stdout)).messages;
}

const lines = (raw: Buffer) => raw.toString('latin1').split('\r\n');
const hasEightBit = (bytes: Buffer) => bytes.some((b) => b >= 0x80);

describe('lines over 998 octets (RFC 5321 §4.5.3.1.6)', () => {
  it('re-encodes a long line as quoted-printable at enqueue, so it arrives intact', async () => {
    const { server, home } = await setup();
    const long = 'abcdefghij'.repeat(500);
    const text = `Short line.\n${long}\nLast line.\n`;
    const left = await sendmail(
      home,
      `From: me@example.org\nTo: ann@example.net\nSubject: Log\nContent-Type: text/plain; charset=us-ascii\n\n${text}`,
    );
    expect(left).toEqual([]);
    const [received] = server.messages;
    const raw = received?.raw ?? Buffer.alloc(0);
    expect(Math.max(...lines(raw).map((line) => line.length))).toBeLessThanOrEqual(998);
    const mail = await simpleParser(raw);
    expect(mail.headers.get('content-transfer-encoding')).toBe('quoted-printable');
    expect(mail.text).toBe(text);
  });

  it('re-encodes only the parts with long lines: text as quoted-printable, the rest as base64', async () => {
    const { server, home } = await setup();
    const html = `<p>${'x'.repeat(3000)}</p>\r\n`;
    const data = '0123456789'.repeat(200);
    const message = [
      'From: me@example.org',
      'To: ann@example.net',
      'Subject: Report',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: multipart/alternative; boundary="b2"',
      '',
      '--b2',
      'Content-Type: text/plain',
      '',
      'Fine as it is.',
      '--b2',
      'Content-Type: text/html; charset=utf-8',
      '',
      html.trimEnd(),
      '--b2--',
      '--b1',
      'Content-Type: application/octet-stream',
      'Content-Disposition: attachment; filename="data.txt"',
      '',
      data,
      '--b1--',
      '',
    ].join('\n');
    expect(await sendmail(home, message)).toEqual([]);
    const raw = server.messages[0]?.raw ?? Buffer.alloc(0);
    expect(Math.max(...lines(raw).map((line) => line.length))).toBeLessThanOrEqual(998);
    expect(raw.toString('latin1')).toContain('Content-Type: text/plain\r\n\r\nFine as it is.\r\n--b2');
    const mail = await simpleParser(raw);
    expect(mail.text).toBe('Fine as it is.');
    expect(mail.html).toBe(html.trimEnd());
    expect(mail.attachments.map((a) => [a.filename, a.content.toString('latin1')])).toEqual([
      ['data.txt', data],
    ]);
  });
});

describe('8-bit bodies (RFC 6152)', () => {
  const message = Buffer.from(
    'From: me@example.org\nTo: ann@example.net\nSubject: Caf\nMIME-Version: 1.0\n' +
      'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nCafé crème, 3 €.\n',
  );

  it('declares BODY=8BITMIME where the server offers it, and sends the bytes as they are', async () => {
    const { server, home } = await setup();
    expect(await sendmail(home, message)).toEqual([]);
    const [received] = server.messages;
    expect(received?.declared).toEqual({ body: '8bitmime', smtpUtf8: false });
    expect(received?.raw.toString('utf8')).toContain('\r\n\r\nCafé crème, 3 €.\r\n');
  });

  it('re-encodes the body in 7 bits for a server without 8BITMIME', async () => {
    const { server, home } = await setup({ hide8BITMIME: true });
    expect(await sendmail(home, message)).toEqual([]);
    const [received] = server.messages;
    const raw = received?.raw ?? Buffer.alloc(0);
    expect(hasEightBit(raw)).toBe(false);
    expect(received?.declared.body).not.toBe('8bitmime');
    const mail = await simpleParser(raw);
    expect(mail.text).toBe('Café crème, 3 €.\n');
  });
});

describe('UTF-8 in the header and addresses (RFC 6531, RFC 6532)', () => {
  const header = (to: string) =>
    `From: Jürgen Groß <me@example.org>\nTo: ${to}\nSubject: Grüße aus Köln\nMIME-Version: 1.0\n` +
    'Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nHallo.\n';

  it.each([
    ['offers SMTPUTF8', false],
    ['does not offer SMTPUTF8', true],
  ])(
    'writes a raw UTF-8 header with encoded words when the server %s but the envelope is ASCII',
    async (_name, hide) => {
      const { server, home } = await setup({ hideSMTPUTF8: hide });
      expect(await sendmail(home, header('Zoë <zoe@example.net>'))).toEqual([]);
      const raw = server.messages[0]?.raw ?? Buffer.alloc(0);
      const head = raw.subarray(0, raw.indexOf('\r\n\r\n'));
      expect(hasEightBit(head)).toBe(false);
      const mail = await simpleParser(raw);
      expect(mail.subject).toBe('Grüße aus Köln');
      expect(mail.from?.value).toEqual([{ name: 'Jürgen Groß', address: 'me@example.org' }]);
      expect(mail.to).toMatchObject({ value: [{ name: 'Zoë', address: 'zoe@example.net' }] });
      expect(mail.text).toBe('Hallo.\n');
    },
  );

  it('declares SMTPUTF8 for an international address and keeps the header as it is', async () => {
    const { server, home } = await setup();
    expect(await sendmail(home, header('jörg@example.net'))).toEqual([]);
    const [received] = server.messages;
    expect(received?.to).toEqual(['jörg@example.net']);
    expect(received?.declared.smtpUtf8).toBe(true);
    expect(received?.raw.toString('utf8')).toContain('Subject: Grüße aus Köln\r\n');
  });

  it('fails at once, without a word to the server, when it does not take international addresses', async () => {
    const { server, home } = await setup({ hideSMTPUTF8: true });
    const [item] = await sendmail(home, header('jörg@example.net'));
    expect(item).toMatchObject({ state: 'failed', attempts: 1, lastError: { code: 'smtputf8_unsupported' } });
    expect(item?.lastError?.message).toMatch(/does not accept international addresses \(SMTPUTF8\)/);
    expect(server.dataCount()).toBe(0);
  });
});
