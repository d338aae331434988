import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buffer } from 'node:stream/consumers';
import Conf from 'conf';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { ACCOUNTS_KEY, AccountStore, migrate } from '../../../main/accounts/account-store.ts';
import { createCore } from '../../../main/app/create-core.ts';
import type { Keychain } from '../../../main/core/ports.ts';
import { createDraftStore } from '../../../main/drafts/draft-store.ts';
import { silentLogger } from '../../../main/errors/logger.ts';
import { nodeFileSystem } from '../../../main/files/atomic-file.ts';
import { queuePaths } from '../../../main/outbox/store/queue-paths.ts';
import { toQueueItem } from '../../../main/outbox/store/queue-record.ts';
import { createQueueStore } from '../../../main/outbox/store/queue-store.ts';
import { createSentLog } from '../../../main/sent/sent-log.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';

// What e96bfec wrote (test/fixtures/v1/README.md), read with today's code. Compared with the files'
// own JSON, never through the code's schemas, so a field a schema drops shows up as lost.
const FIXTURE = path.resolve('test/fixtures/v1');
const SEGMENT = 'outbox/queue/mx7qui9y-12241-6879c746.log';

type Json = Record<string, unknown>;

/** The segment's frames as written: header JSON and body bytes, read without the decoder. */
async function rawFrames(file: string): Promise<{ header: Json; body: Buffer }[]> {
  const bytes = await fsp.readFile(file);
  const frames: { header: Json; body: Buffer }[] = [];
  for (let at = 0; at < bytes.length;) {
    const headerLength = bytes.readUInt32BE(at + 4);
    const bodyLength = bytes.readUInt32BE(at + 8);
    const headerAt = at + 16;
    const header = JSON.parse(bytes.toString('utf8', headerAt, headerAt + headerLength)) as Json;
    frames.push({
      header,
      body: bytes.subarray(headerAt + headerLength, headerAt + headerLength + bodyLength),
    });
    at = headerAt + headerLength + bodyLength;
  }
  return frames;
}

/** Each message still queued: its last state and its bytes, as the files hold them. */
async function queuedOnDisk(dataDir: string): Promise<Map<string, { record: Json; bytes: Buffer }>> {
  const queued = new Map<string, { record: Json; bytes: Buffer }>();
  for (const { header, body } of await rawFrames(path.join(dataDir, SEGMENT))) {
    if (header.op === 'put') {
      const record = header.record as Json;
      const id = record.id as string;
      const bytes =
        queued.get(id)?.bytes ??
        (body.length > 0 ? body : await fsp.readFile(path.join(dataDir, 'outbox/bodies', `${id}.eml`)));
      queued.set(id, { record, bytes });
    }
    if (header.op === 'del') queued.delete(header.id as string);
  }
  return queued;
}

const readJson = async (file: string) => JSON.parse(await fsp.readFile(file, 'utf8')) as Json;

const memoryKeychain = (): Keychain => {
  const secrets = new Map<string, string>();
  return {
    getPassword: (service, account) => Promise.resolve(secrets.get(`${service}/${account}`) ?? null),
    setPassword: (service, account, password) => {
      secrets.set(`${service}/${account}`, password);
      return Promise.resolve();
    },
    deletePassword: (service, account) => Promise.resolve(secrets.delete(`${service}/${account}`)),
  };
};

const dirs: string[] = [];
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  await Promise.all(dirs.splice(0).map((dir) => fsp.rm(dir, { recursive: true, force: true })));
});

/** A copy of the fixture: a queue store would reclaim its dead writer's segment in place. */
async function fixtureCopy(): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(tmpdir(), 'outbox-v1-'));
  dirs.push(dir);
  await fsp.cp(FIXTURE, dir, { recursive: true });
  return dir;
}

const settingsOf = (dataDir: string) =>
  new Conf({ cwd: dataDir, projectName: 'outbox-test', configName: 'config' });

describe('version 1 data, read by this build', () => {
  test('queued messages: every field of their state and every byte of the message', async () => {
    const dataDir = await fixtureCopy();
    const expected = await queuedOnDisk(dataDir);
    expect(expected.size).toBe(3);
    const store = createQueueStore(queuePaths(dataDir), {
      fs: nodeFileSystem,
      onQuarantine: () => undefined,
    });
    await store.init();
    try {
      expect(
        store
          .all()
          .map((record) => record.id)
          .sort(),
      ).toEqual([...expected.keys()].sort());
      for (const [id, { record, bytes }] of expected) {
        expect(store.get(id)).toEqual(record);
        expect((await buffer(store.openBytes(id))).equals(bytes)).toBe(true);
      }
      const deferred = store.all().find((record) => record.state === 'deferred');
      expect(deferred && toQueueItem(deferred).lastError).toEqual({
        code: 'connection_refused',
        message: 'The server refused the connection: connect ECONNREFUSED 127.0.0.1:1',
      });
      expect(store.sentRemovals().map((sent) => sent.subject)).toEqual(['Sent with mixed results']);
    } finally {
      await store.close();
    }
    expect(await fsp.readdir(queuePaths(dataDir).quarantine)).toEqual([]);
  });

  test('accounts, the draft and the sent log read back as written', async () => {
    const dataDir = await fixtureCopy();
    const written = (await readJson(path.join(dataDir, 'config.json'))).accounts as {
      defaultId: string;
      accounts: Json[];
    };
    const accounts = new AccountStore(settingsOf(dataDir));
    // Format 2 (OAuth2 sign-in) reads each version 1 account as one not signed in with OAuth2.
    expect(accounts.list()).toEqual(
      written.accounts.map((account) => ({
        ...account,
        hasOAuthToken: false,
        isDefault: account.id === written.defaultId,
      })),
    );

    const [draftFile] = await fsp.readdir(path.join(dataDir, 'drafts'));
    const draft = await readJson(path.join(dataDir, 'drafts', draftFile ?? ''));
    expect(await createDraftStore(path.join(dataDir, 'drafts'), silentLogger).list()).toEqual([draft]);

    const sentFile = path.join(dataDir, 'outbox/sent/2026-12-03.jsonl');
    const line = JSON.parse((await fsp.readFile(sentFile, 'utf8')).trim()) as Json;
    const sentLog = createSentLog(path.dirname(sentFile));
    expect(await sentLog.list({ limit: 10 })).toEqual([line]);
    expect(await sentLog.get(line.id as string)).toEqual(line);
    await sentLog.close();
  });

  test('the saved accounts are upgraded to format 2, which a version 1 build refuses', async () => {
    const dataDir = await fixtureCopy();
    const settings = settingsOf(dataDir);
    const accounts = new AccountStore(settings);
    const [first] = accounts.list();
    accounts.update(first?.id ?? '', { displayName: 'Ann E.' });
    const saved = settings.get(ACCOUNTS_KEY) as { version: number; accounts: Json[] };
    expect(saved.version).toBe(2);
    expect(saved.accounts.map((account) => account.hasOAuthToken)).toEqual([false, false]);
    // An older Outbox must not read an OAuth2 account as one that merely has no password.
    expect(() => migrate(saved, {}, 1)).toThrow(/newer version of Outbox/);
  });

  test('the queued messages go out byte for byte once their accounts reach a server', async () => {
    const dataDir = await fixtureCopy();
    const expected = await queuedOnDisk(dataDir);
    server = await startTestServer();
    const accounts = new AccountStore(settingsOf(dataDir));
    for (const account of accounts.list()) {
      accounts.update(account.id, { port: server.port });
      accounts.setInternal(account.id, { attention: undefined });
    }
    const core = await createCore({
      dataDir,
      store: settingsOf(dataDir),
      keychain: memoryKeychain(),
      platform: {
        pickFiles: () => Promise.resolve([]),
        notify: () => undefined,
        isOnline: () => true,
        openExternal: () => Promise.reject(new Error('This test has no browser')),
        version: '0.0.0-test',
      },
      emit: () => undefined,
      log: silentLogger,
    });
    await core.start();
    try {
      // The two scheduled for 2036 are sent now; the deferred one is already due.
      for (const item of await core.handlers['outbox:list'](undefined)) {
        if (item.state === 'scheduled') await core.handlers['outbox:retryNow']({ id: item.id });
      }
      for (let waited = 0; server.messages.length < expected.size && waited < 10_000; waited += 50) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const received = new Map(server.messages.map((message) => [message.messageId, message.raw]));
      for (const { record, bytes } of expected.values()) {
        // SMTP lines end in CRLF (RFC 5321 §2.3.8): the body's bare LFs go out as CRLF.
        const onTheWire = Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
        expect(received.get(record.messageId as string)?.equals(onTheWire)).toBe(true);
      }
      // A message is in the sent log once its removal is written, just after the server's reply.
      const sent = await vi.waitFor(async () => {
        const listed = await core.handlers['sent:list']({ limit: 10 });
        if (listed.length < 4) throw new Error(`${listed.length} in the sent log so far`);
        return listed;
      }, 10_000);
      expect(sent.map((record) => record.subject).sort()).toEqual([
        'Deferred once',
        'Scheduled inline – ünïcode',
        'Scheduled large body',
        'Sent with mixed results',
      ]);
    } finally {
      await core.stop();
    }
  });
});
