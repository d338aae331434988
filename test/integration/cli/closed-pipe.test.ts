import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, homeWithIdleAccount, NODE, runCli } from './run-cli.ts';

const home = homeWithIdleAccount();

/** Addresses enough that `queue list --json` prints far more than a pipe holds (64 KB on Linux). */
const RECIPIENTS = Array.from({ length: 1000 }, (_, i) => `reader${String(i).padStart(4, '0')}@example.net`);

beforeAll(async () => {
  for (const subject of ['first', 'second']) {
    const queued = await runCli(home(), ['sendmail', ...RECIPIENTS], `Subject: ${subject}\n\nHello.\n`);
    expect(queued.code).toBe(0);
  }
}, 60_000);

interface Finished {
  readonly code: number | null;
  readonly stderr: string;
  readonly read: number;
}

/** `outbox queue list --json` into a reader that closes the pipe after the first chunk, as `head -1` does. */
function listIntoClosingReader(): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [BIN, 'queue', 'list', '--json'], {
      env: { ...process.env, OUTBOX_HOME: home() },
    });
    let stderr = '';
    let read = 0;
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdout.once('data', (chunk: Buffer) => {
      read = chunk.length;
      child.stdout.destroy();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stderr, read });
    });
    child.stdin.end();
  });
}

describe('output into a closed pipe', () => {
  it('a reader that stops after the first line is no error: nothing on stderr, exit 0', async () => {
    const listed = await runCli(home(), ['queue', 'list', '--json']);
    // The premise: more is printed than the pipe and the first read can hold, so a write fails.
    expect(listed.stdout.length).toBeGreaterThan(4 * 65_536);
    const result = await listIntoClosingReader();
    expect(result.read).toBeGreaterThan(0);
    expect(result.read).toBeLessThan(listed.stdout.length);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
  }, 60_000);

  it('still reports any other write failure, such as a full disk', async () => {
    const full = fs.openSync('/dev/full', 'w');
    try {
      const code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn(NODE, [BIN, 'queue', 'list'], {
          env: { ...process.env, OUTBOX_HOME: home() },
          stdio: ['ignore', full, 'pipe'],
        });
        let stderr = '';
        child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        child.on('error', reject);
        child.on('close', (exitCode) => {
          expect(stderr).toMatch(/^outbox: .*ENOSPC.*\n$/);
          resolve(exitCode);
        });
      });
      expect(code).toBe(70);
    } finally {
      fs.closeSync(full);
    }
  }, 60_000);
});
