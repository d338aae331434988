import { execFileSync } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { storedMessages } from '../../support/queue-on-disk.ts';
import { addLocalAccount, BIN, makeHome, NODE, runCli } from './run-cli.ts';

let server: TestServer;
let home: string;

beforeAll(async () => {
  server = await startTestServer();
  home = await makeHome();
  await addLocalAccount(home, 'Dev', 'dev@example.org', server.port);
});
afterAll(async () => {
  await server.close();
  await fsp.rm(home, { recursive: true, force: true });
});

/** A repository with two commits, as two patch files from git format-patch. */
async function twoPatches(): Promise<string[]> {
  const repo = path.join(home, 'repo');
  await fsp.mkdir(repo);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8' });
  git('init', '-q');
  git('config', 'user.name', 'Dev Eloper');
  git('config', 'user.email', 'dev@example.org');
  await fsp.writeFile(path.join(repo, 'a.txt'), 'one\n');
  git('add', 'a.txt');
  git('commit', '-q', '-m', 'Add a.txt');
  await fsp.writeFile(path.join(repo, 'a.txt'), 'one\ntwo\n');
  await fsp.writeFile(path.join(repo, 'b.txt'), 'bee\n.\n.leading dot\n');
  git('add', 'a.txt', 'b.txt');
  git('commit', '-q', '-m', 'Add b.txt and a second line');
  return git('format-patch', '--root', '-o', path.join(home, 'patches'), 'HEAD').trim().split('\n');
}

const bodyOf = (text: string) =>
  text.replace(/\r\n/g, '\n').slice(text.replace(/\r\n/g, '\n').indexOf('\n\n') + 2);

describe('git send-email through outbox sendmail', () => {
  it('queues a two-patch series without delivering, then queue flush --wait delivers it intact and threaded', async () => {
    const patches = await twoPatches();
    expect(patches).toHaveLength(2);

    execFileSync(
      'git',
      [
        'send-email',
        `--sendmail-cmd=${NODE} ${BIN} sendmail`,
        '--confirm=never',
        '--no-validate',
        '--suppress-cc=all',
        '--from=Dev Eloper <dev@example.org>',
        '--to=list@example.net',
        ...patches,
      ],
      { cwd: path.join(home, 'repo'), env: { ...process.env, OUTBOX_HOME: home }, stdio: 'pipe' },
    );
    // sendmail only enqueues: nothing reached the server, both messages wait in the queue.
    expect(server.messages).toHaveLength(0);
    expect(await storedMessages(home)).toHaveLength(2);

    const flush = await runCli(home, ['queue', 'flush', '--wait']);
    expect(flush.stderr).toBe('');
    expect(flush.code).toBe(0);
    expect(flush.stdout).toContain('Delivered 2');
    expect(server.messages).toHaveLength(2);

    const received = await Promise.all(
      server.messages.map(async (m) => ({ raw: m.raw.toString('utf8'), mail: await simpleParser(m.raw) })),
    );
    received.sort((a, b) => (a.mail.subject ?? '').localeCompare(b.mail.subject ?? ''));
    const [first, second] = received.map((r) => r.mail);
    expect(first?.subject).toBe('[PATCH 1/2] Add a.txt');
    expect(second?.subject).toBe('[PATCH 2/2] Add b.txt and a second line');
    expect(server.messages.every((m) => m.from === 'dev@example.org')).toBe(true);
    expect(server.messages.every((m) => m.to.join() === 'list@example.net')).toBe(true);

    // Threaded: the second patch answers the first.
    expect(first?.messageId).toBeTruthy();
    expect(second?.inReplyTo).toBe(first?.messageId);
    expect([second?.references].flat()).toContain(first?.messageId);

    // Intact: each received body is the patch's body, byte for byte (dot lines included).
    for (const [i, file] of patches.entries()) {
      const patch = await fsp.readFile(file, 'utf8');
      expect(bodyOf(received[i]?.raw ?? '')).toBe(bodyOf(patch));
    }
    expect(await storedMessages(home)).toEqual([]);
  });
});
