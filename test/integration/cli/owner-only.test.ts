import fsp from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, type CliResult, localAccountArgs, NODE, runProgram, tempHomes } from './run-cli.ts';

const newHome = tempHomes();

/** `outbox …` under the umask most systems give (022), with only `env` naming where data goes. */
function runWithUmask022(args: readonly string[], env: NodeJS.ProcessEnv, input = ''): Promise<CliResult> {
  const { OUTBOX_HOME: _home, XDG_CONFIG_HOME: _xdg, ...inherited } = process.env;
  const script = 'umask 022 && exec "$@"';
  return runProgram('/bin/sh', ['-c', script, 'sh', NODE, BIN, ...args], { ...inherited, ...env }, input);
}

const modeOf = async (target: string) => ((await fsp.stat(target)).mode & 0o777).toString(8);

/** Every folder and file under `dir`, with its permission bits in octal. */
async function modesUnder(dir: string): Promise<Record<string, string>> {
  const modes: Record<string, string> = {};
  for (const entry of await fsp.readdir(dir, { recursive: true, withFileTypes: true })) {
    const full = path.join(entry.parentPath, entry.name);
    modes[path.relative(dir, full)] = await modeOf(full);
  }
  return modes;
}

describe('what Outbox creates is owner-only, whatever the umask', () => {
  it('a first run in a new home makes ~/.config, the data folder and config.json owner-only', async () => {
    const home = await newHome();
    const env = { HOME: home };
    const added = await runWithUmask022(
      localAccountArgs('Work', 'me@example.org', 9, [
        '--security',
        'none',
        '--allow-plaintext',
        '--no-password',
      ]),
      env,
    );
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const queued = await runWithUmask022(['sendmail', 'ann@example.net'], env, 'Subject: hi\n\nHello.\n');
    expect(queued.code).toBe(0);

    const dataDir = path.join(home, '.config', 'Outbox');
    expect(await modeOf(path.join(home, '.config'))).toBe('700');
    expect(await modeOf(dataDir)).toBe('700');
    const modes = await modesUnder(dataDir);
    expect(modes['config.json']).toBe('600');
    expect(Object.keys(modes).length).toBeGreaterThan(3);
    for (const [name, mode] of Object.entries(modes)) {
      const isDir = (await fsp.stat(path.join(dataDir, name))).isDirectory();
      expect({ name, mode }).toEqual({ name, mode: isDir ? '700' : '600' });
    }
  }, 60_000);

  it('tightens a data folder and config.json an older version left readable by others', async () => {
    const home = await newHome();
    const dataDir = path.join(home, 'Outbox');
    await fsp.mkdir(dataDir, { mode: 0o755 });
    await fsp.chmod(dataDir, 0o755);
    await fsp.writeFile(path.join(dataDir, 'config.json'), '{}', { mode: 0o644 });
    await fsp.chmod(path.join(dataDir, 'config.json'), 0o644);

    const listed = await runWithUmask022(['accounts', 'list'], { OUTBOX_HOME: dataDir });
    expect(listed.stderr).toBe('');
    expect(await modeOf(dataDir)).toBe('700');
    expect(await modeOf(path.join(dataDir, 'config.json'))).toBe('600');
  }, 60_000);
});
