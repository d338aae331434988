import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { currentProcess } from '../../../main/files/process-identity.ts';
import { tempFileName, writerOfTempFile } from '../../../main/files/temp-name.ts';
import { queuePaths } from '../../../main/outbox/store/queue-paths.ts';
import { addLocalAccount, BIN, NODE, runCli, tempHomes } from './run-cli.ts';

const newHome = tempHomes();

/** The temp files in the queue's tmp/ once one shows up. */
async function firstTempFiles(tmp: string): Promise<string[]> {
  for (;;) {
    const names = await fsp.readdir(tmp).catch(() => [] as string[]);
    if (names.length > 0) return names;
    await sleep(10);
  }
}

describe('a producer killed mid-write', () => {
  it('leaves a temp file that the next command removes; a live writer’s stays', async () => {
    const home = await newHome();
    // Never contacted: nothing is queued.
    await addLocalAccount(home, 'Main', 'me@example.org', 9);
    const { tmp } = queuePaths(home);
    // 200 MB of zeros without taking the disk space: the encoded message is written for seconds.
    const attachment = path.join(home, 'big.bin');
    await fsp.writeFile(attachment, '');
    await fsp.truncate(attachment, 200 * 1024 * 1024);

    const producer = spawn(
      NODE,
      [BIN, 'send', '--to', 'ann@example.net', '--subject', 'big', '--text', 't', '--attach', attachment],
      { env: { ...process.env, OUTBOX_HOME: home }, stdio: 'ignore' },
    );
    const exited = once(producer, 'exit');
    const seen = await firstTempFiles(tmp);
    producer.kill('SIGKILL');
    const [, signal] = (await exited) as [number | null, string | null];
    expect(signal).toBe('SIGKILL');
    const left = await fsp.readdir(tmp);
    // Killed while writing: its temp file is still there, and names it.
    expect(left).toEqual(seen);
    expect(left.map((name) => writerOfTempFile(name)?.pid)).toEqual([producer.pid]);

    // Files of writers still at work: this test's own process (an old file is no sign of death),
    // and one named as older builds did, too recent to be given up.
    const live = tempFileName(await currentProcess());
    const unnamed = 'x1.eml.a1b2c3d4e5f6.tmp';
    const longAgo = new Date(Date.now() - 24 * 3_600_000);
    await fsp.writeFile(path.join(tmp, live), 'partial');
    await fsp.utimes(path.join(tmp, live), longAgo, longAgo);
    await fsp.writeFile(path.join(tmp, unnamed), 'partial');

    const list = await runCli(home, ['queue', 'list']);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    // Nothing was queued: the message was never acknowledged.
    expect(list.stdout).toBe('');
    expect((await fsp.readdir(tmp)).sort()).toEqual([live, unnamed].sort());
  });
});
