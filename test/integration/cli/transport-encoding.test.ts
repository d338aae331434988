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
