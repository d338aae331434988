import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { leftoverFiles } from '../../support/queue-on-disk.ts';
import { deliverOne, refusal, useCliHomes } from './cli-homes.ts';
import { BIN, NODE, runCli, type CliResult } from './run-cli.ts';

const homes = useCliHomes();

/** Queues `input` with `outbox sendmail args`, delivers it and returns the bytes and envelope received. */
async function deliver(args: readonly string[], input: string) {
  const message = await deliverOne(homes, ['sendmail', ...args], input);
  return { to: message.to, raw: message.raw.toString('latin1') };
}

describe('sendmail header edge cases that are delivered', () => {
  it('an empty Message-ID is replaced, not kept beside a new one', async () => {
    const { raw } = await deliver(['ann@example.net'], 'Message-ID:\nSubject: hi\n\nbody\n');
    const ids = raw.match(/^Message-ID:.*$/gim) ?? [];
    expect(ids).toHaveLength(1);
    expect(ids[0]).toMatch(/^Message-ID: <[0-9a-f]+@example\.org>$/);
  });

  it('Resent-Bcc is removed like Bcc, and -t sends to the Resent- recipients (RFC 5322 §3.6.6)', async () => {
    const { to, raw } = await deliver(
      ['-t'],
      [
        'Resent-From: me@example.org',
        'Resent-To: ben@example.net',
        'Resent-Bcc: secret@example.net',
        'From: ann@example.net',
        'To: me@example.org',
        'Subject: forwarded',
        '',
        'body',
        '',
      ].join('\n'),
    );
    expect(to).toEqual(['ben@example.net', 'secret@example.net']);
    expect(raw).not.toMatch(/secret@example\.net/);
    expect(raw).not.toMatch(/^Resent-Bcc:/im);
    expect(raw).toMatch(/^Resent-To: ben@example\.net\r$/m);
  });
});

describe('sendmail header edge cases that are refused, nothing queued', () => {
  it.each([
    {
      name: 'two Message-IDs (RFC 5322 §3.6 allows one)',
      input: 'Message-ID: <a@example.org>\nMessage-ID: <b@example.org>\nSubject: hi\n\nbody\n',
      code: 65,
      message: /^outbox: The message has 2 Message-ID fields; RFC 5322 §3\.6 allows one\.$/,
    },
    {
      name: 'two From fields',
      input: 'From: me@example.org\nFrom: ceo@example.org\nSubject: hi\n\nbody\n',
      code: 65,
      message: /has 2 From fields/,
    },
    {
      name: 'a bare CR inside a header, which a line break would turn into a Bcc field',
      input: 'Subject: hi\rBcc: eve@example.com\nTo: ann@example.net\n\nbody\n',
      code: 65,
      message: /^outbox: Header line 1 holds a carriage return that ends no line/,
    },
    {
      name: 'a bare CR before a header line ending',
      input: 'Subject: hi\r\r\nTo: ann@example.net\n\nbody\n',
      code: 65,
      message: /Header line 1 holds a carriage return/,
    },
  ])('$name', async ({ input, code, message }) => {
    const result = await runCli(homes.refusing, ['sendmail', 'ann@example.net'], input);
    expect(result.code).toBe(code);
    expect(await refusal(homes, result)).toMatch(message);
    expect(await leftoverFiles(homes.refusing)).toEqual([]);
  });

  it('a directory on stdin (`outbox sendmail < /`) exits 66 with one line, not "empty message"', async () => {
    const dir = await fsp.open('/', 'r');
    try {
      const result = await new Promise<CliResult>((resolve, reject) => {
        const child = spawn(NODE, [BIN, 'sendmail', 'ann@example.net'], {
          env: { ...process.env, OUTBOX_HOME: homes.refusing },
          stdio: [dir.fd, 'pipe', 'pipe'],
        });
        let stdout = '';
        let stderr = '';
        child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        child.on('error', reject);
        child.on('close', (code) => {
          resolve({ code, stdout, stderr });
        });
      });
      expect(result.code).toBe(66);
      expect(await refusal(homes, result)).toBe(
        'outbox: cannot read the message from stdin: it is a directory',
      );
    } finally {
      await dir.close();
    }
  });
});
