import fsp from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { queueListJson } from '../../../main/cli/json-output.ts';
import { MAX_RECIPIENTS } from '../../../preload/contract/compose.ts';
import { leftoverFiles } from '../../support/queue-on-disk.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { addLocalAccount, makeHome, runCli } from './run-cli.ts';

// Issue 12: a record too large for the queue log's frame was acknowledged, then read back by every
// process as damage. Each message here is either delivered or refused up front, never lost.

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** A data folder for this test only, with one account sending through the server on `port`. */
async function newHome(port = server.port): Promise<string> {
  const home = await makeHome();
  onTestFinished(() => fsp.rm(home, { recursive: true, force: true }));
  await addLocalAccount(home, 'Lists', 'lists@example.org', port);
  return home;
}

async function listed(home: string) {
  const result = await runCli(home, ['queue', 'list', '--json']);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return queueListJson.parse(JSON.parse(result.stdout)).messages;
}

/** `n` different addresses of 66 characters each. */
const addresses = (n: number) =>
  Array.from({ length: n }, (_, i) => `member-${String(i).padStart(6, '0')}@${'d'.repeat(44)}.example`);

/** A To field with one address a line (RFC 5322 §3.2.2 folding), every line far under 998. */
const toField = (list: readonly string[]) => `To: ${list.join(',\r\n ')}`;

const message = (headers: readonly string[], body = 'Hello.\r\n') =>
  Buffer.from(`${['From: lists@example.org', ...headers].join('\r\n')}\r\n\r\n${body}`, 'utf8');

describe('records bounded by design', () => {
  it('refuses sendmail -t with 10000 recipients with exit 65, queueing nothing and leaving no file', async () => {
    const home = await newHome();
    const input = message([toField(addresses(10_000)), 'Subject: everyone']);
    expect(input.length).toBeGreaterThan(700_000);

    const result = await runCli(home, ['sendmail', '-t', '-oi'], input);
    expect(result.code).toBe(65);
    expect(result.stderr).toContain(
      `This message has 10000 recipients; Outbox sends at most ${MAX_RECIPIENTS} in one message.`,
    );
    expect(await listed(home)).toEqual([]);
    expect(await leftoverFiles(home)).toEqual([]);
  });

  it('refuses a Message-ID longer than a line can hold, even folded (exit 65)', async () => {
    const home = await newHome();
    // Folding inside a msg-id is not RFC 5322, yet it is how a longer one would get past the line limit.
    const id = `<${'m'.repeat(600)}\r\n ${'m'.repeat(600)}@example.org>`;
    const input = message(['To: ann@example.net', `Message-ID: ${id}`, 'Subject: long id']);
    const result = await runCli(home, ['sendmail', '-t'], input);
    expect(result.code).toBe(65);
    expect(result.stderr).toContain('The Message-ID is longer than 998 characters');
    expect(await listed(home)).toEqual([]);
    expect(await leftoverFiles(home)).toEqual([]);
  });

  it('queues, lists and delivers byte for byte a message with a 1.1 MB folded Subject', async () => {
    const home = await newHome();
    const words = Array.from({ length: 1_250 }, (_, i) => `line${i} ${'word '.repeat(180)}`.trimEnd());
    const subject = `Subject: ${words.join('\r\n ')}`;
    expect(subject.length).toBeGreaterThan(1_100_000);
    const input = message([
      'To: ann@example.net',
      'Message-ID: <big-subject@example.org>',
      'Date: Thu, 03 Dec 2026 18:00:00 +0000',
      subject,
    ]);

    const queued = await runCli(home, ['sendmail', '-t'], input);
    expect(queued.stderr).toBe('');
    expect(queued.code).toBe(0);
    const [item, ...others] = await listed(home);
    expect(others).toEqual([]);
    expect(item?.state).toBe('queued');
    expect(item?.subject.startsWith('line0 word word')).toBe(true);
    expect(item?.subject.endsWith('…')).toBe(true);
    expect(item?.subject.length).toBeLessThanOrEqual(998);

    const flushed = await runCli(home, ['queue', 'flush', '--wait']);
    expect(flushed.stderr).toBe('');
    expect(flushed.code).toBe(0);
    const received = server.messages.find((m) => m.messageId === '<big-subject@example.org>');
    expect(received?.raw.equals(input)).toBe(true);
    expect(await listed(home)).toEqual([]);
  });

  it('keeps a message whose every recipient was refused with a long reply: failed, readable, never queued again', async () => {
    const refusing = await startTestServer({
      onRcptTo: (address) => ({ code: 550, message: `5.1.1 <${address}> ${'no such user; '.repeat(110)}` }),
    });
    try {
      const home = await newHome(refusing.port);
      const list = addresses(MAX_RECIPIENTS);
      const queued = await runCli(home, ['sendmail', '-t'], message([toField(list), 'Subject: to all']));
      expect(queued.stderr).toBe('');
      expect(queued.code).toBe(0);

      const flushed = await runCli(home, ['queue', 'flush', '--wait']);
      expect(flushed.code).toBe(0);
      // Each `queue list` is a new process reading the log from disk.
      for (let read = 0; read < 2; read++) {
        const [item, ...others] = await listed(home);
        expect(others).toEqual([]);
        expect(item?.state).toBe('failed');
        expect(item?.lastError?.code).toBe('recipient_rejected');
        expect(item?.recipients.map((r) => [r.address, r.state])).toEqual(list.map((a) => [a, 'rejected']));
        for (const [i, recipient] of (item?.recipients ?? []).entries()) {
          expect(recipient.lastReply?.startsWith(`550 5.1.1 <${list[i] ?? ''}> no such user`)).toBe(true);
          expect(recipient.lastReply?.endsWith('…')).toBe(true);
          expect(Buffer.byteLength(recipient.lastReply ?? '')).toBeLessThanOrEqual(512);
        }
      }
      expect(refusing.dataCount()).toBe(0);
    } finally {
      await refusing.close();
    }
  });
});
