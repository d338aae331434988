import { execFile } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAIN_HELP } from '../../../main/cli/main.ts';
import { addLocalAccount, makeHome, NODE, runCli, runProgram } from './run-cli.ts';

const run = promisify(execFile);
const ROOT = path.resolve('.');
const BUNDLE = path.join(ROOT, 'out', 'cli', 'outbox.mjs');

/**
 * What `npm install -g` of the packed CLI lays out, without the network (an offline install of the
 * app's dependencies cannot be had): the tarball's files under lib/node_modules/outbox, where Node
 * refuses to strip TypeScript types, beside only the native keyring the bundle leaves external.
 */
let scratch: string;
let installed: string;
let files: string[];

beforeAll(async () => {
  // `npm run build` makes the bundle before the suite; run alone, this file makes it.
  if (!fs.existsSync(BUNDLE)) await run(NODE, ['scripts/build-cli.ts'], { cwd: ROOT });
  scratch = await fsp.mkdtemp(path.join(tmpdir(), 'outbox-installed-'));
  // --ignore-scripts: prepack would rebuild out/cli/ under the feet of other CLI tests running now.
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', scratch], {
    cwd: ROOT,
    env: { ...process.env, PATH: `${path.dirname(NODE)}${path.delimiter}${process.env.PATH}` },
  });
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  if (!packed) throw new Error(`npm pack said nothing: ${stdout}`);
  files = packed.files.map((file) => file.path);
  installed = path.join(scratch, 'lib', 'node_modules', 'outbox');
  await fsp.mkdir(installed, { recursive: true });
  await run('tar', ['-xzf', path.join(scratch, packed.filename), '-C', installed, '--strip-components=1']);
  const keyring = path.join(installed, 'node_modules', '@napi-rs', 'keyring');
  await fsp.mkdir(path.dirname(keyring), { recursive: true });
  await fsp.symlink(fs.realpathSync(path.join(ROOT, 'node_modules', '@napi-rs', 'keyring')), keyring);
}, 180_000);

afterAll(async () => {
  if (scratch) await fsp.rm(scratch, { recursive: true, force: true });
});

function installedCli(home: string, args: readonly string[], input = '') {
  const bin = path.join(installed, 'bin', 'outbox.js');
  return runProgram(NODE, [bin, ...args], { ...process.env, OUTBOX_HOME: home }, input);
}

describe('the packed CLI', () => {
  it('ships the compiled bundle and the data it reads, and no TypeScript', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/outbox.js',
        'out/cli/outbox.mjs',
        'build/oauth-clients.json',
        'build/ispdb/ispdb.json',
      ]),
    );
    expect(files.filter((file) => file.endsWith('.ts'))).toEqual([]);
  });

  it('runs --help and queues a message with sendmail from an installed copy', async () => {
    const home = await makeHome();
    try {
      const help = await installedCli(home, ['--help']);
      expect(help.stderr).toBe('');
      expect(help.stdout).toBe(MAIN_HELP);
      expect(help.code).toBe(0);

      await addLocalAccount(home, 'Work', 'me@example.org', 9);
      const queued = await installedCli(
        home,
        ['sendmail', 'ann@example.net'],
        'Subject: hello\n\nfrom npm\n',
      );
      expect(queued.stderr).toBe('');
      expect(queued.code).toBe(0);

      // The checkout's CLI sees it: one queue, one format.
      const list = await runCli(home, ['queue', 'list']);
      expect(list.stdout).toContain('ann@example.net\thello');
      expect(list.code).toBe(0);
    } finally {
      await fsp.rm(home, { recursive: true, force: true });
    }
  });
});
