import fsp from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../../main/files/atomic-file.ts';
import { queuePaths } from '../../../main/outbox/store/queue-paths.ts';
import { createQueueStore } from '../../../main/outbox/store/queue-store.ts';
import { createSentLog } from '../../../main/sent/sent-log.ts';
import { sampleRecord } from '../../support/sample-record.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { addLocalAccount, runCli, tempHomes } from './run-cli.ts';

const newHome = tempHomes();
const servers: TestServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

/** Queues `count` messages with the app closed, as one command-line call does (its segment sealed). */
async function enqueue(home: string, accountId: string, first: number, count: number): Promise<void> {
  const store = createQueueStore(queuePaths(home), { fs: nodeFileSystem, onQuarantine: () => undefined });
  await store.init();
  await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const id = `m${first + i}`;
      const bytes = Buffer.from(
        `From: bulk@example.org\r\nTo: r${i}@example.net\r\nSubject: ${id}\r\n\r\nbody\r\n`,
      );
      const sizeBytes = await store.writeBytes(id, bytes);
      await store.save(
        sampleRecord(id, {
          accountId,
          from: 'bulk@example.org',
          envelopeFrom: 'bulk@example.org',
          sizeBytes,
        }),
      );
    }),
  );
  await store.close();
}

describe('queue flush counts what it delivered', () => {
  it('reports every one of a few hundred messages queued with the app closed', async () => {
    const server = await startTestServer();
    servers.push(server);
    const home = await newHome();
    const accountId = await addLocalAccount(home, 'Bulk', 'bulk@example.org', server.port);
    const count = 300;
    // Three command-line calls, each its own segment.
    for (let call = 0; call < 3; call++) await enqueue(home, accountId, call * 100, count / 3);

    const flushed = await runCli(home, ['queue', 'flush']);
    expect(server.messages).toHaveLength(count);
    expect(flushed.stdout).toBe(`Delivered ${count}; the outbox is empty.\n`);
    expect(flushed.code).toBe(0);
  }, 600_000);

  it('counts messages that left in the same millisecond across a page of the sent log', async () => {
    const home = await newHome();
    // Written while the flush runs, as by its deliveries: 1,500 share one millisecond, more than a
    // page (1,000) of the sent log, which lists only times before the last page's.
    const sentAt = new Date(Date.now() + 60_000).toISOString();
    const log = createSentLog(queuePaths(home).sent);
    await fsp.mkdir(queuePaths(home).sent, { recursive: true });
    await Promise.all(
      Array.from({ length: 1500 }, (_, i) =>
        log.write({
          id: `s${i}`,
          messageId: `<s${i}@example.org>`,
          accountId: 'gone',
          from: 'me@example.org',
          subject: `sent ${i}`,
          sentAt,
          recipients: [{ address: 'ann@example.net', kind: 'to', state: 'accepted' }],
          sizeBytes: 100,
          attempts: 1,
        }),
      ),
    );
    await log.close();

    const flushed = await runCli(home, ['queue', 'flush']);
    expect(flushed.stdout).toBe('Delivered 1500; the outbox is empty.\n');
    expect(flushed.code).toBe(0);
  }, 600_000);
});
