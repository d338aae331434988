import { execFile } from 'node:child_process';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../../main/files/atomic-file.ts';
import { bodyFile, queuePaths } from '../../../main/outbox/store/queue-paths.ts';
import { createQueueStore } from '../../../main/outbox/store/queue-store.ts';
import { makeDataDir } from '../../support/outbox-fixture.ts';
import { sampleRecord } from '../../support/sample-record.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../../..');
const NODE = path.join(ROOT, 'node_modules', '.bin', 'node');

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await fsp.rm(dir, { recursive: true, force: true });
});

/** A message with a file of its own (too big to go inline), whose file is then lost or cut short. */
async function queueWithLostFile(dataDir: string, damage: 'lost' | 'truncated' = 'lost'): Promise<string> {
  const store = createQueueStore(queuePaths(dataDir), { fs: nodeFileSystem, onQuarantine: () => undefined });
  await store.init();
  const id = 'lost';
  const size = await store.writeBytes(id, Buffer.alloc(400 * 1024, 7));
  await store.save(sampleRecord(id, { sizeBytes: size }));
  await store.close();
  const file = bodyFile(queuePaths(dataDir), id);
  if (damage === 'lost') await fsp.rm(file);
  else await fsp.truncate(file, 1000);
  return id;
}

/** A system call as strace -f -y printed it: who made it, which, on what path, and where it ended. */
interface Call {
  readonly name: string;
  /** The path of its first argument's descriptor (-y), if it has one. */
  readonly path: string | undefined;
  /** Index of the line it started on, and of the line it returned on (the same unless interrupted). */
  readonly started: number;
  readonly ended: number;
}

/**
 * strace -f output as calls: `PID name(FD</path>, …) = R`, or split in two when another thread's
 * call came between: `PID name(FD</path>, … <unfinished ...>` then `PID <... name resumed>…`.
 */
function callsOf(lines: readonly string[]): Call[] {
  const calls: Call[] = [];
  const open = new Map<string, { name: string; path: string | undefined; started: number }>();
  lines.forEach((line, index) => {
    const resumed = /^(\d+) +<\.\.\. (\w+) resumed>/.exec(line);
    if (resumed) {
      const begun = open.get(resumed[1] ?? '');
      open.delete(resumed[1] ?? '');
      if (begun) calls.push({ ...begun, ended: index });
      return;
    }
    const call = /^(\d+) +(\w+)\((?:-?\d+<([^>]*)>)?/.exec(line);
    if (!call) return;
    const begun = { name: call[2] ?? '', path: call[3], started: index };
    if (line.endsWith('<unfinished ...>')) open.set(call[1] ?? '', begun);
    else calls.push({ ...begun, ended: index });
  });
  return calls;
}

/**
 * The system calls of a process that opens the queue and sets the message aside, in order (-f: the
 * thread pool's too; -y: each descriptor's path). libuv's io_uring is off, so file I/O is calls.
 */
async function tracedSetAside(dataDir: string): Promise<Call[]> {
  const script = path.join(dataDir, 'open-queue.ts');
  await fsp.writeFile(
    script,
    [
      `import { createQueueStore } from ${JSON.stringify(path.join(ROOT, 'main/outbox/store/queue-store.ts'))};`,
      `import { queuePaths } from ${JSON.stringify(path.join(ROOT, 'main/outbox/store/queue-paths.ts'))};`,
      `import { nodeFileSystem } from ${JSON.stringify(path.join(ROOT, 'main/files/atomic-file.ts'))};`,
      `const store = createQueueStore(queuePaths(process.argv[2]), { fs: nodeFileSystem, onQuarantine: () => undefined });`,
      'await store.init();',
      'await store.close();',
      '',
    ].join('\n'),
  );
  const trace = path.join(dataDir, 'trace.txt');
  const calls =
    'trace=openat,write,pwrite64,writev,pwritev,pwritev2,fsync,fdatasync,rename,renameat,renameat2';
  await run('strace', ['-f', '-y', '-qq', '-e', calls, '-o', trace, NODE, script, dataDir], {
    env: { ...process.env, UV_USE_IO_URING: '0' },
  });
  return callsOf((await fsp.readFile(trace, 'utf8')).split('\n'));
}

/** This process's first write to the queue log: a segment's opening frames and the removal with them. */
function firstLogWrite(calls: readonly Call[], queueDir: string): Call | undefined {
  return calls.find(
    (c) =>
      /^p?writev?2?$|^pwrite64$/.test(c.name) &&
      c.path?.startsWith(`${queueDir}/`) &&
      c.path.endsWith('.log'),
  );
}

describe.skipIf(process.platform !== 'linux')('setting a message aside', () => {
  it('makes its folder durable (state, notice, names) before the queue says it is gone', async () => {
    // strace prints resolved paths.
    const dataDir = await fsp.realpath(await makeDataDir());
    dirs.push(dataDir);
    const id = await queueWithLostFile(dataDir);
    const calls = await tracedSetAside(dataDir);
    const paths = queuePaths(dataDir);
    const [folder] = await fsp.readdir(paths.quarantine);
    expect(folder).toMatch(new RegExp(`^${id}-\\d+$`));
    const dir = path.join(paths.quarantine, folder ?? '');
    // The removal, the only change this process makes to the log, goes with its first write there.
    const written = firstLogWrite(calls, paths.queue);
    expect(written).toBeDefined();
    for (const file of [
      path.join(dir, 'state.json'),
      path.join(dir, 'notice.json.tmp'),
      dir,
      paths.quarantine,
    ]) {
      const synced = calls.find((c) => /^f(data)?sync$/.test(c.name) && c.path === file);
      expect(synced, `${file} is synced`).toBeDefined();
      expect(synced?.ended ?? Infinity, `${file} is synced before the log is written`).toBeLessThan(
        written?.started ?? -1,
      );
    }
  });

  it('moves a damaged file in, and syncs its old folder only once its new one is durable', async () => {
    const dataDir = await fsp.realpath(await makeDataDir());
    dirs.push(dataDir);
    const id = await queueWithLostFile(dataDir, 'truncated');
    const calls = await tracedSetAside(dataDir);
    const paths = queuePaths(dataDir);
    const [folder] = await fsp.readdir(paths.quarantine);
    const dir = path.join(paths.quarantine, folder ?? '');
    expect(await fsp.readdir(dir)).toContain(`${id}.eml`);
    const synced = (file: string) => calls.find((c) => /^f(data)?sync$/.test(c.name) && c.path === file);
    const written = firstLogWrite(calls, paths.queue);
    const [intoFolder, outOfBodies] = [synced(dir), synced(paths.bodies)];
    expect(intoFolder).toBeDefined();
    expect(outOfBodies).toBeDefined();
    expect(intoFolder?.ended ?? Infinity).toBeLessThan(outOfBodies?.started ?? -1);
    expect(outOfBodies?.ended ?? Infinity).toBeLessThan(written?.started ?? -1);
  });
});
