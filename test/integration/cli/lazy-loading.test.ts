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
      "process.on('exit', () => writeFileSync(process.env.LOADS_FILE, JSON.stringify(loaded)));",
      '',
    ].join('\n'),
  );
});

async function loadsOf(args: readonly string[], input = ''): Promise<string[]> {
  const home = await newHome();
  const file = path.join(home, 'loads.json');
  const env = { ...process.env, OUTBOX_HOME: home, LOADS_FILE: file };
  const result = await runProgram(NODE, ['--import', hook, BIN, ...args], env, input);
  expect(result.stderr).not.toContain('Error');
  return JSON.parse(await fsp.readFile(file, 'utf8')) as string[];
}

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

  it('accounts discover does load it', async () => {
    const loads = await loadsOf(['accounts', 'discover', 'ann@gmail.com']);
    expect(loads.some((url) => /\/main\/discovery\/|\/out\/cli\/create-discovery[.-]/.test(url))).toBe(true);
  });
});
