import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { openCore, type CliCore } from '../../../main/cli/cli-core.ts';
import { sentListJson } from '../../../main/cli/json-output.ts';
import { createOsIntegration } from '../../../main/desktop/create-os-integration.ts';
import { HEADLESS_FLUSH_ARGS } from '../../../main/desktop/os-files.ts';
import {
  delivererLockHolder,
  tryAcquireDelivererLock,
  type LockHolder,
} from '../../../main/outbox/delivery/deliverer-lock.ts';
import { nodeFileSystem } from '../../../main/files/atomic-file.ts';
import { queuePaths } from '../../../main/outbox/store/queue-paths.ts';
import type { QueueRecord } from '../../../main/outbox/store/queue-record.ts';
import { createQueueStore } from '../../../main/outbox/store/queue-store.ts';
import { sampleRecord } from '../../support/sample-record.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { addLocalAccount, BIN, localAccountArgs, NODE, runCli, runProgram, tempHomes } from './run-cli.ts';

const newHome = tempHomes();
const servers: TestServer[] = [];

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
});

async function newServer(options: Parameters<typeof startTestServer>[0] = {}): Promise<TestServer> {
  const server = await startTestServer(options);
  servers.push(server);
  return server;
}

/** The CLI's own core in this process, on `home`: quick set-up without a process per message. */
async function withCore<T>(home: string, task: (core: CliCore) => Promise<T>): Promise<T> {
  const io = {
    stdin: Readable.from([]),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    env: { ...process.env, OUTBOX_HOME: home },
  };
  const core = openCore(io);
  await core.outbox.open();
  try {
    return await task(core);
  } finally {
    await core.outbox.stop();
  }
}

/** Queues `count` messages from `accountId`, oldest first; returns their ids. */
function enqueue(home: string, accountId: string, count: number): Promise<string[]> {
  return withCore(home, async (core) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const item = await core.outbox.service.enqueue({
        accountId,
        to: [`r${i}@example.net`],
        subject: `report ${i}`,
        text: `part ${i}`,
        attachments: [],
      });
      ids.push(item.id);
    }
    return ids;
  });
}

/** Whoever holds the deliverer lock of `home`, once someone does. */
async function lockHolder(home: string): Promise<LockHolder> {
  for (;;) {
    const holder = await delivererLockHolder(queuePaths(home).lock);
    if (holder) return holder;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Scheduled messages as a machine that was off leaves them: each sendAt `minutesAgo` in the past,
 * written to the queue log directly (the compose step sends a past time at once).
 */
async function scheduledInThePast(
  home: string,
  accountId: string,
  messages: readonly { id: string; minutesAgo: number; lateLimitMinutes?: number }[],
): Promise<void> {
  const store = createQueueStore(queuePaths(home), { fs: nodeFileSystem, onQuarantine: () => undefined });
  await store.init();
  try {
    for (const { id, minutesAgo, lateLimitMinutes } of messages) {
      const sendAt = new Date(Date.now() - minutesAgo * 60_000).toISOString();
      const bytes = Buffer.from(
        `From: me@example.org\r\nTo: ann@example.net\r\nSubject: ${id}\r\n\r\n${id}\r\n`,
      );
      const record: QueueRecord = sampleRecord(id, {
        accountId,
        subject: id,
        state: 'scheduled',
        sendAt,
        nextAttemptAt: sendAt,
        ...(lateLimitMinutes === undefined ? {} : { lateLimitMinutes }),
        eightBitBody: false,
        utf8Header: false,
        sizeBytes: await store.writeBytes(id, bytes),
      });
      await store.save(record);
    }
  } finally {
    await store.close();
  }
}

describe('the headless flush the OS timer runs (issue 18)', () => {
  it('delivers scheduled mail that came due while nothing ran, and holds what would go later than allowed', async () => {
    const server = await newServer();
    const home = await newHome();
    const accountId = await addLocalAccount(home, 'Work', 'me@example.org', server.port);
    await scheduledInThePast(home, accountId, [
      { id: 'overdue', minutesAgo: 120 },
      { id: 'within-limit', minutesAgo: 120, lateLimitMinutes: 180 },
      { id: 'too-late', minutesAgo: 120, lateLimitMinutes: 30 },
      { id: 'tomorrow', minutesAgo: -1440, lateLimitMinutes: 30 },
    ]);

    const flushed = await runCli(home, HEADLESS_FLUSH_ARGS);
    expect(flushed.stdout).toBe('Delivered 2; still in the outbox: 1 held, 1 scheduled.\n');
    expect(flushed.stderr).toBe(
      'outbox: 1 message held, as it would have gone later than you allowed (too-late): run "outbox queue retry ID" to send anyway, or "outbox queue cancel ID".\n',
    );
    expect(flushed.code).toBe(0);
    const subjects = server.messages.map((m) => /^Subject: (.*)\r$/m.exec(m.raw.toString('utf8'))?.[1]);
    expect(subjects.sort()).toEqual(['overdue', 'within-limit']);
    const held = await withCore(home, (core) => Promise.resolve(core.outbox.service.get('too-late')));
    expect(held.state).toBe('held');
    expect(held.lastError?.code).toBe('schedule_missed');
    expect(held.lastError?.message).toMatch(/would have gone 12\d minutes late \(you allowed 30 minutes\)/);

    // The user decides: sent anyway.
    expect((await runCli(home, ['queue', 'retry', 'too-late'])).code).toBe(0);
    expect((await runCli(home, HEADLESS_FLUSH_ARGS)).stdout).toBe(
      'Delivered 1; still in the outbox: 1 scheduled.\n',
    );
  }, 600_000);

  it('moves the installed timer on to the next scheduled send of the default data folder', async () => {
    const home = await newHome();
    const configHome = path.join(home, 'config');
    const dataDir = path.join(configHome, 'Outbox');
    const accountId = await addLocalAccount(dataDir, 'Work', 'me@example.org', 9);
    // The timer as the app installs it; systemctl here and below only records what it is asked.
    const systemctlLog = path.join(home, 'systemctl.log');
    const bin = path.join(home, 'bin');
    await fsp.mkdir(bin);
    await fsp.writeFile(path.join(bin, 'systemctl'), `#!/bin/sh\necho "$*" >> '${systemctlLog}'\n`, {
      mode: 0o755,
    });
    await createOsIntegration({
      platform: 'linux',
      homeDir: home,
      env: { XDG_CONFIG_HOME: configHome },
      dataDir,
      commands: { appCommand: ['/usr/bin/true'], cliCommand: ['/usr/bin/true'] },
      run: () => Promise.resolve({ code: 0, stdout: '', stderr: '' }),
      uid: 0,
      now: Date.now,
    }).setDeliveryTimer(true);
    await scheduledInThePast(dataDir, accountId, [{ id: 'tomorrow', minutesAgo: -1440 }]);
    const sendAt = await withCore(dataDir, (core) =>
      Promise.resolve(core.outbox.service.get('tomorrow').sendAt),
    );

    const { OUTBOX_HOME: _ignored, ...env } = process.env;
    const flushed = await runProgram(NODE, [BIN, ...HEADLESS_FLUSH_ARGS], {
      ...env,
      HOME: home,
      XDG_CONFIG_HOME: configHome,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
    });
    expect(flushed.stderr).toBe('');
    expect(flushed.stdout).toBe('Delivered 0; still in the outbox: 1 scheduled.\n');
    const timer = await fsp.readFile(
      path.join(configHome, 'systemd', 'user', 'outbox-deliver.timer'),
      'utf8',
    );
    const second = new Date(Math.ceil(Date.parse(sendAt ?? '') / 1000) * 1000);
    expect(timer).toContain(`OnCalendar=${second.toISOString().slice(0, 19).replace('T', ' ')} UTC\n`);
    expect(await fsp.readFile(systemctlLog, 'utf8')).toBe(
      '--user daemon-reload\n--user restart outbox-deliver.timer\n',
    );
  }, 600_000);

  it('exits 75 with a polite line, sending nothing, while another process delivers', async () => {
    const server = await newServer();
    const home = await newHome();
    const accountId = await addLocalAccount(home, 'Work', 'me@example.org', server.port);
    await enqueue(home, accountId, 1);
    const lock = await tryAcquireDelivererLock(queuePaths(home).lock, 'queue-flush');
    try {
      const flushed = await runCli(home, HEADLESS_FLUSH_ARGS);
      expect(flushed.stderr).toBe(
        `outbox: Another outbox process (queue flush, pid ${process.pid}) is delivering; try again when it ends\n`,
      );
      expect(flushed.code).toBe(75);
      expect(server.messages).toEqual([]);
    } finally {
      await lock?.release();
    }
  }, 600_000);
});

describe('queue flush', () => {
  it('stops starting attempts at --timeout, counts only what it delivered, and names a flush holding the lock', async () => {
    // Each DATA is answered after 45 s: the ten messages would take two rounds of five sessions.
    // The first round outlasts the second flush below, however slow the machine is.
    const server = await newServer({ onData: () => ({ delayMs: 45_000 }) });
    const home = await newHome();
    const accountId = await addLocalAccount(home, 'Slow', 'slow@example.org', server.port);
    const ids = await enqueue(home, accountId, 10);

    const first = runCli(home, ['queue', 'flush', '--timeout', '10']);
    const holder = await lockHolder(home);
    // Taken out by another process while the flush runs: gone, but not delivered.
    const cancelled = ids.at(-1) ?? '';
    await withCore(home, (core) => core.outbox.service.cancel(cancelled));

    const second = await runCli(home, ['queue', 'flush']);

    const result = await first;
    const delivered = server.messages.length;
    expect(delivered).toBeGreaterThan(0);
    expect(delivered).toBeLessThan(9);
    expect(result.stdout).toBe(`Delivered ${delivered}; still in the outbox: ${9 - delivered} queued.\n`);
    expect(result.stderr).toContain('time is up (--timeout)');
    expect(result.code).toBe(75);
    expect(second.stderr).toBe(
      `outbox: Another outbox process (queue flush, pid ${holder.pid}) is delivering; try again when it ends\n`,
    );
    expect(second.code).toBe(75);
    expect(server.messages.map((m) => m.to[0])).not.toContain('r9@example.net');
  }, 600_000);

  it('leaves unconfirmed messages to the user: exit 76 with what to run, then resend and mark-sent', async () => {
    // The first two messages are kept by the server, which then drops the connection unanswered.
    const server = await newServer({ onData: (index) => (index < 2 ? 'drop-after-dot' : 'accept') });
    const home = await newHome();
    const accountId = await addLocalAccount(home, 'Flaky', 'flaky@example.org', server.port);
    await enqueue(home, accountId, 3);

    const flushed = await runCli(home, ['queue', 'flush']);
    expect(flushed.stdout).toBe('Delivered 1; still in the outbox: 2 unconfirmed.\n');
    expect(flushed.code).toBe(76);
    const unconfirmed = await withCore(home, (core) =>
      Promise.resolve(core.outbox.service.list().filter((item) => item.state === 'unconfirmed')),
    );
    const [again, done] = unconfirmed.map((item) => item.id);
    expect(flushed.stderr).toContain(
      `outbox: 2 messages may have been delivered: the connection broke after the server took the message (${again ?? ''}, ${done ?? ''}). Check with a recipient, then run "outbox queue resend ID" or "outbox queue mark-sent ID".\n`,
    );

    const resent = await runCli(home, ['queue', 'resend', again ?? '']);
    expect(resent.stderr).toBe('');
    expect(resent.stdout).toBe(`${again ?? ''} queued\n`);
    const marked = await runCli(home, ['queue', 'mark-sent', done ?? '']);
    expect(marked.stderr).toBe('');
    expect(marked.stdout).toBe(`${done ?? ''} sent\n`);

    const second = await runCli(home, ['queue', 'flush']);
    expect(second.stdout).toBe('Delivered 1; the outbox is empty.\n');
    expect(second.code).toBe(0);
    expect(server.messages).toHaveLength(4);

    const log = sentListJson.parse(JSON.parse((await runCli(home, ['sent', 'list', '--json'])).stdout));
    expect(log.messages.map((m) => m.id)).toEqual(expect.arrayContaining([again, done]));
    expect(log.messages).toHaveLength(3);
    // Marked by the user: no server confirmed its recipients, and the log says whose word it is.
    expect(log.messages.find((m) => m.id === done)?.recipients.map((r) => r.state)).toEqual(['pending']);
    expect(log.messages.find((m) => m.id === done)?.markedSent).toBe(true);
    expect(log.messages.filter((m) => m.markedSent).map((m) => m.id)).toEqual([done]);
  }, 600_000);

  it('refuses to retry mail of a removed account, says to move it, and moves it with the From rewritten', async () => {
    const server = await newServer();
    const home = await newHome();
    const oldId = await addLocalAccount(home, 'Old', 'old@example.org', server.port);
    await addLocalAccount(home, 'New', 'new@example.org', server.port);
    const [id = ''] = await enqueue(home, oldId, 1);
    await withCore(home, (core) => core.accounts.remove({ id: oldId, queued: { action: 'hold' } }));

    const retried = await runCli(home, ['queue', 'retry', id]);
    expect(retried.stderr).toBe(
      `outbox: The account this message was to go from no longer exists; move it to another account first. Run "outbox queue move ${id} --account NAME".\n`,
    );
    expect(retried.code).toBe(78);

    const flushed = await runCli(home, ['queue', 'flush']);
    expect(flushed.stdout).toBe('Delivered 0; still in the outbox: 1 held.\n');
    expect(flushed.stderr).toBe(
      `outbox: 1 message waits for an account that no longer exists (${id}): run "outbox queue move ID --account NAME".\n`,
    );
    expect(flushed.code).toBe(78);

    const moved = await runCli(home, ['queue', 'move', id, '--account', 'New']);
    expect(moved.stderr).toBe('');
    expect(moved.stdout).toBe(`${id} queued\n`);
    const delivered = await runCli(home, ['queue', 'flush']);
    expect(delivered.stdout).toBe('Delivered 1; the outbox is empty.\n');
    expect(delivered.code).toBe(0);
    expect(server.messages.map((m) => m.from)).toEqual(['new@example.org']);
    expect(server.messages[0]?.raw.toString('utf8')).toMatch(/^From: new@example\.org\r?$/m);
  }, 600_000);

  it('names an accounts command that holds the lock rather than take it for the app', async () => {
    // Accepts connections and never says a word: "accounts add --pin-cert" waits on it.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    const home = await newHome();
    const adding = runCli(
      home,
      localAccountArgs('Pinned', 'me@example.org', address.port, [
        '--security',
        'tls',
        '--no-password',
        '--pin-cert',
        'AB'.repeat(32),
      ]),
    );
    try {
      const holder = await lockHolder(home);
      const flushed = await runCli(home, ['queue', 'flush']);
      expect(flushed.stderr).toBe(
        `outbox: Another outbox process (an accounts command, pid ${holder.pid}) is changing the accounts; try again when it ends\n`,
      );
      expect(flushed.code).toBe(75);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
      await adding;
    }
  }, 600_000);
});
