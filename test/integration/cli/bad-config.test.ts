import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addLocalAccount, makeHome, runCli, type CliResult } from './run-cli.ts';

let home: string;
let config: string;
/** The settings file as `accounts add` wrote it. */
let good: string;
let queued: string;

beforeAll(async () => {
  home = await makeHome();
  config = path.join(home, 'config.json');
  // Never contacted: every command here must stop before it delivers anything.
  await addLocalAccount(home, 'Main', 'me@example.org', 9);
  // A message in the queue: reading it is what read the accounts outside any command's handling.
  const sent = await runCli(home, ['send', '--to', 'ann@example.net', '--subject', 's', '--text', 't']);
  expect(sent.code).toBe(0);
  queued = sent.stdout.trim();
  good = await fsp.readFile(config, 'utf8');
});
afterAll(async () => {
  await fsp.rm(home, { recursive: true, force: true });
});

/** The saved accounts' document rewritten by `change`, the rest of the file as it was. */
function withAccounts(change: (accounts: Record<string, unknown>) => unknown): string {
  const settings = JSON.parse(good) as { accounts: Record<string, unknown> };
  return JSON.stringify({ ...settings, accounts: change(settings.accounts) });
}

const SETTINGS = {
  'damaged JSON': () => good.slice(0, good.length / 2),
  'a newer format': () => withAccounts((accounts) => ({ ...accounts, version: 99 })),
};

const COMMANDS: Record<string, { args: () => string[]; input?: string }> = {
  'queue list': { args: () => ['queue', 'list'] },
  'queue show': { args: () => ['queue', 'show', queued] },
  'queue flush': { args: () => ['queue', 'flush'] },
  send: { args: () => ['send', '--to', 'ann@example.net', '--subject', 's', '--text', 't'] },
  sendmail: { args: () => ['sendmail', 'ann@example.net'], input: 'Subject: hi\n\nbody\n' },
  'accounts list': { args: () => ['accounts', 'list'] },
  'sent list': { args: () => ['sent', 'list'] },
};

/** One line on stderr naming the settings file, exit 78 (EX_CONFIG), and no stack trace. */
function expectConfigError(result: CliResult, why: RegExp): void {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(why)]);
  expect(result.stderr).toContain(`cannot read the settings in ${config}: `);
  expect(result.code).toBe(78);
  expect(result.stdout).toBe('');
}

describe('a settings file that cannot be read is one line and exit 78 for every command', () => {
  const cases = Object.entries(SETTINGS).flatMap(([settings, text]) =>
    Object.entries(COMMANDS).map(([command, run]) => ({ settings, text, command, run })),
  );

  it.each(cases)('$settings: $command', async ({ settings, text, run }) => {
    const content = text();
    await fsp.writeFile(config, content);
    const result = await runCli(home, run.args(), run.input);
    expectConfigError(result, settings === 'a newer format' ? /newer version of Outbox/ : /JSON/);
    // Refused, never rewritten: the build that understands the file still finds it as it was.
    expect(await fsp.readFile(config, 'utf8')).toBe(content);
  });

  it.each([
    { settings: 'null', text: () => 'null', why: /holds null, not the settings object/ },
    { settings: 'a list', text: () => '[]', why: /holds a list, not the settings object/ },
    {
      settings: 'saved accounts of the wrong shape',
      text: () => withAccounts(() => ['Main']),
      why: /saved accounts could not be read \(damaged\)/,
    },
  ])('$settings is damage, not "no accounts"', async ({ text: textOf, why }) => {
    const text = textOf();
    await fsp.writeFile(config, text);
    expectConfigError(await runCli(home, ['queue', 'list']), why);
    expectConfigError(await runCli(home, ['accounts', 'list']), why);
    expect(await fsp.readFile(config, 'utf8')).toBe(text);
  });

  it('an unreadable settings file (a folder in its place)', async () => {
    await fsp.rm(config);
    await fsp.mkdir(config);
    try {
      expectConfigError(await runCli(home, ['queue', 'list']), /EISDIR/);
    } finally {
      await fsp.rmdir(config);
    }
  });

  it('with the file mended, the queued message is still there', async () => {
    await fsp.writeFile(config, good);
    const list = await runCli(home, ['queue', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(queued);
  });
});

describe('an error no command caught', () => {
  it('is one line and exit 70, never a stack trace', async () => {
    await fsp.writeFile(config, good);
    // A throw from a callback after the command returned, as a bug would throw it.
    const preload = path.join(home, 'stray-throw.mjs');
    await fsp.writeFile(
      preload,
      `let thrown = false;
process.on('beforeExit', () => {
  if (thrown) return;
  thrown = true;
  setImmediate(() => { throw new Error('a stray failure\\nwith a second line'); });
});
`,
    );
    const result = await runCli(home, ['accounts', 'list'], '', { NODE_OPTIONS: `--import=${preload}` });
    expect(result.stderr).toBe('outbox: internal error: a stray failure\n');
    expect(result.code).toBe(70);
  });
});
