import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, NODE, runProgram } from './run-cli.ts';

/**
 * bin/outbox.js in a stand-in checkout whose "bundle" and "sources" each say which one ran: the
 * launcher must run the bundle only when no source it was built from changed since.
 */
let tree: string;

const entry = (name: string) => `export async function main() { process.stdout.write('${name}'); }\n`;

async function write(relative: string, text: string, mtime: Date): Promise<void> {
  const file = path.join(tree, relative);
  await fsp.mkdir(path.dirname(file), { recursive: true });
  await fsp.writeFile(file, text);
  await fsp.utimes(file, mtime, mtime);
}

function launch() {
  return runProgram(NODE, [path.join(tree, 'bin', 'outbox.js')], { ...process.env, HOME: tree });
}

const BUILT = new Date('2026-06-01T12:00:00Z');
const BEFORE = new Date('2026-06-01T11:00:00Z');
const AFTER = new Date('2026-06-01T13:00:00Z');

beforeEach(async () => {
  tree = await fsp.mkdtemp(path.join(tmpdir(), 'outbox-launcher-'));
  await write('bin/outbox.js', await fsp.readFile(BIN, 'utf8'), BEFORE);
  await write('main/cli/main.ts', entry('sources'), BEFORE);
  await write('main/cli/other.ts', '', BEFORE);
  await write('out/cli/outbox.mjs', entry('bundle'), BUILT);
  await write('out/cli/sources.json', JSON.stringify(['main/cli/main.ts', 'main/cli/other.ts']), BUILT);
});
afterEach(async () => {
  await fsp.rm(tree, { recursive: true, force: true });
});

describe('bin/outbox.js', () => {
  it('runs the bundle when it is newer than its sources', async () => {
    expect((await launch()).stdout).toBe('bundle');
  });

  it('runs the sources when one of them was edited after the build', async () => {
    await fsp.utimes(path.join(tree, 'main/cli/other.ts'), AFTER, AFTER);
    expect((await launch()).stdout).toBe('sources');
  });

  it('runs the bundle of an installed copy, which has no sources', async () => {
    await fsp.rm(path.join(tree, 'main'), { recursive: true });
    expect((await launch()).stdout).toBe('bundle');
  });

  it('runs the sources before any build', async () => {
    await fsp.rm(path.join(tree, 'out'), { recursive: true });
    expect((await launch()).stdout).toBe('sources');
  });
});
