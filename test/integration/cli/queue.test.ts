import Conf from 'conf';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { osKeychain } from '../../../main/accounts/os-keychain.ts';
import { createCore, type Core } from '../../../main/app/create-core.ts';
import { silentLogger } from '../../../main/errors/logger.ts';
import { queueListJson, queueShowJson, sentListJson } from '../../../main/cli/json-output.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { leftoverFiles, storedMessages } from '../../support/queue-on-disk.ts';
import { addLocalAccount, runCli, tempHomes } from './run-cli.ts';

let server: TestServer;
const newHome = tempHomes();

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => {
  server.messages.length = 0;
});
afterAll(async () => {
  await server.close();
});

async function listJson(home: string) {
  const result = await runCli(home, ['queue', 'list', '--json']);
  expect(result.code).toBe(0);
  return queueListJson.parse(JSON.parse(result.stdout));
}

describe('queue', () => {
  it('keeps a message queued for a paused account until it is resumed and flushed', async () => {
    const home = await newHome();
    const id = await addLocalAccount(home, 'Reports', 'reports@example.org', server.port);
    expect((await runCli(home, ['accounts', 'pause', 'reports'])).code).toBe(0);

    const sent = await runCli(home, [
      'send',
      '--account',
      'Reports',
      '--to',
      'Ann <ann@example.net>',
      '--bcc',
      'audit@example.net',
      '--subject',
      'Nightly backup',
      '--text',
      'All 12 volumes copied.',
    ]);
    expect(sent.stderr).toBe('');
    expect(sent.code).toBe(0);
    const queueId = sent.stdout.trim();

    const held = await listJson(home);
    expect(held.messages).toHaveLength(1);
    expect(held.messages[0]).toMatchObject({
      id: queueId,
      account: { id, label: 'Reports' },
      state: 'held',
      subject: 'Nightly backup',
      attempts: 0,
      lastReply: null,
      recipients: [
        { address: 'ann@example.net', kind: 'to', state: 'pending', lastReply: null },
        { address: 'audit@example.net', kind: 'bcc', state: 'pending', lastReply: null },
      ],
    });
    const shown = await runCli(home, ['queue', 'show', queueId, '--json']);
    expect(queueShowJson.parse(JSON.parse(shown.stdout)).message).toEqual(held.messages[0]);

    // Paused: a flush delivers nothing and says the message is held.
    const whilePaused = await runCli(home, ['queue', 'flush', '--wait']);
    expect(whilePaused.code).toBe(0);
    expect(whilePaused.stdout).toContain('1 held');
    expect(server.messages).toHaveLength(0);

    expect((await runCli(home, ['accounts', 'resume', id])).code).toBe(0);
    const flushed = await runCli(home, ['queue', 'flush', '--wait']);
    expect(flushed.code).toBe(0);
    expect(flushed.stdout).toContain('Delivered 1; the outbox is empty');
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]?.to).toEqual(['ann@example.net', 'audit@example.net']);
    expect(server.messages[0]?.raw.toString('utf8')).not.toMatch(/^Bcc:/im);
    expect((await listJson(home)).messages).toEqual([]);

    const log = await runCli(home, ['sent', 'list', '--json']);
    const sentLog = sentListJson.parse(JSON.parse(log.stdout));
    expect(sentLog.messages.map((m) => [m.id, m.recipients.map((r) => r.state)])).toEqual([
      [queueId, ['accepted', 'accepted']],
    ]);
  });

  it('send --at schedules at the ISO 8601 time given: Z, an offset, or local time with T or a space', async () => {
    const home = await newHome();
    await addLocalAccount(home, 'Later', 'later@example.org', server.port);
    const cases: [at: string, sendAt: string][] = [
      ['2099-12-24T08:00Z', '2099-12-24T08:00:00.000Z'],
      ['2099-12-24T08:00:30+01:00', '2099-12-24T07:00:30.000Z'],
      // No offset: the local time of the machine, as the same text means to Date.
      ['2099-12-24T08:00', new Date('2099-12-24T08:00').toISOString()],
      ['2099-12-24 08:00', new Date('2099-12-24T08:00').toISOString()],
    ];
    for (const [at] of cases) {
      const sent = await runCli(home, [
        'send',
        '--to',
        'ann@example.net',
        '--subject',
        at,
        '--text',
        't',
        '--at',
        at,
      ]);
      expect(sent.stderr, at).toBe('');
      expect(sent.code, at).toBe(0);
    }
    const listed = await listJson(home);
    expect(listed.messages.map((m) => [m.subject, m.state, m.sendAt])).toEqual(
      cases.map(([at, expected]) => [at, 'scheduled', expected]),
    );
  });

  it('reports deferred messages with the server reply and exits 75 while they wait', async () => {
    const home = await newHome();
    await addLocalAccount(home, 'Ops', 'ops@example.org', server.port);
    server.options = { onRcptTo: () => ({ code: 451, message: '4.7.1 Greylisted, try later' }) };
    try {
      const message = 'From: ops@example.org\nTo: bob@example.net\nSubject: disk\n\n95% full\n';
      expect((await runCli(home, ['sendmail', '-t'], message)).code).toBe(0);
      const flush = await runCli(home, ['queue', 'flush', '--wait']);
      expect(flush.code).toBe(75);
      expect(flush.stdout).toContain('1 deferred');
      const [item] = (await listJson(home)).messages;
      expect(item?.state).toBe('deferred');
      expect(item?.attempts).toBe(1);
      expect(item?.recipients[0]?.state).toBe('deferred');
      expect(item?.recipients[0]?.lastReply).toContain('451 4.7.1 Greylisted');
      expect(Date.parse(item?.nextAttemptAt ?? '')).toBeGreaterThan(Date.now());

      const id = item?.id ?? '';
      const retried = await runCli(home, ['queue', 'retry', id]);
      expect(retried.stdout.trim()).toBe(`${id} queued`);
      expect((await runCli(home, ['queue', 'cancel', id])).code).toBe(0);
      expect((await listJson(home)).messages).toEqual([]);
      expect(await storedMessages(home)).toEqual([]);
      expect(await leftoverFiles(home)).toEqual([]);
      const again = await runCli(home, ['queue', 'cancel', id]);
      expect(again.code).toBe(66);
      expect(again.stderr).toBe('outbox: That message is no longer in the outbox.\n');
    } finally {
      server.options = {};
    }
  });

  it('leaves delivery to a running app: it picks up what the CLI queued, and flush --wait waits for it', async () => {
    const home = await newHome();
    await addLocalAccount(home, 'Home', 'me@example.org', server.port);
    // This test process plays the app: the same core on the same data folder, holding the deliverer lock.
    const app: Core = await createCore({
      dataDir: home,
      store: new Conf({ cwd: home, configName: 'config', projectName: 'Outbox' }),
      keychain: osKeychain,
      platform: {
        pickFiles: () => Promise.resolve([]),
        notify: () => undefined,
        isOnline: () => true,
        openExternal: () => Promise.reject(new Error('This test has no browser')),
        version: 'test',
      },
      emit: () => undefined,
      log: silentLogger,
    });
    await app.start();
    try {
      const queued = await runCli(home, ['sendmail', 'friend@example.net'], 'Subject: hello\n\nfrom cron\n');
      expect(queued.code).toBe(0);
      expect(queued.stdout).toBe('');
      // The app keeps the accounts it loaded: changing them behind its back would be overwritten.
      const pause = await runCli(home, ['accounts', 'pause', 'Home']);
      expect(pause.code).toBe(75);
      expect(pause.stderr).toMatch(/^outbox: Outbox is running .*\n$/);

      const nudge = await runCli(home, ['queue', 'flush']);
      expect(nudge.code).toBe(0);
      expect(nudge.stdout).toBe('The app is delivering; it was asked to send the waiting messages now.\n');
      const flush = await runCli(home, ['queue', 'flush', '--wait', '--timeout', '30']);
      expect(flush.code).toBe(0);
      expect(flush.stderr).toContain('the app is delivering');
      expect(server.messages.map((m) => m.to)).toEqual([['friend@example.net']]);
      expect(await storedMessages(home)).toEqual([]);
    } finally {
      await app.stop();
    }
  });
});
