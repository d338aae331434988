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

/** A message with a file of its own (too big to go inline), whose file is then lost. */
async function queueWithLostFile(dataDir: string): Promise<string> {
  const store = createQueueStore(queuePaths(dataDir), { fs: nodeFileSystem, onQuarantine: () => undefined });
  await store.init();
  const id = 'lost';
  const size = await store.writeBytes(id, Buffer.alloc(400 * 1024, 7));
  await store.save(sampleRecord(id, { sizeBytes: size }));
  await store.close();
  await fsp.rm(bodyFile(queuePaths(dataDir), id));
  return id;
}

/**
 * The system calls of a process that opens the queue and sets the message aside, as strace saw
 * them in order (-f: the thread pool's too; -y: each descriptor's path).
 */
async function tracedSetAside(dataDir: string): Promise<string[]> {
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
  await run('strace', ['-f', '-y', '-qq', '-e', calls, '-o', trace, NODE, script, dataDir]);
  return (await fsp.readFile(trace, 'utf8')).split('\n');
}

describe('setting a message aside', () => {
  it('makes its folder durable (state, notice, names) before the queue says it is gone', async () => {
    const dataDir = await makeDataDir();
    dirs.push(dataDir);
    const id = await queueWithLostFile(dataDir);
    const lines = await tracedSetAside(dataDir);
    const paths = queuePaths(dataDir);
    const [folder] = await fsp.readdir(paths.quarantine);
    expect(folder).toMatch(new RegExp(`^${id}-\\d+$`));
    const dir = path.join(paths.quarantine, folder ?? '');
    const first = (pattern: RegExp) => lines.findIndex((line) => pattern.test(line));
    const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    // The removal: the first write to a queue segment by this process (its only change to the log).
    const removal = first(
      new RegExp(`^\\d+ +(p?writev?|pwritev2?|pwrite64)\\(\\d+<${escaped(paths.queue)}/[^>]+\\.log>`),
    );
    expect(removal).toBeGreaterThan(0);
    const synced = (file: string) => first(new RegExp(`^\\d+ +f(data)?sync\\(\\d+<${escaped(file)}>`));
    for (const file of [
      path.join(dir, 'state.json'),
      path.join(dir, 'notice.json.tmp'),
      dir,
      paths.quarantine,
    ]) {
      const at = synced(file);
      expect(at, `${file} is synced before the removal is written`).toBeGreaterThanOrEqual(0);
      expect(at, `${file} is synced before the removal is written`).toBeLessThan(removal);
    }
  });
});
