import { spawn } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, NODE, runProgram, tempHomes } from './run-cli.ts';

/**
 * What a command loads, as Node's module hooks see it (the bundle's chunks after `npm run build`,
 * the TypeScript sources before): help must not pay for the app, sendmail not for ajv (issue 17).
 */
const newHome = tempHomes();
let hook: string;

beforeAll(async () => {
  const dir = await newHome();
  hook = path.join(dir, 'record-loads.mjs');
  await fsp.writeFile(
    hook,
    [
      "import { registerHooks } from 'node:module';",
      "import { writeFileSync } from 'node:fs';",
      'const loaded = [];',
      'registerHooks({ load(url, context, next) { loaded.push(url); return next(url, context); } });',
      // Node's own modules too (NativeModule tls, …): the bundle reads them with getBuiltinModule.
      "process.on('exit', () => writeFileSync(process.env.LOADS_FILE, JSON.stringify({ loaded, builtins: process.moduleLoadList })));",
      '',
    ].join('\n'),
  );
});

interface Loads {
  /** The modules' URLs (sources or chunks, and what stays outside the bundle: the native keyring). */
  readonly loaded: string[];
  /** Node's builtins, as process.moduleLoadList names them ("NativeModule tls"). */
  readonly builtins: string[];
}

async function loadsAndBuiltins(
  args: readonly string[],
  input = '',
  prepare?: (home: string) => Promise<void>,
): Promise<Loads> {
  const home = await newHome();
  await prepare?.(home);
  const file = path.join(home, 'loads.json');
  const env = { ...process.env, OUTBOX_HOME: home, LOADS_FILE: file };
  const result = await runProgram(NODE, ['--import', hook, BIN, ...args], env, input);
  expect(result.stderr).not.toContain('Error');
  return JSON.parse(await fsp.readFile(file, 'utf8')) as Loads;
}

async function loadsOf(args: readonly string[], input = ''): Promise<string[]> {
  return (await loadsAndBuiltins(args, input)).loaded;
}

/** An account to queue for (its server is never reached: nothing here delivers). */
async function withAccount(home: string): Promise<void> {
  const add = ['accounts', 'add', '--label', 'Work', '--from', 'me@example.org', '--host', '127.0.0.1'];
  const rest = ['--port', '9', '--security', 'none', '--allow-plaintext', '--no-password'];
  const result = await runProgram(NODE, [BIN, ...add, ...rest], { ...process.env, OUTBOX_HOME: home });
  expect(result.stderr).toBe('');
}

/** The OAuth2 sign-in: oauth4webapi in main/oauth (sources), the chunk of its lazy import (bundle). */
const oauth = (url: string) =>
  /\/main\/oauth\/(create-oauth|browser-sign-in)|\/out\/cli\/create-oauth[.-]/.test(url);
const keychain = (url: string) => url.includes('/@napi-rs/keyring');

/** The app's core and every dependency: sources and bundle name the core module cli-core alike. */
const heavy = (url: string) => url.includes('/node_modules/') || /\/cli-core[.-]/.test(url);

describe('what a command loads', () => {
  it.each([['--help'], ['queue', '--help'], ['accounts', '--help'], ['queue']])(
    'outbox %s loads neither the core nor any dependency',
    async (...args) => {
      const loads = await loadsOf(args);
      expect(loads.some((url) => url.includes('/main/cli/main.') || url.includes('/out/cli/outbox.'))).toBe(
        true,
      );
      expect(loads.filter(heavy)).toEqual([]);
    },
  );

  it('a command that reads no input leaves stdin unopened: --help loads no node:net', async () => {
    // Output to a file and input from a pipe: only Node's stdin (a socket on a pipe) would load node:net.
    const home = await newHome();
    const file = path.join(home, 'loads.json');
    const output = await fsp.open(path.join(home, 'output.txt'), 'w');
    try {
      const child = spawn(NODE, ['--import', hook, BIN, '--help'], {
        env: { ...process.env, OUTBOX_HOME: home, LOADS_FILE: file },
        stdio: ['pipe', output.fd, output.fd],
      });
      child.stdin?.end();
      expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
    } finally {
      await output.close();
    }
    expect(await fsp.readFile(path.join(home, 'output.txt'), 'utf8')).toContain('Usage: outbox');
    const { builtins } = JSON.parse(await fsp.readFile(file, 'utf8')) as Loads;
    expect(builtins).not.toContain('NativeModule net');
  });

  it('sendmail loads neither conf nor ajv', async () => {
    const loads = await loadsOf(['sendmail', 'ann@example.net'], 'Subject: x\n\nx\n');
    expect(loads.filter((url) => /\/node_modules\/(\.pnpm\/)?(conf|ajv)[@/]/.test(url))).toEqual([]);
  });

  it('sendmail and queue list load no part of the address lookup', async () => {
    // Sources: main/discovery/…; the bundle: the chunk its dynamic import starts with.
    const discovery = (url: string) => /\/main\/discovery\/|\/out\/cli\/create-discovery[.-]/.test(url);
    const sendmail = await loadsOf(['sendmail', 'ann@example.net'], 'Subject: x\n\nx\n');
    expect(sendmail.filter(discovery)).toEqual([]);
    expect((await loadsOf(['queue', 'list'])).filter(discovery)).toEqual([]);
  });

  it('sendmail queues a message without the SMTP transport, the keychain or OAuth2', async () => {
    const { loaded, builtins } = await loadsAndBuiltins(
      ['sendmail', 'ann@example.net'],
      'Subject: x\n\nx\n',
      withAccount,
    );
    // nodemailer's SMTP connection and the connection test need node:tls; the OAuth2 sign-in's
    // loopback listener and nodemailer's fetch, node:http (node:net reads stdin from a pipe).
    expect(builtins.filter((name) => /^NativeModule (tls|http|https)$/.test(name))).toEqual([]);
    expect(loaded.filter((url) => oauth(url) || keychain(url) || /\/cli-core[.-]/.test(url))).toEqual([]);
  });

  it('queue list loads neither the core, the keychain, OAuth2 nor any network module', async () => {
    const { loaded, builtins } = await loadsAndBuiltins(['queue', 'list'], '', withAccount);
    expect(loaded.filter((url) => oauth(url) || keychain(url) || /\/cli-core[.-]/.test(url))).toEqual([]);
    // (node:net is the pipe its output goes to.)
    expect(builtins.filter((name) => /^NativeModule (tls|http|https|dns)$/.test(name))).toEqual([]);
  });

  it('the compiled bundle loads node:crypto only for a command that hashes or signs', async () => {
    // Only the bundle defers it (scripts/cli-bundle.ts); `npm test` builds before it runs.
    const list = await loadsAndBuiltins(['queue', 'list'], '', withAccount);
    expect(
      list.loaded.some((url) => url.includes('/out/cli/')),
      'run `npm run build` first',
    ).toBe(true);
    expect(list.builtins).not.toContain('NativeModule crypto');
    expect((await loadsAndBuiltins(['--help'])).builtins).not.toContain('NativeModule crypto');
    // sendmail's random names (Message-ID, the queue's segment) come from main/core/random.ts, and
    // it reads none of node:util's lazily loaded parts (worker_threads, behind setTraceSigInt).
    const sendmail = await loadsAndBuiltins(
      ['sendmail', 'ann@example.net'],
      'Subject: x\n\nx\n',
      withAccount,
    );
    expect(sendmail.builtins.filter((name) => /^NativeModule (crypto|worker_threads)$/.test(name))).toEqual(
      [],
    );
    // What ran is the bundle, which defers node:crypto to a first call (the sources import it).
    expect(sendmail.loaded.some((url) => url.includes('/out/cli/'))).toBe(true);
  });

  it('accounts discover does load it', async () => {
    const loads = await loadsOf(['accounts', 'discover', 'ann@gmail.com']);
    expect(loads.some((url) => /\/main\/discovery\/|\/out\/cli\/create-discovery[.-]/.test(url))).toBe(true);
  });
});
