import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { queueDamagedJson, queueListJson } from '../../../main/cli/json-output.ts';
import { encodeFrame } from '../../../main/outbox/store/queue-log-format.ts';
import { queuePaths } from '../../../main/outbox/store/queue-paths.ts';
import { sampleRecord } from '../../support/sample-record.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { addLocalAccount, runCli, tempHomes } from './run-cli.ts';

let server: TestServer;
const tempHome = tempHomes();

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(() => {
  server.messages.length = 0;
});
afterAll(async () => {
  await server.close();
});

/** A data folder with one account for the test server. */
async function newHome(): Promise<{ home: string; accountId: string }> {
  const home = await tempHome();
  return { home, accountId: await addLocalAccount(home, 'Reports', 'reports@example.org', server.port) };
}

async function send(home: string, subject: string, extra: string[] = []): Promise<string> {
  const sent = await runCli(home, ['send', '--to', 'ann@example.net', '--subject', subject, ...extra]);
  expect(sent.stderr).toBe('');
  expect(sent.code).toBe(0);
  return sent.stdout.trim();
}

async function damagedJson(home: string) {
  const result = await runCli(home, ['queue', 'damaged', '--json']);
  expect(result.code).toBe(0);
  return queueDamagedJson.parse(JSON.parse(result.stdout)).items;
}

const exists = (file: string) =>
  fsp.stat(file).then(
    () => true,
    () => false,
  );

describe('set-aside messages from the command line', () => {
  it('names the message in a damaged stretch of the log, lists it, and refuses to restore it', async () => {
    const { home } = await newHome();
    const paths = queuePaths(home);
    const before = new Set(await fsp.readdir(paths.queue));
    const id = await send(home, 'Quarterly figures', ['--text', 'Revenue rose in every region.']);
    const after = await send(home, 'Unharmed', ['--text', 'fine']);
    const [segment = ''] = (await fsp.readdir(paths.queue)).filter((name) => !before.has(name));
    const file = path.join(paths.queue, segment);
    const log = await fsp.readFile(file);
    // One bit of the message's body, inside its frame: its CRC fails, its header still reads.
    const at = log.indexOf('Revenue rose');
    expect(at).toBeGreaterThan(0);
    log.writeUInt8((log[at] ?? 0) ^ 0x01, at);
    await fsp.writeFile(file, log);

    const listed = await runCli(home, ['queue', 'list', '--json']);
    expect(listed.code).toBe(0);
    expect(queueListJson.parse(JSON.parse(listed.stdout)).messages.map((m) => m.id)).toEqual([after]);
    const [notice = '', details = '', ...more] = listed.stderr.trimEnd().split('\n');
    expect(more).toEqual([]);
    expect(notice).toContain(`message ${id} "Quarterly figures" to ann@example.net`);
    expect(notice).toContain(`of the queue log ${segment} are damaged`);
    expect(details).toContain(`file: ${paths.quarantine}${path.sep}`);

    const items = await damagedJson(home);
    expect(items).toEqual([
      expect.objectContaining({
        id,
        subject: 'Quarterly figures',
        recipients: ['ann@example.net'],
        restorable: false,
      }),
    ]);
    const [item] = items;
    expect(details).toContain(item?.file);
    expect((await fsp.readFile(item?.file ?? '')).includes('evenue rose in every region')).toBe(true);
    const text = await runCli(home, ['queue', 'damaged']);
    expect(text.stdout.split('\t').slice(2, 6)).toEqual([
      'damaged',
      id,
      'ann@example.net',
      'Quarterly figures',
    ]);

    const refused = await runCli(home, ['queue', 'restore', item?.key ?? '']);
    expect(refused.code).toBe(65);
    expect(refused.stderr).toContain(`its files stay at ${item?.file}`);
    expect(await exists(item?.file ?? '')).toBe(true);
  });

  it('restores a set-aside message once its file is back, and it is delivered', async () => {
    const { home } = await newHome();
    const paths = queuePaths(home);
    const big = path.join(home, 'figures.bin');
    await fsp.writeFile(big, Buffer.alloc(400 * 1024, 7));
    // Large enough for a file of its own, outside the log.
    const id = await send(home, 'Annual report', ['--text', 'Attached.', '--attach', big]);
    const eml = path.join(paths.bodies, `${id}.eml`);
    const kept = path.join(home, 'kept.eml');
    await fsp.rename(eml, kept);

    const listed = await runCli(home, ['queue', 'list']);
    expect(listed.stdout).toBe('');
    expect(listed.stderr).toContain(
      `message ${id} "Annual report" to ann@example.net: its message file is missing`,
    );
    const [missing] = await damagedJson(home);
    expect(missing).toMatchObject({ id, subject: 'Annual report', restorable: false });
    const key = missing?.key ?? '';

    // Nothing to restore from yet: refused, and what is kept stays.
    const refused = await runCli(home, ['queue', 'restore', key]);
    expect(refused.code).toBe(65);
    expect(refused.stderr).toContain('its message file is missing');
    expect(await exists(path.join(paths.quarantine, key))).toBe(true);

    // The file cut short does not verify either.
    const folderCopy = path.join(paths.quarantine, key, `${id}.eml`);
    await fsp.writeFile(folderCopy, (await fsp.readFile(kept)).subarray(0, 1000));
    expect((await runCli(home, ['queue', 'restore', key])).stderr).toContain('truncated');

    await fsp.copyFile(kept, folderCopy);
    expect((await damagedJson(home))[0]).toMatchObject({ key, restorable: true });
    const restored = await runCli(home, ['queue', 'restore', key]);
    expect(restored.stderr).toBe('');
    expect(restored.code).toBe(0);
    const [newId, state] = restored.stdout.trim().split(' ');
    expect(state).toBe('queued');
    expect(await damagedJson(home)).toEqual([]);

    const flushed = await runCli(home, ['queue', 'flush', '--wait']);
    expect(flushed.stdout).toContain('Delivered 1; the outbox is empty');
    expect(server.messages).toHaveLength(1);
    expect(server.messages[0]?.raw.equals(await fsp.readFile(kept))).toBe(true);
    expect(newId).not.toBe(id);
  });

  it('lists what older versions set aside, and restores such a message', async () => {
    const { home, accountId } = await newHome();
    const paths = queuePaths(home);
    await fsp.mkdir(paths.quarantine, { recursive: true });
    const bytes = Buffer.from(
      'From: reports@example.org\r\nTo: bob@example.net\r\nSubject: Old\r\n\r\nhi\r\n',
    );
    const record = sampleRecord('0old', {
      accountId,
      subject: 'Old',
      envelopeFrom: 'reports@example.org',
      from: 'reports@example.org',
      recipients: [{ address: 'bob@example.net', kind: 'to', state: 'pending' }],
      sizeBytes: bytes.length,
    });
    const folder = path.join(paths.quarantine, '0old-1767261600000');
    await fsp.mkdir(folder);
    await fsp.writeFile(path.join(folder, 'state.json'), JSON.stringify(record));
    await fsp.writeFile(path.join(folder, '0old.eml'), bytes);
    const stretch = encodeFrame({ op: 'put', rev: 1, record: sampleRecord('0torn', { subject: 'Torn' }) });
    stretch.writeUInt8((stretch[40] ?? 0) ^ 0x01, 40);
    await fsp.writeFile(path.join(paths.quarantine, 'w1.log-4096.damaged'), stretch);

    const items = await damagedJson(home);
    expect(items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ key: '0old-1767261600000', id: '0old', subject: 'Old', restorable: true }),
        expect.objectContaining({
          key: 'w1.log-4096.damaged',
          id: '0torn',
          subject: 'Torn',
          restorable: false,
        }),
      ]),
    );
    expect(items).toHaveLength(2);

    const restored = await runCli(home, ['queue', 'restore', '0old-1767261600000']);
    expect(restored.code).toBe(0);
    expect((await runCli(home, ['queue', 'flush', '--wait'])).stdout).toContain('Delivered 1');
    expect(server.messages.map((m) => m.to)).toEqual([['bob@example.net']]);
  });

  it('refuses a key that is not a plain name under the quarantine folder, and an unknown one', async () => {
    const { home } = await newHome();
    const paths = queuePaths(home);
    const outside = path.join(paths.root, 'x');
    await fsp.mkdir(path.join(outside), { recursive: true });
    for (const key of ['../x', '..', '/etc', 'a/../../x']) {
      const result = await runCli(home, ['queue', 'restore', key]);
      expect(result.code, key).toBe(65);
      expect(result.stderr).toContain('is not the key of something set aside');
    }
    expect(await exists(outside)).toBe(true);
    const unknown = await runCli(home, ['queue', 'restore', 'nothing-here']);
    expect(unknown.code).toBe(66);
    expect(unknown.stderr).toContain('Nothing set aside is called "nothing-here"');
  });
});
