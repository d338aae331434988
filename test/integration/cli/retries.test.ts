import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { queueShowJson, sentListJson } from '../../../main/cli/json-output.ts';
import { nodeFileSystem } from '../../../main/files/atomic-file.ts';
import { queuePaths } from '../../../main/outbox/store/queue-paths.ts';
import { createQueueStore, type QueueStore } from '../../../main/outbox/store/queue-store.ts';
import { SETTINGS_FILE } from '../../../main/settings/settings-file.ts';
import { sampleRecord } from '../../support/sample-record.ts';
import { startTestServer, type TestServer, type TestServerOptions } from '../../support/smtp-test-server.ts';
import { addLocalAccount, runCli, tempHomes } from './run-cli.ts';

const MINUTE = 60_000;
const newHome = tempHomes();
const servers: TestServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

/** A data folder with one plain-SMTP account for a fresh server; returns both and the account id. */
async function setup(options: TestServerOptions) {
  const server = await startTestServer(options);
  servers.push(server);
  const home = await newHome();
  const accountId = await addLocalAccount(home, 'Reports', 'reports@example.org', server.port);
  return { server, home, accountId };
}

async function send(home: string, to: readonly string[]): Promise<string> {
  const recipients = to.flatMap((address) => ['--to', address]);
  const sent = await runCli(home, ['send', ...recipients, '--subject', 'Nightly backup', '--text', 'Done.']);
  expect(sent.stderr).toBe('');
  return sent.stdout.trim();
}

async function show(home: string, id: string) {
  const shown = await runCli(home, ['queue', 'show', id, '--json']);
  expect(shown.stderr).toBe('');
  return queueShowJson.parse(JSON.parse(shown.stdout)).message;
}

/** Works on the queue on disk as another process would: its own segment, sealed on close. */
async function withQueue(home: string, work: (store: QueueStore) => Promise<void>): Promise<void> {
  const store = createQueueStore(queuePaths(home), { fs: nodeFileSystem, onQuarantine: () => undefined });
  await store.init();
  try {
    await work(store);
  } finally {
    await store.close();
  }
}

/** Time passes between two cron runs: every time the queue holds moves `ms` into the past. */
function age(home: string, ms: number): Promise<void> {
  const back = (iso: string | undefined) =>
    iso === undefined ? undefined : new Date(Date.parse(iso) - ms).toISOString();
  return withQueue(home, async (store) => {
    for (const record of store.all()) {
      await store.save({
        ...record,
        createdAt: back(record.createdAt) ?? record.createdAt,
        lastTriedAt: back(record.lastTriedAt),
        nextAttemptAt: back(record.nextAttemptAt),
      });
    }
  });
}

async function setLifetimeHours(home: string, hours: number): Promise<void> {
  const file = path.join(home, SETTINGS_FILE);
  const settings = JSON.parse(await fsp.readFile(file, 'utf8')) as { app?: object };
  settings.app = { ...settings.app, retryLifetimeHours: hours };
  await fsp.writeFile(file, JSON.stringify(settings));
}

describe('retries across processes', () => {
  it('tries a message once per flush when the server closes at its greeting (421)', async () => {
    const { server, home, accountId } = await setup({
      refuseGreeting: { code: 421, message: '4.7.0 Too many connections, try later' },
    });
    // Other work in the queue (failed messages kept for the user): the flush takes a while to
    // reclaim it as it begins delivering, while the due message is tried and refused meanwhile.
    const bytes = Buffer.from(`Subject: old\r\n\r\n${'x'.repeat(200_000)}\r\n`);
    await withQueue(home, async (store) => {
      for (let i = 0; i < 40; i++) {
        const old = `old-${i}`;
        const sizeBytes = await store.writeBytes(old, bytes);
        await store.save(sampleRecord(old, { accountId, state: 'failed', attempts: 1, sizeBytes }));
      }
    });
    const id = await send(home, ['ann@example.net']);

    const flush = await runCli(home, ['queue', 'flush']);
    expect(flush.code).toBe(75);
    expect(server.connectionCount()).toBe(1);
    expect(await show(home, id)).toMatchObject({ state: 'deferred', attempts: 1 });
  });

  it('gives up once the lifetime has passed since the first attempt, one cron flush after another', async () => {
    const { home } = await setup({ onRcptTo: () => ({ code: 451, message: '4.3.0 Try again later' }) });
    await setLifetimeHours(home, 1);
    const id = await send(home, ['ann@example.net']);

    expect((await runCli(home, ['queue', 'flush'])).code).toBe(75);
    expect(await show(home, id)).toMatchObject({ state: 'deferred', attempts: 1 });
    // Cron runs the next flush 40 minutes later: 40 minutes of a 60-minute lifetime are spent.
    await age(home, 40 * MINUTE);
    expect((await runCli(home, ['queue', 'flush'])).code).toBe(75);
    expect(await show(home, id)).toMatchObject({ state: 'deferred', attempts: 2 });
    // 80 minutes since the first attempt, though each process ran for well under a second.
    await age(home, 40 * MINUTE);
    expect((await runCli(home, ['queue', 'flush'])).code).toBe(0);
    const failed = await show(home, id);
    expect(failed).toMatchObject({ state: 'failed', attempts: 3 });
    expect(failed.lastReply).toContain('4.3.0 Try again later');
  });

  it('keeps the reply that took the message, for each recipient, in the sent log', async () => {
    const { server, home } = await setup({
      queuedReply: '2.0.0 Ok: queued as 4F1A2B3C',
      onRcptTo: (address) =>
        address === 'bob@example.net' ? { code: 451, message: '4.2.1 Mailbox busy' } : undefined,
    });
    const id = await send(home, ['ann@example.net', 'bob@example.net']);
    expect((await runCli(home, ['queue', 'flush'])).code).toBe(75);
    // Bob's mailbox is free again; his copy goes in a transaction of its own.
    server.options = { queuedReply: '2.0.0 Ok: queued as 9D8E7F60' };
    expect((await runCli(home, ['queue', 'flush'])).code).toBe(0);
    expect(server.messages.map((m) => m.to)).toEqual([['ann@example.net'], ['bob@example.net']]);

    // Read back by a process of its own, from the sent log on disk.
    const listed = await runCli(home, ['sent', 'list', '--json']);
    expect(listed.code).toBe(0);
    const [sent] = sentListJson.parse(JSON.parse(listed.stdout)).messages;
    expect(sent).toMatchObject({ id, attempts: 2 });
    expect(sent?.recipients).toEqual([
      {
        address: 'ann@example.net',
        kind: 'to',
        state: 'accepted',
        lastReply: '250 2.0.0 Ok: queued as 4F1A2B3C',
      },
      {
        address: 'bob@example.net',
        kind: 'to',
        state: 'accepted',
        lastReply: '250 2.0.0 Ok: queued as 9D8E7F60',
      },
    ]);
  });
});
