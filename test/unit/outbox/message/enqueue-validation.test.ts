import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FileSystemSeam } from '../../../../main/files/atomic-file.ts';
import { nodeFileSystem } from '../../../../main/files/atomic-file.ts';
import { queuePaths } from '../../../../main/outbox/store/queue-paths.ts';
import { MAX_RECIPIENTS, type ComposeInput } from '../../../../preload/contract/compose.ts';
import {
  leftoverFiles,
  loggedEntries,
  segmentFiles,
  storedMessages,
} from '../../../support/queue-on-disk.ts';
import { createTestAccounts } from '../../../support/test-accounts.ts';
import {
  makeDataDir,
  plainEndpoint,
  startTestOutbox,
  type TestOutbox,
} from '../../../support/outbox-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An outbox whose only account is paused, so nothing leaves while the queue is inspected. */
async function outbox(options: { fs?: FileSystemSeam; dataDir?: string } = {}): Promise<TestOutbox> {
  const accounts = createTestAccounts([
    {
      id: 'work',
      fromAddress: 'me@example.org',
      displayName: 'Me',
      aliases: [{ address: 'alias@example.org', displayName: 'Alias' }],
      paused: true,
      endpoint: plainEndpoint(9),
    },
  ]);
  const started = await startTestOutbox({ accounts, ...options });
  cleanups.push(() => started.stop());
  return started;
}

/** `n` different recipients, named after `kind`. */
const addresses = (n: number, kind = 'to') => Array.from({ length: n }, (_, i) => `${kind}${i}@example.net`);

const message = (extra: Partial<ComposeInput> = {}): ComposeInput => ({
  accountId: 'work',
  to: ['ann@example.net'],
  subject: 'Hello',
  text: 'Hi',
  ...extra,
});

describe('enqueue refuses bad input with a specific error and keeps nothing', () => {
  it.each([
    ['an invalid address', message({ to: ['not an address'] }), 'invalid_address', 'to.0'],
    [
      'two addresses in one entry',
      message({ to: ['a@example.net, b@example.net'] }),
      'invalid_address',
      'to.0',
    ],
    ['a group', message({ cc: ['friends: a@example.net;'] }), 'invalid_address', 'cc.0'],
    ['no recipient at all', message({ to: [] }), 'no_recipients', 'to'],
    [
      'CRLF in a recipient',
      message({ to: ['ann@example.net\r\nBcc: eve@example.com'] }),
      'header_injection',
      'to.0',
    ],
    ['LF in the subject', message({ subject: 'Hi\nBcc: eve@example.com' }), 'header_injection', 'subject'],
    ['NUL in the reply-to', message({ replyTo: 'ann@example.net\0' }), 'header_injection', 'replyTo'],
    ['a sender that is not the account', message({ from: 'boss@example.com' }), 'invalid_address', 'from'],
    ['an unknown account', message({ accountId: 'gone' }), 'unknown_account', 'accountId'],
    [
      'a missing attachment',
      message({ attachments: [{ path: '/nonexistent/file.pdf' }] }),
      'attachment_missing',
      'attachments.0',
    ],
    [
      'a directory as attachment',
      message({ attachments: [{ path: '/tmp' }] }),
      'attachment_not_a_file',
      'attachments.0',
    ],
    // Stat says regular file, reading fails (EIO) for every user, root included.
    [
      'an unreadable attachment',
      message({ attachments: [{ path: '/proc/self/mem' }] }),
      'attachment_unreadable',
      'attachments.0',
    ],
  ])('%s', async (_name, input, code, field) => {
    const t = await outbox();
    await expect(t.outbox.service.enqueue(input)).rejects.toMatchObject({ code, field });
    expect(t.outbox.service.list()).toEqual([]);
    expect(await loggedEntries(t.dataDir)).toEqual([]);
    expect(await leftoverFiles(t.dataDir)).toEqual([]);
  });

  it.each([
    ['10000 in To', { to: addresses(10_000) }, 10_000],
    [
      '1001 across To, Cc and Bcc',
      { to: addresses(400), cc: addresses(400, 'cc'), bcc: addresses(201, 'bcc') },
      1001,
    ],
  ])('refuses %s recipients with too_many_recipients, as sendmail does', async (_name, extra, count) => {
    const t = await outbox();
    await expect(t.outbox.service.enqueue(message(extra))).rejects.toMatchObject({
      code: 'too_many_recipients',
      message: `This message has ${count} recipients; Outbox sends at most ${MAX_RECIPIENTS} in one message.`,
    });
    expect(await loggedEntries(t.dataDir)).toEqual([]);
    expect(await leftoverFiles(t.dataDir)).toEqual([]);
    // The limit itself is accepted.
    const item = await t.outbox.service.enqueue(message({ to: addresses(600), bcc: addresses(400, 'bcc') }));
    expect(item.recipients).toHaveLength(MAX_RECIPIENTS);
  });

  it('fails cleanly when the disk fills up mid-write, leaving no half-written file', async () => {
    let budget = 0;
    const fullDisk: FileSystemSeam = {
      async create(file) {
        const real = await nodeFileSystem.create(file);
        return {
          write: async (chunk) => {
            budget -= chunk.length;
            if (budget < 0) throw Object.assign(new Error('no space left on device'), { code: 'ENOSPC' });
            return real.write(chunk);
          },
          sync: () => real.sync(),
          truncate: (length) => real.truncate(length),
          close: () => real.close(),
        };
      },
    };
    const t = await outbox({ fs: fullDisk });
    for (const room of [0, 300, 5_000]) {
      budget = room;
      await expect(t.outbox.service.enqueue(message({ text: 'x'.repeat(10_000) }))).rejects.toMatchObject({
        code: 'disk_full',
      });
    }
    // At most the segment's own header frame; no part of any message.
    expect((await loggedEntries(t.dataDir)).filter((e) => e.op !== 'writer' && e.op !== 'commit')).toEqual(
      [],
    );
    expect(await leftoverFiles(t.dataDir)).toEqual([]);
    budget = Infinity;
    // Queued, and shown as held while its account is paused.
    await expect(t.outbox.service.enqueue(message())).resolves.toMatchObject({ state: 'held' });
  });
});

describe('enqueue accepts and normalises', () => {
  it('treats a send-at in the past as now', async () => {
    const t = await outbox();
    const item = await t.outbox.service.enqueue(message({ sendAt: '2001-01-01T00:00:00Z' }));
    expect(item.state).toBe('held');
    expect(item.sendAt).toBeUndefined();
    expect(item.nextAttemptAt).toBe(item.createdAt);
  });

  it('takes an alias as sender, IDN domains as punycode, and flags non-ASCII local parts for SMTPUTF8', async () => {
    const t = await outbox();
    const item = await t.outbox.service.enqueue(
      message({ from: 'alias@example.org', to: ['Jörg <jörg@bücher.example>', 'ann@bücher.example'] }),
    );
    expect(item.from).toBe('Alias <alias@example.org>');
    expect(item.recipients.map((r) => r.address)).toEqual([
      'jörg@xn--bcher-kva.example',
      'ann@xn--bcher-kva.example',
    ]);
    const [stored] = await storedMessages(t.dataDir);
    expect(stored?.record.needsSmtpUtf8).toBe(true);
  });

  it('keeps Bcc out of the stored bytes but in the envelope, with owner-only files', async () => {
    const t = await outbox();
    const item = await t.outbox.service.enqueue(message({ bcc: ['secret@example.com'] }));
    const paths = queuePaths(t.dataDir);
    const [stored] = await storedMessages(t.dataDir);
    expect(stored?.bytes).not.toContain('secret@example.com');
    expect(stored?.bytes).toContain(`Message-ID: ${item.messageId}`);
    expect(item.recipients).toContainEqual({ address: 'secret@example.com', kind: 'bcc', state: 'pending' });
    for (const name of await fsp.readdir(paths.queue)) {
      expect((await fsp.stat(path.join(paths.queue, name))).mode & 0o777).toBe(0o600);
    }
    for (const dir of [paths.root, paths.queue, paths.bodies]) {
      expect((await fsp.stat(dir)).mode & 0o777).toBe(0o700);
    }
  });
});

describe('a damaged queue', () => {
  it('sets aside a damaged stretch of the log and a message whose file was cut short, with a notice each; the others stay', async () => {
    const dataDir = await makeDataDir();
    const first = await outbox({ dataDir });
    const big = path.join(dataDir, 'big.bin');
    await fsp.writeFile(big, Buffer.alloc(400 * 1024, 7));
    const good = await first.outbox.service.enqueue(message({ subject: 'good' }));
    await first.outbox.service.enqueue(message({ subject: 'damaged' }));
    const short = await first.outbox.service.enqueue(
      message({ subject: 'short', attachments: [{ path: big }] }),
    );
    const after = await first.outbox.service.enqueue(message({ subject: 'after' }));
    await first.stop();

    const paths = queuePaths(dataDir);
    // The segment, not its seal marker next to it.
    const [segment] = await segmentFiles(paths);
    const file = path.join(paths.queue, segment ?? '');
    const log = await fsp.readFile(file);
    // One byte of the damaged message's state, in the middle of the log.
    const at = log.indexOf(`"subject":"damaged"`) + 12;
    log.writeUInt8((log[at] ?? 0) ^ 0x20, at);
    await fsp.writeFile(file, log);
    await fsp.truncate(path.join(paths.bodies, `${short.id}.eml`), 10);

    const second = await outbox({ dataDir });
    expect(second.outbox.service.list().map((i) => i.id)).toEqual([good.id, after.id]);
    const notices = second.payloads('app:noticed');
    expect(notices).toHaveLength(2);
    expect(notices.every((n) => n.level === 'warning')).toBe(true);
    expect(notices.map((n) => n.message).join('\n')).toContain(paths.quarantine);
    const aside = (await fsp.readdir(paths.quarantine)).sort();
    expect(aside).toHaveLength(2);
    // Each in a folder of its own, with a notice naming it.
    const stretchDir = aside.find((name) => name.startsWith(segment ?? '-')) ?? '';
    expect((await fsp.readdir(path.join(paths.quarantine, stretchDir))).sort()).toEqual(
      [`${stretchDir}.damaged`, 'notice.json'].sort(),
    );
    const messageDir = aside.find((name) => name.startsWith(short.id)) ?? '';
    expect((await fsp.readdir(path.join(paths.quarantine, messageDir))).sort()).toEqual(
      [`${short.id}.eml`, 'notice.json', 'state.json'].sort(),
    );
    // Set aside for good: the deliverer reclaimed the damaged segment, so a third start has nothing to report.
    await second.stop();
    const third = await outbox({ dataDir });
    expect(third.outbox.service.list().map((i) => i.id)).toEqual([good.id, after.id]);
    expect(third.payloads('app:noticed')).toEqual([]);
  });
});
