import { randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import MailComposer from 'nodemailer/lib/mail-composer';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../../main/errors/app-error.ts';
import { nodeFileSystem } from '../../../../main/files/atomic-file.ts';
import { bodyFile, queuePaths, type QueuePaths } from '../../../../main/outbox/store/queue-paths.ts';
import type { QueueRecord } from '../../../../main/outbox/store/queue-record.ts';
import { createQueueStore, type QueueStore } from '../../../../main/outbox/store/queue-store.ts';
import { draftFromStored } from '../../../../main/outbox/message/stored-draft.ts';
import { draftContent, MAX_REFERENCES } from '../../../../preload/contract/compose.ts';
import { makeDataDir } from '../../../support/outbox-fixture.ts';
import { sampleRecord } from '../../../support/sample-record.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A store on a fresh data folder, closed and deleted after the test. */
async function openStore(): Promise<{ store: QueueStore; paths: QueuePaths }> {
  const dataDir = await makeDataDir();
  cleanups.push(() => fsp.rm(dataDir, { recursive: true, force: true }));
  const paths = queuePaths(dataDir);
  const store = createQueueStore(paths, { fs: nodeFileSystem, onQuarantine: () => undefined });
  await store.init();
  cleanups.push(() => store.close());
  return { store, paths };
}

/** A real message as compose builds it, queued under `id`. */
async function enqueue(
  store: QueueStore,
  id: string,
  attachments: { filename: string; content: Buffer }[],
  thread: { inReplyTo?: string; references?: string[] } = {},
): Promise<{ record: QueueRecord; bytes: Buffer }> {
  const bytes = await new MailComposer({
    from: 'me@example.org',
    to: 'ann@example.net',
    subject: `subject ${id}`,
    text: 'See the attachment.',
    attachments,
    ...thread,
  })
    .compile()
    .build();
  const size = await store.writeBytes(id, bytes);
  const record = sampleRecord(id, { sizeBytes: size, attachmentCount: attachments.length });
  await store.save(record);
  return { record, bytes };
}

/** Where this process's open file descriptors point (Linux). */
async function openFiles(): Promise<string[]> {
  const fds = await fsp.readdir('/proc/self/fd');
  const targets = await Promise.all(
    fds.map((fd) => fsp.readlink(path.join('/proc/self/fd', fd)).catch(() => '')),
  );
  return targets.filter((t) => t !== '');
}

const under = (dir: string) => (file: string) => file === dir || file.startsWith(dir + path.sep);

/** Every file under `dir`, relative to it; none when `dir` is gone. */
const filesUnder = (dir: string) =>
  fsp.readdir(dir, { recursive: true }).catch((error: unknown) => {
    if ((error as { code?: unknown }).code === 'ENOENT') return [];
    throw error;
  });

describe.runIf(process.platform === 'linux')('taking a stored message back for editing', () => {
  it('gives back a whole message’s attachment byte for byte', async () => {
    const { store } = await openStore();
    const attachment = randomBytes(200 * 1024);
    const { record } = await enqueue(store, 'whole', [{ filename: 'data.bin', content: attachment }]);

    const draft = await draftFromStored(store, record);

    expect(draft.attachments.map((a) => path.basename(a.path))).toEqual(['data.bin']);
    expect((await fsp.readFile(draft.attachments[0]?.path ?? '')).equals(attachment)).toBe(true);
  });

  it('refuses a message whose stored bytes break off inside an attachment, leaving no file open or behind', async () => {
    const { store, paths } = await openStore();
    const { record, bytes } = await enqueue(store, 'cut', [
      { filename: 'data.bin', content: randomBytes(200 * 1024) },
    ]);
    // Over the inline limit, so the message has a file of its own, which is cut in the middle of
    // the attachment's base64 lines (as a crash or a damaged disk could leave it).
    const file = bodyFile(paths, 'cut');
    expect((await fsp.stat(file)).size).toBe(bytes.length);
    const partStart = bytes.indexOf('\r\n\r\n', bytes.indexOf('filename=data.bin')) + 4;
    const partEnd = bytes.lastIndexOf('\r\n--');
    expect(partStart).toBeGreaterThan(3);
    expect(partEnd - partStart).toBeGreaterThan(200 * 1024);
    await fsp.truncate(file, Math.floor((partStart + partEnd) / 2));
    const edits = path.join(paths.edits, 'cut');
    const filesBefore = await openFiles();

    const error: unknown = await draftFromStored(store, record).catch((e: unknown) => e);

    // Its file is checked before any of it is parsed: the damage is told, and the message set aside.
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: 'message_damaged',
      message: expect.stringContaining('its message file is no longer the size that was queued') as unknown,
    });
    expect(store.get('cut')).toBeUndefined();
    const filesAfter = await openFiles();
    expect(filesAfter.filter(under(edits))).toEqual([]);
    expect(filesAfter.filter(under(paths.root)).sort()).toEqual(filesBefore.filter(under(paths.root)).sort());
    expect(await filesUnder(paths.edits)).toEqual([]);
  });

  it('deletes the attachments already written when a later one cannot be written', async () => {
    const { store, paths } = await openStore();
    const { record } = await enqueue(store, 'blocked', [
      { filename: 'first.bin', content: randomBytes(64 * 1024) },
      { filename: 'second.bin', content: randomBytes(64 * 1024) },
    ]);
    const edits = path.join(paths.edits, 'blocked');
    // A folder where the second attachment's file should go: writing it fails with EISDIR.
    await fsp.mkdir(path.join(edits, 'second.bin'), { recursive: true });
    const filesBefore = await openFiles();

    await expect(draftFromStored(store, record)).rejects.toMatchObject({
      code: 'storage_failed',
      message: 'The message could not be taken back for editing (EISDIR); it stays in the outbox.',
    });

    expect((await openFiles()).filter(under(paths.root)).sort()).toEqual(
      filesBefore.filter(under(paths.root)).sort(),
    );
    // Only the folder the test put there is left.
    expect(await filesUnder(edits)).toEqual(['second.bin']);
  });

  it('keeps a long thread within what a draft holds: its root and its latest References', async () => {
    const { store } = await openStore();
    const ids = Array.from({ length: MAX_REFERENCES + 50 }, (_, n) => `<m${n}@example.org>`);
    const parent = ids.at(-1) ?? '';
    const { record } = await enqueue(store, 'thread', [], { inReplyTo: parent, references: ids });

    const content = await draftFromStored(store, record);

    expect(content.inReplyTo).toBe(parent);
    expect(content.references).toEqual([ids[0], ...ids.slice(51)]);
    // What outbox:edit answers the window with must pass the contract.
    expect(draftContent.safeParse(content).success).toBe(true);
  });
});
