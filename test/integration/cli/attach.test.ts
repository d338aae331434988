import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueListJson } from '../../../main/cli/json-output.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { addLocalAccount, makeHome, runCli } from './run-cli.ts';

/** Only a guard: a refusal comes at once; without it a FIFO would hang the command for ever. */
const HANG_GUARD_MS = 60_000;

let server: TestServer;
let home: string;

beforeAll(async () => {
  server = await startTestServer();
  home = await makeHome();
  await addLocalAccount(home, 'Main', 'me@example.org', server.port);
});
afterAll(async () => {
  await server.close();
  await fsp.rm(home, { recursive: true, force: true });
});

const send = (...attach: string[]) => [
  'send',
  '--to',
  'ann@example.net',
  '--subject',
  'files',
  '--text',
  'attached',
  ...attach.flatMap((file) => ['--attach', file]),
];

async function queued(): Promise<number> {
  const list = await runCli(home, ['queue', 'list', '--json']);
  return queueListJson.parse(JSON.parse(list.stdout)).messages.length;
}

describe('outbox send --attach', () => {
  it('delivers a regular file, and one reached through a symlink, byte for byte', async () => {
    const dir = await fsp.mkdtemp(path.join(home, 'files-'));
    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const bytes = Buffer.concat([every, randomBytes(300 * 1024), every]);
    await fsp.writeFile(path.join(dir, 'photo.bin'), bytes);
    await fsp.symlink(path.join(dir, 'photo.bin'), path.join(dir, 'link.bin'));

    const sent = await runCli(home, send(path.join(dir, 'photo.bin'), path.join(dir, 'link.bin')));
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const flush = await runCli(home, ['queue', 'flush', '--wait']);
    expect(flush.code).toBe(0);

    expect(server.messages).toHaveLength(1);
    const mail = await simpleParser(server.messages[0]?.raw ?? '');
    expect(mail.attachments.map((a) => [a.filename, a.content])).toEqual([
      ['photo.bin', bytes],
      ['link.bin', bytes],
    ]);
  });

  it.each([
    { name: '/dev/zero', make: () => Promise.resolve('/dev/zero') },
    {
      name: 'a FIFO',
      make: async () => {
        const file = path.join(await fsp.mkdtemp(path.join(home, 'fifo-')), 'pipe');
        await promisify(execFile)('mkfifo', [file]);
        return file;
      },
    },
  ])(
    'refuses $name at once with exit 65 and queues nothing',
    async ({ make }) => {
      const file = await make();
      const result = await runCli(home, send(file));
      expect(result.code).toBe(65);
      expect(result.stderr.trim()).toMatch(new RegExp(`attachments\\.0: ${file} is not a file\\.$`));
      expect(await queued()).toBe(0);
    },
    HANG_GUARD_MS,
  );
});
