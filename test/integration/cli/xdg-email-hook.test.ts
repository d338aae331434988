import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Draft } from '../../../preload/contract/compose.ts';
import { BIN, NODE, runProgram, tempHomes } from './run-cli.ts';

/**
 * Debian's real xdg-email (xdg-utils) with the shipped hook on PATH, and `outbox` on PATH as an
 * installed Outbox puts it: `xdg-email --attach FILE mailto:…` becomes a draft holding the file.
 */
const newHome = tempHomes();
const HOOK = path.resolve('build/linux/xdg-email-hook.sh');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function installed(home: string): Promise<NodeJS.ProcessEnv> {
  const bin = path.join(home, 'bin');
  await fsp.mkdir(bin);
  await fsp.symlink(HOOK, path.join(bin, 'xdg-email-hook.sh'));
  await fsp.writeFile(path.join(bin, 'outbox'), `#!/bin/sh\nexec '${NODE}' '${BIN}' "$@"\n`, { mode: 0o755 });
  return { PATH: `${bin}:/usr/bin:/bin`, HOME: home, OUTBOX_HOME: path.join(home, 'data') };
}

describe('xdg-email with the Outbox hook', () => {
  it('turns xdg-email --attach FILE mailto:… into a draft holding that file', async () => {
    const home = await newHome();
    const env = await installed(home);
    const file = path.join(home, 'report.pdf');
    const bytes = randomBytes(50_000);
    await fsp.writeFile(file, bytes);

    const result = await runProgram(
      '/usr/bin/xdg-email',
      ['--attach', file, 'mailto:a@example.org?subject=x'],
      env,
    );

    expect(result.code, result.stderr).toBe(0);
    const dir = path.join(home, 'data', 'drafts');
    const [name] = await fsp.readdir(dir);
    const draft = JSON.parse(await fsp.readFile(path.join(dir, name ?? ''), 'utf8')) as Draft;
    expect(draft.content).toMatchObject({ to: ['a@example.org'], subject: 'x' });
    const [attachment] = draft.content.attachments;
    expect(attachment).toMatchObject({ addedBy: 'program' });
    expect(path.basename(attachment?.path ?? '')).toBe('report.pdf');
    expect(sha256(await fsp.readFile(attachment?.path ?? ''))).toBe(sha256(bytes));
  });

  it('fails xdg-email when outbox refuses the URL, so the caller hears of it', async () => {
    const home = await newHome();
    const env = await installed(home);
    const result = await runProgram('/usr/bin/xdg-email', ['mailto:not an address?subject=x'], env);
    // 4: xdg-email's "the action failed", after the hook's outbox said why.
    expect(result.code).toBe(4);
    expect(result.stderr).toContain('outbox: to.0:');
    expect(await fsp.readdir(path.join(home, 'data', 'drafts')).catch(() => [])).toEqual([]);
  });
});
