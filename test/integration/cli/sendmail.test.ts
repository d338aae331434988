import fsp from 'node:fs/promises';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueListJson } from '../../../main/cli/json-output.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { addLocalAccount, makeHome, runCli } from './run-cli.ts';

let server: TestServer;
let home: string;

beforeAll(async () => {
  server = await startTestServer();
  home = await makeHome();
  await addLocalAccount(home, 'Personal', 'me@example.org', server.port);
  await addLocalAccount(home, 'Alerts', 'alerts@example.org', server.port);
});
afterAll(async () => {
  await server.close();
  await fsp.rm(home, { recursive: true, force: true });
});

describe('sendmail', () => {
  it('normalises line endings, strips a folded Bcc, adds Message-ID and Date, and picks the account by From', async () => {
    const message = [
      'From: Alerts <alerts@example.org>',
      'To: ann@example.net',
      'Bcc: boss@example.net,',
      '  audit@example.net',
      'Subject: =?utf-8?q?disk_=C3=BCberf=C3=BCllt?=',
      '',
      'line one',
      '.',
      'line three\r',
      'bare CR\rhere',
      '',
    ].join('\n');
    const queued = await runCli(home, ['sendmail', '-t', '-oi', '-f', 'bounces@example.org'], message);
    expect(queued.stderr).toBe('');
    expect(queued.code).toBe(0);

    const list = await runCli(home, ['queue', 'list', '--json']);
    const [item] = queueListJson.parse(JSON.parse(list.stdout)).messages;
    expect(item?.account.label).toBe('Alerts');
    expect(item?.subject).toBe('disk überfüllt');

    expect((await runCli(home, ['queue', 'flush', '--wait'])).code).toBe(0);
    const [received] = server.messages;
    expect(received?.from).toBe('bounces@example.org');
    expect(received?.to).toEqual(['ann@example.net', 'boss@example.net', 'audit@example.net']);

    const raw = received?.raw.toString('utf8') ?? '';
    expect(raw).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
    expect(raw).not.toMatch(/^Bcc:|audit@example\.net/im);
    expect(raw).toContain('\r\n\r\nline one\r\n.\r\nline three\r\nbare CR\r\nhere\r\n');
    const mail = await simpleParser(received?.raw ?? '');
    expect(mail.messageId).toBe(item?.messageId);
    expect(mail.date?.getTime()).toBeGreaterThan(Date.now() - 120_000);
    expect(mail.subject).toBe('disk überfüllt');
  });
});

describe('sendmail -f with the null reverse-path (RFC 5321 §4.5.5, RFC 3834)', () => {
  it.each(['<>', ''])('-f %j sends MAIL FROM:<> and keeps the account in From', async (sender) => {
    const before = server.messages.length;
    const queued = await runCli(
      home,
      ['sendmail', '-f', sender, '--account', 'Personal', 'ann@example.net'],
      'Subject: Out of office\nAuto-Submitted: auto-replied\n\nBack on Monday.\n',
    );
    expect(queued.stderr).toBe('');
    expect(queued.code).toBe(0);

    expect((await runCli(home, ['queue', 'flush', '--wait'])).code).toBe(0);
    const received = server.messages.slice(before);
    expect(received.map((m) => [m.from, m.to])).toEqual([['', ['ann@example.net']]]);
    const raw = received[0]?.raw.toString('utf8') ?? '';
    expect(raw).toMatch(/^From: me@example\.org\r$/m);
    expect(raw).toContain('\r\n\r\nBack on Monday.\r\n');
  });
});
