import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { text } from 'node:stream/consumers';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFileSystem, type FileSystemSeam } from '../../../../main/files/atomic-file.ts';
import { AttachmentFile, withAttachments } from '../../../../main/outbox/message/attachment-file.ts';
import type { ComposeInput } from '../../../../preload/contract/compose.ts';
import { leftoverFiles, loggedEntries, storedMessages } from '../../../support/queue-on-disk.ts';
import { createTestAccounts } from '../../../support/test-accounts.ts';
import {
  makeDataDir,
  plainEndpoint,
  startTestOutbox,
  type TestOutbox,
} from '../../../support/outbox-fixture.ts';

/** Only a guard: each case either finishes at once or hangs, and a hang must fail, not stall the run. */
const HANG_GUARD_MS = 20_000;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function folder(): Promise<string> {
  const dir = await makeDataDir();
  cleanups.push(() => fsp.rm(dir, { recursive: true, force: true }));
  return dir;
}

async function fifo(dir: string, name = 'fifo'): Promise<string> {
  const file = path.join(dir, name);
  await promisify(execFile)('mkfifo', [file]);
  return file;
}

/**
 * The real outbox with a paused account (nothing leaves). `onSpill` runs when a message's bytes
 * outgrow memory and the store creates their file: the message is then half built, its first
 * attachment being read and the later ones not yet reached.
 */
async function outbox(
  options: { onSpill?: () => Promise<void>; maxMessageBytes?: number } = {},
): Promise<TestOutbox & { spills: () => number }> {
  const accounts = createTestAccounts([
    {
      id: 'work',
      fromAddress: 'me@example.org',
      paused: true,
      endpoint: plainEndpoint(9),
      ...(options.maxMessageBytes === undefined ? {} : { maxMessageBytes: options.maxMessageBytes }),
    },
  ]);
  const counter = { spills: 0 };
  const fs: FileSystemSeam = {
    ...nodeFileSystem,
    async create(file) {
      // The temporary file of a message body (writeFileAtomic writes it in outbox/tmp/), not a
      // segment of the log.
      if (path.basename(path.dirname(file)) === 'tmp') {
        counter.spills++;
        await options.onSpill?.();
      }
      return nodeFileSystem.create(file);
    },
  };
  const started = await startTestOutbox({ accounts, fs });
  cleanups.push(async () => {
    await started.stop();
    await fsp.rm(started.dataDir, { recursive: true, force: true });
  });
  return Object.assign(started, { spills: () => counter.spills });
}

const message = (attachments: string[]): ComposeInput => ({
  accountId: 'work',
  to: ['ann@example.net'],
  subject: 'files',
  text: 'attached',
  attachments: attachments.map((p) => ({ path: p })),
});

/** The attachments of the one message in the queue, as a receiver decodes them. */
async function storedAttachments(t: TestOutbox): Promise<Buffer[]> {
  const [stored] = await storedMessages(t.dataDir);
  const parsed = await simpleParser(stored?.bytes ?? '');
  return parsed.attachments.map((a) => a.content);
}

/** A first attachment large enough that the message spills to a file while it is being read. */
async function bigFirst(dir: string): Promise<{ file: string; bytes: Buffer }> {
  const bytes = randomBytes(400 * 1024);
  const file = path.join(dir, 'big.bin');
  await fsp.writeFile(file, bytes);
  return { file, bytes };
}

/** Descriptors of this process open on `file`, from /proc (Linux). */
async function openDescriptors(file: string): Promise<number> {
  const target = await fsp.realpath(file);
  const fds = await fsp.readdir('/proc/self/fd');
  const links = await Promise.all(fds.map((fd) => fsp.readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return links.filter((link) => link === target).length;
}

describe('an attachment swapped after it was checked: the message carries what was checked', () => {
  const original = Buffer.from('the checked bytes\n\0\xff'.repeat(50), 'latin1');

  it.each([
    {
      name: 'a symlink pointed at /dev/zero',
      chosen: async (dir: string) => {
        await fsp.writeFile(path.join(dir, 'real.bin'), original);
        const link = path.join(dir, 'chosen.bin');
        await fsp.symlink(path.join(dir, 'real.bin'), link);
        return link;
      },
      swap: async (dir: string, chosen: string) => {
        await fsp.symlink('/dev/zero', path.join(dir, 'zero'));
        await fsp.rename(path.join(dir, 'zero'), chosen);
      },
    },
    {
      name: 'another regular file renamed over it',
      swap: async (dir: string, chosen: string) => {
        await fsp.writeFile(path.join(dir, 'other.bin'), 'a different file');
        await fsp.rename(path.join(dir, 'other.bin'), chosen);
      },
    },
    {
      name: 'a FIFO renamed over it',
      swap: async (dir: string, chosen: string) => fsp.rename(await fifo(dir), chosen),
    },
    {
      name: 'the file grown in place',
      swap: async (_dir: string, chosen: string) => fsp.appendFile(chosen, 'appended after the check'),
    },
  ])(
    '$name',
    async ({ chosen: choose, swap }) => {
      const dir = await folder();
      const big = await bigFirst(dir);
      const chosen = choose ? await choose(dir) : path.join(dir, 'chosen.bin');
      if (!choose) await fsp.writeFile(chosen, original);
      const t = await outbox({ onSpill: () => swap(dir, chosen) });

      await t.outbox.service.enqueue(message([big.file, chosen]));

      expect(t.spills()).toBe(1);
      expect(await storedAttachments(t)).toEqual([big.bytes, original]);
    },
    HANG_GUARD_MS,
  );

  it('a file that shrinks after the check is refused, not attached short, and nothing is kept', async () => {
    const dir = await folder();
    const big = await bigFirst(dir);
    const chosen = path.join(dir, 'chosen.bin');
    await fsp.writeFile(chosen, original);
    const t = await outbox({ onSpill: () => fsp.truncate(chosen, 10) });

    await expect(t.outbox.service.enqueue(message([big.file, chosen]))).rejects.toMatchObject({
      code: 'attachment_unreadable',
      field: 'attachments.1',
      message: expect.stringContaining('became shorter') as unknown,
    });
    expect(t.outbox.service.list()).toEqual([]);
    expect(await loggedEntries(t.dataDir)).toEqual([]);
    expect(await leftoverFiles(t.dataDir)).toEqual([]);
  });
});

describe('what is not a regular file is refused at once, before anything is read', () => {
  it.each([
    { name: '/dev/zero', make: () => Promise.resolve('/dev/zero') },
    { name: 'a FIFO', make: (dir: string) => fifo(dir) },
    {
      name: 'a symlink to /dev/zero',
      make: async (dir: string) => {
        await fsp.symlink('/dev/zero', path.join(dir, 'zero.bin'));
        return path.join(dir, 'zero.bin');
      },
    },
    {
      name: 'a socket',
      make: async (dir: string) => {
        const file = path.join(dir, 'socket');
        const server = net.createServer();
        await new Promise<void>((resolve) => server.listen(file, resolve));
        cleanups.push(
          () =>
            new Promise((resolve) => {
              server.close(() => {
                resolve();
              });
            }),
        );
        return file;
      },
    },
  ])(
    '$name',
    async ({ make }) => {
      const dir = await folder();
      const t = await outbox();
      await expect(t.outbox.service.enqueue(message([await make(dir)]))).rejects.toMatchObject({
        code: 'attachment_not_a_file',
        field: 'attachments.0',
      });
      expect(t.outbox.service.list()).toEqual([]);
      expect(await leftoverFiles(t.dataDir)).toEqual([]);
    },
    HANG_GUARD_MS,
  );

  it('a symlink to a regular file is followed: users may attach one on purpose', async () => {
    const dir = await folder();
    await fsp.writeFile(path.join(dir, 'real.txt'), 'real content');
    await fsp.symlink(path.join(dir, 'real.txt'), path.join(dir, 'link.txt'));
    const t = await outbox();
    await t.outbox.service.enqueue(message([path.join(dir, 'link.txt')]));
    expect((await storedAttachments(t)).map(String)).toEqual(['real content']);
  });

  it('attachments that alone exceed the account limit are refused before any of them is read', async () => {
    const dir = await folder();
    const big = await bigFirst(dir);
    const t = await outbox({ maxMessageBytes: 300 * 1024 });
    await expect(t.outbox.service.enqueue(message([big.file]))).rejects.toMatchObject({
      code: 'message_too_large',
      message: expect.stringContaining('attachments alone are 409600 bytes') as unknown,
    });
    // Nothing of the message was written, not even to a temporary file.
    expect(t.spills()).toBe(0);
    expect(await leftoverFiles(t.dataDir)).toEqual([]);
  });
});

describe('AttachmentFile', () => {
  const only = (files: readonly AttachmentFile[]): AttachmentFile => {
    const [file] = files;
    if (!file || files.length > 1) throw new Error('expected one opened file');
    return file;
  };

  async function sample(content: string | Buffer = 'twelve bytes'): Promise<string> {
    const file = path.join(await folder(), 'sample.txt');
    await fsp.writeFile(file, content);
    return file;
  }

  it('reads the descriptor, from the start, as often as asked, and no more than it saw', async () => {
    const file = await sample();
    await withAttachments([file], async (files) => {
      const opened = only(files);
      expect(opened.size).toBe(12);
      await fsp.unlink(file);
      await fsp.writeFile(file, 'something else entirely');
      expect(await text(opened.stream())).toBe('twelve bytes');
      expect(await text(opened.stream())).toBe('twelve bytes');
    });
  });

  it('refuses a file that says size 0 but has content (procfs), rather than attach it empty', async () => {
    await expect(AttachmentFile.open('/proc/self/status', 'attachments.0')).rejects.toMatchObject({
      code: 'attachment_unreadable',
    });
  });

  it('attaches an empty file as empty', async () => {
    const file = await sample('');
    expect(await withAttachments([file], async (files) => text(only(files).stream()))).toBe('');
  });

  describe('closes its descriptor whatever happens', () => {
    it('after the message is built', async () => {
      const file = await sample();
      await withAttachments([file], async (files) => {
        expect(await openDescriptors(file)).toBe(1);
        await text(only(files).stream());
      });
      expect(await openDescriptors(file)).toBe(0);
    });

    it('when a later attachment is refused', async () => {
      const file = await sample();
      await expect(withAttachments([file, '/dev/zero'], () => Promise.resolve())).rejects.toMatchObject({
        code: 'attachment_not_a_file',
        field: 'attachments.1',
      });
      expect(await openDescriptors(file)).toBe(0);
    });

    it('when reading fails', async () => {
      const file = await sample();
      const failed = withAttachments([file], async (files) => {
        await fsp.truncate(file, 3);
        await text(only(files).stream());
      });
      await expect(failed).rejects.toMatchObject({ code: 'attachment_unreadable' });
      expect(await openDescriptors(file)).toBe(0);
    });

    it('when the reader gives up half-way', async () => {
      const file = await sample(randomBytes(1024 * 1024));
      await withAttachments([file], async (files) => {
        const stream = only(files).stream();
        const reader = stream[Symbol.asyncIterator]();
        await reader.next();
        await reader.return?.();
        expect(stream.destroyed).toBe(true);
      });
      expect(await openDescriptors(file)).toBe(0);
    });
  });
});
