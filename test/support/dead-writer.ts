import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { QueuePaths } from '../../main/outbox/store/queue-paths.ts';

const repo = path.resolve(import.meta.dirname, '../..');

/**
 * Queues a small message per id from another process, which then exits without closing its
 * store, as a crash would leave it: its segment has no seal and no seal marker.
 */
export async function enqueueAndDie(paths: QueuePaths, ids: readonly string[]): Promise<void> {
  const module = (file: string) => JSON.stringify(path.join(repo, file));
  const script = `
    import { nodeFileSystem } from ${module('main/files/atomic-file.ts')};
    import { queuePaths } from ${module('main/outbox/store/queue-paths.ts')};
    import { createQueueStore } from ${module('main/outbox/store/queue-store.ts')};
    import { sampleRecord } from ${module('test/support/sample-record.ts')};
    const store = createQueueStore(queuePaths(${JSON.stringify(path.dirname(paths.root))}), {
      fs: nodeFileSystem,
      onQuarantine: () => undefined,
    });
    await store.init();
    for (const id of ${JSON.stringify(ids)}) {
      const size = await store.writeBytes(id, Buffer.from('Subject: ' + id + '\\r\\n\\r\\nbody\\r\\n'));
      await store.save(sampleRecord(id, { sizeBytes: size }));
    }
    process.exit(0);
  `;
  const node = path.join(repo, 'node_modules/.bin/node');
  await promisify(execFile)(node, ['--input-type=module', '-e', script], { cwd: repo });
}
