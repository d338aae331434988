import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/** Node 24 from node_modules (the `node` on PATH may be older) and the real launcher. */
export const NODE = path.resolve('node_modules/.bin/node');
export const BIN = path.resolve('bin/outbox.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `outbox …` as a user would, on the data folder `home`, with `input` on stdin; `env` adds to the environment. */
export function runCli(
  home: string,
  args: readonly string[],
  input: string | Buffer = '',
  env: NodeJS.ProcessEnv = {},
): Promise<CliResult> {
  return runProgram(NODE, [BIN, ...args], { ...process.env, ...env, OUTBOX_HOME: home }, input);
}

/** Runs a program with exactly `env`, `input` on stdin, in `cwd` if given, and collects what it prints. */
export function runProgram(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input: string | Buffer = '',
  cwd?: string,
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, ...(cwd === undefined ? {} : { cwd }) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

export function makeHome(): Promise<string> {
  return fsp.mkdtemp(path.join(tmpdir(), 'outbox-cli-'));
}

/** `makeHome` for a test file: every folder it makes is removed after the file's last test. */
export function tempHomes(): () => Promise<string> {
  const homes: string[] = [];
  afterAll(async () => {
    await Promise.all(homes.map((home) => fsp.rm(home, { recursive: true, force: true })));
  });
  return async () => {
    const home = await makeHome();
    homes.push(home);
    return home;
  };
}

/** `outbox accounts add` for a server on 127.0.0.1; `rest` says how it is secured and signed in to. */
export function localAccountArgs(
  label: string,
  from: string,
  port: number,
  rest: readonly string[],
): string[] {
  return [
    'accounts',
    'add',
    '--label',
    label,
    '--from',
    from,
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    ...rest,
  ];
}

/** Adds a plain-SMTP, no-sign-in account for a local smtp-server and returns its id. */
export async function addLocalAccount(
  home: string,
  label: string,
  from: string,
  port: number,
): Promise<string> {
  const result = await runCli(
    home,
    localAccountArgs(label, from, port, ['--security', 'none', '--allow-plaintext', '--no-password']),
  );
  if (result.code !== 0) throw new Error(`accounts add failed: ${result.stderr}`);
  return result.stdout.trim();
}

/**
 * A data folder for a test file, made before its tests with one account (Work, me@example.org)
 * whose server is never reached (port 9, discard), so what is queued stays queued; removed after.
 */
export function homeWithIdleAccount(): () => string {
  let home: string | undefined;
  beforeAll(async () => {
    home = await makeHome();
    await addLocalAccount(home, 'Work', 'me@example.org', 9);
  }, 60_000);
  afterAll(async () => {
    if (home) await fsp.rm(home, { recursive: true, force: true });
  });
  return () => {
    if (home === undefined) throw new Error('the home is made before the tests run');
    return home;
  };
}
