import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { dkimVerify } from 'mailauth';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { createTestAccounts, type TestAccountsPort } from '../../support/test-accounts.ts';
import { startTestServer, type TestServer, type TestServerOptions } from '../../support/smtp-test-server.ts';
import {
  makeDataDir,
  plainEndpoint,
  startTestOutbox,
  waitFor,
  type TestOutbox,
} from '../../support/outbox-fixture.ts';
import { createFakeClock, type FakeClock } from '../../support/fake-clock.ts';
import { makeSelfSignedCert, type TestCert } from '../../support/tls-cert.ts';
import type { SmtpEndpoint } from '../../../main/smtp/smtp-endpoint.ts';
import type { SentHistory } from '../../../main/sent/sent-history.ts';
import type { OutboxService } from '../../../main/outbox/outbox-service.ts';
import type { QueueItem } from '../../../preload/contract/outbox.ts';
import { storedMessages } from '../../support/queue-on-disk.ts';
import { nodeFileSystem, type FileSystemSeam } from '../../../main/files/atomic-file.ts';

const MINUTE = 60_000;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  server: TestServer;
  accounts: TestAccountsPort;
  clock: FakeClock;
  outbox: TestOutbox;
  service: OutboxService;
  sent: SentHistory;
}

async function setup(
  serverOptions: TestServerOptions = {},
  endpoint: (port: number) => SmtpEndpoint = (port) => plainEndpoint(port),
): Promise<Setup> {
  const server = await startTestServer(serverOptions);
  cleanups.push(() => server.close());
  const accounts = createTestAccounts([
    { id: 'work', fromAddress: 'me@example.org', displayName: 'Me', endpoint: endpoint(server.port) },
  ]);
  const clock = createFakeClock(Date.now());
  const outbox = await startTestOutbox({ accounts, clock });
  cleanups.push(() => outbox.stop());
  return { server, accounts, clock, outbox, service: outbox.outbox.service, sent: outbox.outbox.sent };
}

/** Waits until nothing is due or in flight, then returns the message's queue entry (undefined once sent). */
async function after(service: OutboxService, id: string): Promise<QueueItem | undefined> {
  await service.settled();
  return service.list().find((i) => i.id === id);
}

const send = (service: OutboxService, to: string[] = ['ann@example.net'], extra: object = {}) =>
  service.enqueue({ accountId: 'work', to, subject: 'Hello', text: 'Hi there', ...extra });

describe('delivery through smtp-server', () => {
  it('delivers a message once and records it in the sent log', async () => {
    const { server, service, sent: sentLog } = await setup();
    const item = await send(service, ['Ann <ann@example.net>']);
    expect(item.state).toBe('queued');
    expect(await after(service, item.id)).toBeUndefined();
    expect(server.messages).toHaveLength(1);
    const sent = await sentLog.get(item.id);
    expect(sent.recipients).toEqual([
      expect.objectContaining({ address: 'ann@example.net', state: 'accepted' }),
    ]);
    const parsed = await simpleParser(server.messages[0]?.raw ?? Buffer.alloc(0));
    expect(parsed.messageId).toBe(item.messageId);
    expect(parsed.subject).toBe('Hello');
  });

  it('restores a sent-log line lost to a crash from the queue log, and never sends again', async () => {
    const { server, accounts, outbox, service } = await setup();
    const item = await send(service);
    await after(service, item.id);
    await outbox.stop();
    // Lines are synced lazily: a power cut may take the newest away; the removal in the log keeps it.
    const sentDir = path.join(outbox.dataDir, 'outbox', 'sent');
    for (const day of await fsp.readdir(sentDir)) await fsp.rm(path.join(sentDir, day));

    const again = await startTestOutbox({ accounts, dataDir: outbox.dataDir });
    cleanups.push(() => again.stop());
    expect((await again.outbox.sent.get(item.id)).messageId).toBe(item.messageId);
    expect(again.outbox.service.list()).toEqual([]);
    await again.outbox.service.settled();
    expect(server.messages).toHaveLength(1);
  });

  it('retries a greylisted (451) message after the backoff with the same Message-ID', async () => {
    let refusals = 0;
    const {
      server,
      service,
      sent: sentLog,
      clock,
    } = await setup({
      onRcptTo: () =>
        refusals++ === 0 ? { code: 451, message: '4.7.1 Greylisted, try again later' } : undefined,
    });
    const item = await send(service);
    const deferred = await after(service, item.id);
    expect(deferred).toMatchObject({
      state: 'deferred',
      attempts: 1,
    });
    expect(deferred?.lastReply).toMatch(/^451 /);
    expect(Date.parse(deferred?.nextAttemptAt ?? '')).toBe(clock.now() + MINUTE);
    clock.advance(MINUTE - 1);
    expect((await after(service, item.id))?.state).toBe('deferred');
    clock.advance(1);
    expect(await after(service, item.id)).toBeUndefined();
    expect(server.messages.map((m) => m.messageId)).toEqual([item.messageId]);
    expect((await sentLog.get(item.id)).attempts).toBe(2);
  });

  it('records a 550 for one of three recipients and delivers to the other two', async () => {
    const {
      server,
      service,
      sent: sentLog,
    } = await setup({
      onRcptTo: (address) =>
        address === 'bob@example.net' ? { code: 550, message: '5.1.1 No such user' } : undefined,
    });
    const item = await send(service, ['ann@example.net', 'bob@example.net', 'cy@example.net']);
    expect(await after(service, item.id)).toBeUndefined();
    expect(server.messages[0]?.to).toEqual(['ann@example.net', 'cy@example.net']);
    const sent = await sentLog.get(item.id);
    expect(sent.recipients.map((r) => [r.address, r.state])).toEqual([
      ['ann@example.net', 'accepted'],
      ['bob@example.net', 'rejected'],
      ['cy@example.net', 'accepted'],
    ]);
    expect(sent.recipients[1]?.reply).toMatch(/^550 5\.1\.1 No such user/);
  });

  it('delivers to accepted recipients at once and retries only the deferred one later', async () => {
    let bobTries = 0;
    const { server, service, clock } = await setup({
      onRcptTo: (address) =>
        address === 'bob@example.net' && bobTries++ === 0
          ? { code: 450, message: '4.2.1 Mailbox busy' }
          : undefined,
    });
    const item = await send(service, ['ann@example.net', 'bob@example.net']);
    const waiting = await after(service, item.id);
    expect(waiting?.state).toBe('deferred');
    expect(waiting?.recipients.map((r) => r.state)).toEqual(['accepted', 'deferred']);
    clock.advance(MINUTE);
    expect(await after(service, item.id)).toBeUndefined();
    expect(server.messages.map((m) => m.to)).toEqual([
      ['ann@example.net', 'bob@example.net'].slice(0, 1),
      ['bob@example.net'],
    ]);
    expect(new Set(server.messages.map((m) => m.messageId))).toEqual(new Set([item.messageId]));
  });

  it('refuses a message over the advertised SIZE before uploading it', async () => {
    const { server, service, accounts } = await setup({ size: 2_000 });
    const item = await send(service, ['ann@example.net'], { text: 'x'.repeat(10_000) });
    const failed = await after(service, item.id);
    expect(failed).toMatchObject({ state: 'failed', lastError: { code: 'message_too_large' } });
    expect(server.dataCount()).toBe(0);
    expect(accounts.find('work')?.serverSizeLimit).toBe(2_000);
    // The next one is refused at enqueue, with the limit the server told us.
    await expect(send(service, ['ann@example.net'], { text: 'x'.repeat(10_000) })).rejects.toMatchObject({
      code: 'message_too_large',
    });
  });

  it('fails a message the server refuses with 552 after the upload', async () => {
    const { service } = await setup({ onData: () => ({ reply: 552, message: '5.3.4 Message too big' }) });
    const item = await send(service);
    const failed = await after(service, item.id);
    expect(failed).toMatchObject({ state: 'failed', lastError: { code: 'message_too_large' } });
    expect(failed?.lastReply).toMatch(/^552 /);
  });

  it('retries a message whose connection dropped mid-DATA and delivers it once', async () => {
    const { server, service, clock } = await setup({ onData: (i) => (i === 0 ? 'drop-mid-data' : 'accept') });
    // Large enough that the drop after the first chunk comes long before the end of the body.
    const item = await send(service, ['ann@example.net'], { text: 'x'.repeat(4_000_000) });
    expect(await after(service, item.id)).toMatchObject({ state: 'deferred', attempts: 1 });
    expect(server.messages).toHaveLength(0);
    clock.advance(MINUTE);
    expect(await after(service, item.id)).toBeUndefined();
    expect(server.messages).toHaveLength(1);
  });

  it('marks a message unconfirmed when the connection drops after the final dot, and never resends it alone', async () => {
    const { server, service, clock, outbox } = await setup({
      onData: (i) => (i === 0 ? 'drop-after-dot' : 'accept'),
    });
    const item = await send(service);
    expect(await after(service, item.id)).toMatchObject({ state: 'unconfirmed', attempts: 1 });
    clock.advance(24 * 60 * MINUTE);
    expect((await after(service, item.id))?.state).toBe('unconfirmed');
    expect(server.messages).toHaveLength(1);
    expect(outbox.notifications.map((n) => n.title)).toContain('Delivery unconfirmed');
    // The user chooses: resend accepts a possible duplicate.
    await service.resend(item.id);
    expect(await after(service, item.id)).toBeUndefined();
    expect(server.messages).toHaveLength(2);
  });

  it('records an unconfirmed message as sent when the user says so', async () => {
    const { service, sent: sentLog } = await setup({ onData: () => 'drop-after-dot' });
    const item = await send(service);
    expect((await after(service, item.id))?.state).toBe('unconfirmed');
    await service.markSent(item.id);
    expect(service.list()).toHaveLength(0);
    expect(await sentLog.get(item.id)).toMatchObject({ messageId: item.messageId, markedSent: true });
  });

  it('sets a message aside when its stored bytes are gone, sending nothing, while the account goes on', async () => {
    const { server, service, sent: sentLog, clock, outbox, accounts } = await setup();
    const later = new Date(clock.now() + MINUTE).toISOString();
    // Over 256 KB, so its bytes are a file of their own, which something outside Outbox deletes.
    const lost = await send(service, ['ann@example.net'], { sendAt: later, text: 'x'.repeat(300_000) });
    await fsp.rm(path.join(outbox.dataDir, 'outbox', 'bodies', `${lost.id}.eml`));
    const other = await send(service, ['bob@example.net'], { sendAt: later });
    clock.advance(MINUTE);
    expect(await after(service, lost.id)).toBeUndefined();
    expect(await after(service, other.id)).toBeUndefined();
    expect(server.messages.map((m) => m.messageId)).toEqual([other.messageId]);
    await expect(sentLog.get(lost.id)).rejects.toMatchObject({ code: 'not_found' });
    const setAside = await fsp.readdir(path.join(outbox.dataDir, 'outbox', 'quarantine'));
    expect(setAside).toEqual([expect.stringMatching(new RegExp(`^${lost.id}-`))]);
    expect(outbox.payloads('app:noticed')).toEqual([
      { level: 'warning', message: expect.stringContaining('its message file is missing') as unknown },
    ]);
    expect(accounts.find('work')?.attention).toBeUndefined();
  });

  /** An O_DSYNC disk whose writes fail while `failing()` says so (ENOSPC: the disk is full). */
  const failingDisk = (failing: () => boolean): FileSystemSeam => ({
    create: (file) => nodeFileSystem.create(file),
    async createSynced(file) {
      if (!nodeFileSystem.createSynced) throw new Error('this platform has no O_DSYNC');
      const real = await nodeFileSystem.createSynced(file);
      return {
        write: (...args) =>
          failing()
            ? Promise.reject(Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' }))
            : real.write(...args),
        sync: () => real.sync(),
        truncate: (length) => real.truncate(length),
        close: () => real.close(),
      };
    },
  });

  async function onDisk(disk: FileSystemSeam, serverOptions: TestServerOptions) {
    const server = await startTestServer(serverOptions);
    cleanups.push(() => server.close());
    const accounts = createTestAccounts([
      { id: 'work', fromAddress: 'me@example.org', endpoint: plainEndpoint(server.port) },
    ]);
    const clock = createFakeClock(Date.now());
    const outbox = await startTestOutbox({ accounts, clock, fs: disk });
    cleanups.push(() => outbox.stop());
    return {
      server,
      accounts,
      clock,
      dataDir: outbox.dataDir,
      service: outbox.outbox.service,
      sent: outbox.outbox.sent,
    };
  }

  /** Fails the write at hand, and only that one. */
  const failOnce = (failNext: { on: boolean }) => {
    failNext.on = false;
    return Promise.reject(Object.assign(new Error('EIO: i/o error'), { code: 'EIO' }));
  };
  /** A disk whose next durable write fails once `failNext` is set: the fsync after a write, or an O_DSYNC write. */
  const diskKinds: [string, (failNext: { on: boolean }) => FileSystemSeam][] = [
    [
      'write, then fsync',
      (failNext) => ({
        async create(file) {
          const real = await nodeFileSystem.create(file);
          return {
            write: (...args) => real.write(...args),
            sync: () => (failNext.on ? failOnce(failNext) : real.sync()),
            truncate: (length) => real.truncate(length),
            close: () => real.close(),
          };
        },
      }),
    ],
    [
      'O_DSYNC writes',
      (failNext) => ({
        create: (file) => nodeFileSystem.create(file),
        async createSynced(file) {
          if (!nodeFileSystem.createSynced) throw new Error('this platform has no O_DSYNC');
          const real = await nodeFileSystem.createSynced(file);
          return {
            write: (...args) => (failNext.on ? failOnce(failNext) : real.write(...args)),
            sync: () => real.sync(),
            truncate: (length) => real.truncate(length),
            close: () => real.close(),
          };
        },
      }),
    ],
  ];

  it.each(diskKinds)(
    'sends no final dot when the hand-over cannot be recorded (%s), and delivers once on the next attempt',
    async (_, disk) => {
      const switches = { on: false };
      // The server has the whole body by the time the client records the hand-over.
      const { server, accounts, service } = await onDisk(disk(switches), {
        onData: () => {
          switches.on = true;
          return 'accept';
        },
      });
      const item = await send(service);
      const deferred = await after(service, item.id);
      expect(deferred).toMatchObject({
        state: 'deferred',
        attempts: 1,
        lastError: { code: 'storage_failed', message: expect.stringContaining('EIO') as unknown },
      });
      expect(server.messages).toEqual([]);
      // Not the server's fault: the account is not held back, and its next message goes at once.
      server.options = {};
      expect(accounts.find('work')?.attention).toBeUndefined();
      const other = await send(service, ['bob@example.net']);
      expect(await after(service, other.id)).toBeUndefined();
      await service.retryNow(item.id);
      expect(await after(service, item.id)).toBeUndefined();
      expect(server.messages.map((m) => m.messageId)).toEqual([other.messageId, item.messageId]);
    },
  );

  it('does not send again and again while the disk stays full: the message waits a backoff', async () => {
    const full = { on: false };
    const { server, clock, service } = await onDisk(
      failingDisk(() => full.on),
      {
        onData: () => {
          full.on = true;
          return 'accept';
        },
      },
    );
    const item = await send(service);
    // Neither the hand-over mark nor the deferral can be written; settling still comes.
    expect(await after(service, item.id)).toMatchObject({
      state: 'deferred',
      lastError: { code: 'storage_failed' },
    });
    expect(server.dataCount()).toBe(1);
    clock.advance(30_000);
    await service.settled();
    expect(server.dataCount()).toBe(1);
    full.on = false;
    server.options = {};
    clock.advance(MINUTE);
    expect(await after(service, item.id)).toBeUndefined();
    expect(server.messages.map((m) => m.messageId)).toEqual([item.messageId]);
  });

  /** The server takes the message and its hand-over mark is written; the write after it (the removal) fails, once. */
  function removalFailsOnce() {
    const writes = { armed: false, passes: 0 };
    const removalFails = () => {
      if (!writes.armed) return false;
      if (writes.passes-- > 0) return false;
      writes.armed = false;
      return true;
    };
    return onDisk(failingDisk(removalFails), {
      onData: () => {
        Object.assign(writes, { armed: true, passes: 1 });
        return 'accept';
      },
    });
  }

  it('never sends again a message the server took when its outcome cannot be written: it is unconfirmed', async () => {
    const { server, clock, service, sent: sentLog } = await removalFailsOnce();
    const item = await send(service);
    expect(await after(service, item.id)).toMatchObject({ state: 'unconfirmed', attempts: 1 });
    server.options = {};
    clock.advance(24 * 60 * MINUTE);
    await service.settled();
    expect(server.messages.map((m) => m.messageId)).toEqual([item.messageId]);
    await service.markSent(item.id);
    expect(service.list()).toEqual([]);
    expect((await sentLog.get(item.id)).messageId).toBe(item.messageId);
  });

  it('sends a message held back that way again when the user retries it from another process', async () => {
    const { server, accounts, clock, dataDir, service } = await removalFailsOnce();
    const item = await send(service);
    expect(await after(service, item.id)).toMatchObject({ state: 'unconfirmed', attempts: 1 });
    server.options = {};
    // The command-line tool reads the log, where the attempt's outcome never arrived.
    const cli = await startTestOutbox({ accounts, dataDir, start: false });
    cleanups.push(() => cli.stop());
    await cli.outbox.open();
    await cli.outbox.service.retryNow(item.id);
    await waitFor(() => service.list()[0]?.lastError === undefined);
    // Due by the command line's clock, which runs ahead of this test's.
    clock.advance(MINUTE);
    expect(await after(service, item.id)).toBeUndefined();
    expect(server.messages.map((m) => m.messageId)).toEqual([item.messageId, item.messageId]);
  });

  it('defers on a server too slow to greet, and leaves a silent server after the dot unconfirmed', async () => {
    const slow = await setup({ greetingDelayMs: 3_000 });
    const first = await send(slow.service);
    expect(await after(slow.service, first.id)).toMatchObject({
      state: 'deferred',
      lastError: { code: 'timeout' },
    });

    const silent = await setup({ onData: () => ({ delayMs: 3_000 }) });
    const second = await send(silent.service);
    expect((await after(silent.service, second.id))?.state).toBe('unconfirmed');
  });

  it.each(['PLAIN', 'LOGIN'] as const)(
    'pauses the account on a wrong %s password without hammering, and resumes when it is fixed',
    async (method) => {
      const { server, service, accounts, clock } = await setup(
        { users: { me: 'right' }, authMethods: [method] },
        (port) => plainEndpoint(port, { auth: { kind: 'password', user: 'me', pass: 'wrong' } }),
      );
      const item = await send(service);
      expect(await after(service, item.id)).toMatchObject({ state: 'needs_attention', attempts: 0 });
      expect(accounts.find('work')?.attention?.code).toBe('auth_failed');
      clock.advance(5 * 60 * MINUTE);
      await after(service, item.id);
      expect(server.authAttempts).toEqual([{ user: 'me', ok: false }]);
      accounts.setEndpoint(
        'work',
        plainEndpoint(server.port, { auth: { kind: 'password', user: 'me', pass: 'right' } }),
      );
      expect(await after(service, item.id)).toBeUndefined();
      expect(server.messages).toHaveLength(1);
      expect(server.authAttempts.at(-1)).toEqual({ user: 'me', ok: true });
    },
  );
});

describe('DKIM', () => {
  it('signs the stored bytes at delivery with the account key, verifiably', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { server, service } = await setup({}, (port) =>
      plainEndpoint(port, {
        dkim: {
          domainName: 'example.org',
          keySelector: 'sel',
          privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        },
      }),
    );
    const item = await send(service);
    expect(await after(service, item.id)).toBeUndefined();
    const record = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
    const resolver = (name: string, type: string) =>
      name === 'sel._domainkey.example.org' && type === 'TXT'
        ? Promise.resolve([[record]])
        : Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
    const raw = server.messages[0]?.raw ?? Buffer.alloc(0);
    const verified = await dkimVerify(raw, { resolver });
    expect(verified.results.map((r) => [r.signingDomain, r.status.result])).toEqual([
      ['example.org', 'pass'],
    ]);
  });
});

describe('international addresses', () => {
  it('uses SMTPUTF8 where the server offers it, and fails clearly where it does not', async () => {
    const utf8 = await setup();
    const ok = await send(utf8.service, ['jörg@example.net']);
    expect(await after(utf8.service, ok.id)).toBeUndefined();
    expect(utf8.server.messages[0]?.to).toEqual(['jörg@example.net']);

    // A server without SMTPUTF8 must refuse such an address (RFC 6531 §3.4: 553).
    const ascii = await setup({
      hideSMTPUTF8: true,
      onRcptTo: (address) =>
        /[^\x20-\x7e]/.test(address)
          ? { code: 553, message: '5.6.7 Non-ASCII addresses need SMTPUTF8' }
          : undefined,
    });
    const refused = await send(ascii.service, ['jörg@example.net']);
    expect(await after(ascii.service, refused.id)).toMatchObject({
      state: 'failed',
      lastError: { code: 'smtputf8_unsupported' },
    });
  });
});

describe('TLS with a self-signed certificate', () => {
  let cert: TestCert;
  beforeAll(async () => {
    cert = makeSelfSignedCert(await makeDataDir());
  });

  it.each(['tls', 'starttls'] as const)(
    'delivers over %s when the certificate is pinned, refuses it otherwise',
    async (mode) => {
      const pinned = await setup({ tls: { key: cert.key, cert: cert.cert, mode } }, (port) => ({
        host: '127.0.0.1',
        port,
        security: mode,
        auth: { kind: 'none' },
        pinnedCert: { sha256: cert.sha256, pem: cert.cert },
      }));
      const ok = await send(pinned.service);
      expect(await after(pinned.service, ok.id)).toBeUndefined();
      expect(pinned.server.messages).toHaveLength(1);

      const unpinned = await setup({ tls: { key: cert.key, cert: cert.cert, mode } }, (port) => ({
        host: '127.0.0.1',
        port,
        security: mode,
        auth: { kind: 'none' },
      }));
      const refused = await send(unpinned.service);
      expect(await after(unpinned.service, refused.id)).toMatchObject({
        state: 'needs_attention',
        lastError: { code: 'certificate_untrusted' },
      });
      expect(unpinned.server.messages).toHaveLength(0);
    },
  );
});

describe('offline', () => {
  it('waits without spending attempts while offline, and delivers as soon as the network is back', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close());
    const accounts = createTestAccounts([
      { id: 'work', fromAddress: 'me@example.org', endpoint: plainEndpoint(server.port) },
    ]);
    const clock = createFakeClock(Date.now());
    const outbox = await startTestOutbox({ accounts, clock });
    cleanups.push(() => outbox.stop());
    const { service, status } = outbox.outbox;
    // The platform says offline. (A host name that does not exist is no sign of it: that is one
    // account's problem, see connection-failures.test.ts.)
    outbox.online = false;
    clock.advance(5_000);
    const first = await send(service);
    expect(await after(service, first.id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(status.status().online).toBe(false);

    // More messages wait, nothing is tried, however long it lasts.
    clock.advance(5_000);
    const second = await send(service);
    clock.advance(3 * 60 * MINUTE);
    expect((await after(service, second.id))?.attempts).toBe(0);
    expect(server.messages).toHaveLength(0);

    outbox.online = true;
    clock.advance(5_000);
    await waitFor(() => server.messages.length === 2);
    expect(await after(service, first.id)).toBeUndefined();
    expect(status.status().online).toBe(true);
    expect(outbox.payloads('app:statusChanged').map((s) => s.online)).toEqual([false, true]);
  });
});

describe('user controls', () => {
  it('pausing an account while its message is on the wire shows it sending still, and lets it finish', async () => {
    const { server, service, accounts, outbox } = await setup({ onData: () => ({ delayMs: 1_000 }) });
    const item = await send(service);
    await waitFor(() => server.dataCount() === 1);
    const from = outbox.payloads('outbox:changed').length;
    accounts.update('work', { paused: true });
    const said = () =>
      outbox
        .payloads('outbox:changed')
        .slice(from)
        .flatMap((change) => change.states.filter((each) => each.id === item.id).map((each) => each.state));
    await waitFor(() => said().length > 0);
    expect(said()).toEqual(['sending']);
    expect(await after(service, item.id)).toBeUndefined();
    expect(server.messages).toHaveLength(1);
  });

  it('holds a message for the undo window and gives it back for editing, attachments included', async () => {
    const { server, service, clock, outbox } = await setup();
    outbox.settings.update({ undoSeconds: 10 });
    const dir = await makeDataDir();
    const file = `${dir}/report.txt`;
    await fsp.writeFile(file, 'quarterly numbers');
    const item = await send(service, ['ann@example.net'], {
      attachments: [{ path: file }],
      bcc: ['boss@example.net'],
    });
    expect(item.undoUntil).toBe(new Date(clock.now() + 10_000).toISOString());
    await fsp.rm(file);
    const draft = await service.undo(item.id);
    expect(draft).toMatchObject({
      accountId: 'work',
      to: ['ann@example.net'],
      bcc: ['boss@example.net'],
      subject: 'Hello',
    });
    expect(draft.text?.trim()).toBe('Hi there');
    expect(draft.attachments).toHaveLength(1);
    expect(await fsp.readFile(draft.attachments[0]?.path ?? '', 'utf8')).toBe('quarterly numbers');
    expect(service.list()).toHaveLength(0);
    clock.advance(60_000);
    await service.settled();
    expect(server.messages).toHaveLength(0);

    // Sent again as edited: the copy the edit made goes once the message holds it again.
    const copy = draft.attachments[0]?.path ?? '';
    const again = await service.enqueue({ ...draft, accountId: 'work' });
    await expect(fsp.access(path.dirname(copy))).rejects.toMatchObject({ code: 'ENOENT' });
    clock.advance(60_000);
    expect(await after(service, again.id)).toBeUndefined();
    const parsed = await simpleParser(server.messages[0]?.raw ?? Buffer.alloc(0));
    expect(parsed.attachments.map((a) => a.content.toString())).toEqual(['quarterly numbers']);
  });

  it('edits a scheduled message back into a draft: every field, and attachments byte-identical under distinct names', async () => {
    const { service, clock } = await setup();
    const dir = await makeDataDir();
    const big = randomBytes(24 * 1024 * 1024);
    await fsp.mkdir(`${dir}/a`);
    await fsp.mkdir(`${dir}/b`);
    await fsp.writeFile(`${dir}/a/Übersicht.pdf`, big);
    await fsp.writeFile(`${dir}/b/Übersicht.pdf`, 'second file, same name');
    const item = await send(service, ['Ann <ann@example.net>'], {
      cc: ['bob@example.net'],
      replyTo: 'team@example.org',
      html: '<p>Hi <b>there</b></p>',
      sendAt: new Date(clock.now() + 30 * MINUTE).toISOString(),
      attachments: [{ path: `${dir}/a/Übersicht.pdf` }, { path: `${dir}/b/Übersicht.pdf` }],
    });
    const draft = await service.edit(item.id);
    expect(draft).toMatchObject({
      to: ['Ann <ann@example.net>'],
      cc: ['bob@example.net'],
      replyTo: 'team@example.org',
      subject: 'Hello',
      html: '<p>Hi <b>there</b></p>',
    });
    expect(draft.text?.trim()).toBe('Hi there');
    expect(draft.attachments.map((a) => path.basename(a.path))).toEqual([
      'Übersicht.pdf',
      'Übersicht (2).pdf',
    ]);
    const [first, second] = await Promise.all(draft.attachments.map((a) => fsp.readFile(a.path)));
    expect(first?.equals(big)).toBe(true);
    expect(second?.toString()).toBe('second file, same name');
    expect(service.list()).toHaveLength(0);
  });

  it('keeps the message queued when its attachments cannot be written out for editing', async () => {
    const { service, clock, outbox } = await setup();
    const dir = await makeDataDir();
    await fsp.writeFile(`${dir}/report.txt`, 'quarterly numbers');
    const item = await send(service, ['ann@example.net'], {
      sendAt: new Date(clock.now() + 30 * MINUTE).toISOString(),
      attachments: [{ path: `${dir}/report.txt` }],
    });
    // A folder where the attachment's file should go: writing it fails with EISDIR.
    await fsp.mkdir(path.join(outbox.dataDir, 'outbox', 'edits', item.id, 'report.txt'), { recursive: true });
    await expect(service.edit(item.id)).rejects.toMatchObject({
      code: 'storage_failed',
      message: expect.stringContaining('EISDIR') as unknown,
    });
    expect(service.get(item.id)).toMatchObject({ state: 'scheduled' });
  });

  it('sends messages moved to another account in that account’s name, everything else byte for byte', async () => {
    const server = await startTestServer();
    cleanups.push(() => server.close());
    const accounts = createTestAccounts(
      [
        ['old', 'Old Name', 'old@example.org'],
        ['mid', '', 'mid@example.org'],
        ['new', 'Néw Sender, the one with a display name long enough to fold', 'new@example.org'],
      ].map(([id = '', displayName = '', fromAddress = '']) => ({
        id,
        displayName,
        fromAddress,
        paused: true,
        endpoint: plainEndpoint(server.port),
      })),
    );
    const outbox = await startTestOutbox({ accounts });
    cleanups.push(() => outbox.stop());
    const { service } = outbox.outbox;
    const dir = await makeDataDir();
    await fsp.writeFile(`${dir}/report.bin`, randomBytes(300_000));
    const item = await service.enqueue({
      accountId: 'old',
      to: ['ann@example.net'],
      subject: 'Moved',
      text: 'Hi there',
      attachments: [{ path: `${dir}/report.bin` }],
    });
    const stored = (await storedMessages(outbox.dataDir))[0]?.bytes ?? '';
    await service.moveToAccount('old', 'mid');
    await service.moveToAccount('mid', 'new');
    const moved = service.get(item.id);
    // Another process reading the queue takes the moved message as whole, not as cut short.
    expect((await storedMessages(outbox.dataDir)).map((m) => m.record.id)).toEqual([item.id]);
    expect(await fsp.readdir(path.join(outbox.dataDir, 'outbox', 'quarantine'))).toEqual([]);
    expect(moved).toMatchObject({
      accountId: 'new',
      from: expect.stringContaining('<new@example.org>') as unknown,
    });
    accounts.update('new', { paused: false });
    expect(await after(service, item.id)).toBeUndefined();

    const [received] = server.messages;
    expect(received?.from).toBe('new@example.org');
    const raw = received?.raw ?? Buffer.alloc(0);
    expect(raw.length).toBe(moved.sizeBytes);
    const parsed = await simpleParser(raw);
    expect(parsed.from?.value).toEqual([
      { name: 'Néw Sender, the one with a display name long enough to fold', address: 'new@example.org' },
    ]);
    // Only the From field differs: drop it from both and the bytes are the same.
    const withoutFrom = (bytes: string) => bytes.replace(/^From:.*\r\n(?:[ \t].*\r\n)*/m, '');
    expect(stored).toContain('From: Old Name <old@example.org>');
    expect(withoutFrom(raw.toString())).toBe(withoutFrom(stored));
  });

  /** Two accounts, each on a server of its own, for moving messages from 'old' to 'new'. */
  async function oldAndNew(oldOptions: TestServerOptions) {
    const oldServer = await startTestServer(oldOptions);
    const newServer = await startTestServer();
    cleanups.push(
      () => oldServer.close(),
      () => newServer.close(),
    );
    const accounts = createTestAccounts([
      { id: 'old', fromAddress: 'old@example.org', endpoint: plainEndpoint(oldServer.port) },
      { id: 'new', fromAddress: 'new@example.org', endpoint: plainEndpoint(newServer.port) },
    ]);
    const clock = createFakeClock(Date.now());
    const outbox = await startTestOutbox({ accounts, clock });
    cleanups.push(() => outbox.stop());
    return { oldServer, newServer, clock, service: outbox.outbox.service };
  }

  it('moves a message that was on its way when the move began, once its attempt ends deferred', async () => {
    // The old server greets slowly, then defers every recipient: the attempt is under way for a while.
    const { oldServer, newServer, clock, service } = await oldAndNew({
      greetingDelayMs: 500,
      onRcptTo: () => ({ code: 451, message: '4.3.0 try later' }),
    });
    const item = await service.enqueue({ accountId: 'old', to: ['ann@example.net'], subject: 'On its way' });
    await waitFor(() => service.get(item.id).state === 'sending');
    await service.moveToAccount('old', 'new');
    expect(service.get(item.id)).toMatchObject({ accountId: 'new', state: 'deferred', attempts: 1 });
    clock.advance(2 * MINUTE);
    expect(await after(service, item.id)).toBeUndefined();
    expect(newServer.messages.map((m) => m.messageId)).toEqual([item.messageId]);
    expect(oldServer.messages).toEqual([]);
  });

  it('starts nothing on an account while its messages move, even as they fall due', async () => {
    const { oldServer, newServer, clock, service } = await oldAndNew({});
    const sendAt = new Date(clock.now() + MINUTE).toISOString();
    const items = [];
    for (let i = 0; i < 6; i++) {
      items.push(
        await service.enqueue({ accountId: 'old', to: ['ann@example.net'], subject: `m${i}`, sendAt }),
      );
    }
    // Each move reads the stored message; the messages fall due while the first read is under way.
    const moving = service.moveToAccount('old', 'new');
    clock.advance(MINUTE);
    await moving;
    await service.settled();
    expect(service.list()).toEqual([]);
    expect(oldServer.messages).toEqual([]);
    expect(newServer.messages.map((m) => m.messageId).sort()).toEqual(items.map((i) => i.messageId).sort());
  });

  it.each(['cancel', 'edit'] as const)(
    'starts no attempt on a message being taken out (%s), even when it falls due meanwhile',
    async (action) => {
      const recipients: string[] = [];
      const { service, clock } = await setup({ onRcptTo: (address) => void recipients.push(address) });
      const sendAt = new Date(clock.now() + MINUTE).toISOString();
      const item = await send(service, ['ann@example.net'], { sendAt });
      // Taking it out awaits (a read, a durable write); the message falls due meanwhile.
      const takingOut = action === 'cancel' ? service.cancel(item.id) : service.edit(item.id);
      clock.advance(MINUTE);
      await takingOut;
      await service.settled();
      expect(service.list()).toEqual([]);
      // Not even an attempt: no session got as far as naming a recipient.
      expect(recipients).toEqual([]);
    },
  );

  it('refuses undo once the window has passed', async () => {
    const { service, clock, outbox } = await setup({ onRcptTo: () => ({ code: 451, message: 'later' }) });
    outbox.settings.update({ undoSeconds: 5 });
    const item = await send(service);
    clock.advance(5_000);
    await service.settled();
    await expect(service.undo(item.id)).rejects.toMatchObject({ code: 'invalid_state' });
  });

  it('sends a scheduled message at its time, and lets it be edited before', async () => {
    const { server, service, clock } = await setup();
    const later = new Date(clock.now() + 30 * MINUTE).toISOString();
    const item = await send(service, ['ann@example.net'], { sendAt: later });
    expect(item).toMatchObject({ state: 'scheduled', sendAt: later });
    const other = await send(service, ['bob@example.net'], { sendAt: later, subject: 'Draft me' });
    expect((await service.edit(other.id)).subject).toBe('Draft me');
    clock.advance(30 * MINUTE - 1);
    await service.settled();
    expect(server.messages).toHaveLength(0);
    clock.advance(1);
    expect(await after(service, item.id)).toBeUndefined();
    expect(server.messages.map((m) => m.to)).toEqual([['ann@example.net']]);
  });

  it('cancels, retries now, and emits batched changes', async () => {
    const { server, service, outbox } = await setup({ onRcptTo: () => ({ code: 451, message: 'later' }) });
    const a = await send(service);
    const b = await send(service);
    await service.settled();
    await service.cancel(a.id);
    server.options = {};
    await service.retryNow(b.id);
    expect(await after(service, b.id)).toBeUndefined();
    expect(server.messages).toHaveLength(1);
    await waitFor(() => outbox.payloads('outbox:changed').some((c) => c.removed.includes(b.id)));
    const changes = outbox.payloads('outbox:changed');
    expect(changes.flatMap((c) => c.removed)).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(outbox.payloads('outbox:progress').at(-1)).toMatchObject({ id: b.id });
  });

  it('keeps to the account’s hourly limit', async () => {
    const { server, service, clock, accounts } = await setup();
    accounts.update('work', { ratePerHour: 2 });
    const items = [await send(service), await send(service), await send(service)];
    await service.settled();
    expect(server.messages).toHaveLength(2);
    expect(service.list().map((i) => i.id)).toEqual([items[2]?.id]);
    clock.advance(60 * MINUTE);
    expect(await after(service, items[2]?.id ?? '')).toBeUndefined();
    expect(server.messages).toHaveLength(3);
  });

  it('gives up after the retry lifetime, counting only time online', async () => {
    const { service, clock, outbox } = await setup({
      onRcptTo: () => ({ code: 451, message: '4.3.0 Try later' }),
    });
    outbox.settings.update({ retryLifetimeHours: 1 });
    const item = await send(service);
    let current = await after(service, item.id);
    while (current?.state === 'deferred') {
      clock.advance(Date.parse(current.nextAttemptAt ?? '') - clock.now());
      current = await after(service, item.id);
    }
    expect(current?.state).toBe('failed');
    expect(current?.lastReply).toContain('4.3.0 Try later');
    // 1, 2, 4, 8, 16, 32 minutes: the attempt after an hour online gives up.
    expect(current?.attempts).toBe(7);
  });
});
