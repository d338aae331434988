import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../../main/files/atomic-file.ts';
import { restoreSetAside } from '../../../main/outbox/message/restore-set-aside.ts';
import { queuePaths } from '../../../main/outbox/store/queue-paths.ts';
import { createQueueStore, type QueueStore } from '../../../main/outbox/store/queue-store.ts';
import { createSentLog } from '../../../main/sent/sent-log.ts';
import {
  makeDataDir,
  plainEndpoint,
  startTestOutbox,
  type TestOutbox,
} from '../../support/outbox-fixture.ts';
import { storedMessages } from '../../support/queue-on-disk.ts';
import { createTestAccounts } from '../../support/test-accounts.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** An outbox whose only account is paused, so nothing leaves while the queue is inspected. */
async function outbox(dataDir: string): Promise<TestOutbox> {
  const accounts = createTestAccounts([
    {
      id: 'work',
      fromAddress: 'me@example.org',
      displayName: 'Me',
      paused: true,
      endpoint: plainEndpoint(9),
    },
  ]);
  const started = await startTestOutbox({ accounts, dataDir });
  cleanups.push(() => started.stop());
  return started;
}

/** A message queued with a file of its own, which is then lost: the next start sets it aside. */
async function queueWithLostFile() {
  const dataDir = await makeDataDir();
  const first = await outbox(dataDir);
  const big = path.join(dataDir, 'big.bin');
  await fsp.writeFile(big, Buffer.alloc(400 * 1024, 7));
  const item = await first.outbox.service.enqueue({
    accountId: 'work',
    to: ['ann@example.net'],
    subject: 'Figures',
    text: 'Attached.',
    attachments: [{ path: big }],
  });
  await first.stop();
  const eml = path.join(queuePaths(dataDir).bodies, `${item.id}.eml`);
  const kept = await fsp.readFile(eml);
  await fsp.rm(eml);
  return { dataDir, item, kept };
}

describe('the facade over what was set aside', () => {
  it('lists a set-aside message, tells its subscribers, and restores it once, however often it is asked', async () => {
    const { dataDir, item, kept } = await queueWithLostFile();

    const second = await outbox(dataDir);
    const { service } = second.outbox;
    expect(service.list()).toEqual([]);
    const [aside] = await service.setAsideItems();
    expect(aside).toMatchObject({ id: item.id, subject: 'Figures', recipients: ['ann@example.net'] });
    expect(aside?.restorable).toBe(false);
    await expect(service.restore(aside?.key ?? '')).rejects.toMatchObject({ code: 'message_damaged' });

    await fsp.writeFile(path.join(path.dirname(aside?.file ?? ''), `${item.id}.eml`), kept);
    // Another live process restoring it (the CLI, say): refused; one that died: taken over.
    const claim = path.join(path.dirname(aside?.file ?? ''), 'restoring.json');
    await fsp.writeFile(claim, JSON.stringify({ pid: process.ppid }));
    await expect(service.restore(aside?.key ?? '')).rejects.toMatchObject({ code: 'invalid_state' });
    await fsp.writeFile(claim, JSON.stringify({ pid: 999_999_999 }));
    let changes = 0;
    const unsubscribe = service.onSetAsideChanged(() => (changes += 1));
    const tries = await Promise.allSettled([
      service.restore(aside?.key ?? ''),
      service.restore(aside?.key ?? ''),
    ]);
    unsubscribe();
    expect(tries.map((t) => t.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(service.list()).toMatchObject([{ subject: 'Figures', state: 'held' }]);
    // Once in the log too, not only in this process's view.
    expect((await storedMessages(dataDir)).map((m) => m.record.subject)).toEqual(['Figures']);
    expect(await service.setAsideItems()).toEqual([]);
    expect(changes).toBe(1);
  });

  it('sees a set-aside file change between two listings, even in place at the same size', async () => {
    const { dataDir, item, kept } = await queueWithLostFile();

    const { service } = (await outbox(dataDir)).outbox;
    const [aside] = await service.setAsideItems();
    const copy = path.join(path.dirname(aside?.file ?? ''), `${item.id}.eml`);
    await fsp.writeFile(copy, kept);
    expect((await service.setAsideItems())[0]?.restorable).toBe(true);
    // Listed again and again (the window asks on every change): still known good.
    expect((await service.setAsideItems())[0]?.restorable).toBe(true);

    const flipped = Buffer.from(kept);
    flipped[flipped.length - 10] = (flipped[flipped.length - 10] ?? 0) ^ 0x20;
    const handle = await fsp.open(copy, 'r+');
    await handle.write(flipped, 0, flipped.length, 0);
    await handle.close();
    expect((await service.setAsideItems())[0]?.restorable).toBe(false);
    await expect(service.restore(aside?.key ?? '')).rejects.toMatchObject({ code: 'message_damaged' });
  });

  it('asked again after a restore a crash cut off, queues the message once, and not at all once sent', async () => {
    const { dataDir, item, kept } = await queueWithLostFile();
    const { service } = (await outbox(dataDir)).outbox;
    const [aside] = await service.setAsideItems();
    const key = aside?.key ?? '';
    await fsp.writeFile(path.join(path.dirname(aside?.file ?? ''), `${item.id}.eml`), kept);
    const folder = path.dirname(aside?.file ?? '');
    const before = path.join(dataDir, 'folder-before');
    await fsp.cp(folder, before, { recursive: true });

    // `outbox queue restore` in another process, which dies once the message is queued again,
    // before it removes the folder.
    await cutOffRestore(dataDir, key);
    const [requeued] = (await storedMessages(dataDir)).map((m) => m.record);
    expect(requeued).toMatchObject({ subject: 'Figures' });
    expect((await service.setAsideItems()).map((a) => a.key)).toEqual([key]);

    // Asked again: the message is already back, under the id the first restore recorded.
    expect(await service.restore(key)).toMatchObject({ id: requeued?.id, subject: 'Figures' });
    expect((await storedMessages(dataDir)).map((m) => m.record.id)).toEqual([requeued?.id]);
    expect(await service.setAsideItems()).toEqual([]);

    // The same crash again, and this time the message is sent before anyone asks again.
    await fsp.cp(before, folder, { recursive: true });
    const second = await cutOffRestore(dataDir, key);
    const sentLog = createSentLog(queuePaths(dataDir).sent);
    await sentLog.write({
      id: second.id,
      messageId: second.messageId,
      accountId: 'work',
      from: second.from,
      subject: second.subject,
      sentAt: new Date().toISOString(),
      recipients: [{ address: 'ann@example.net', kind: 'to', state: 'accepted', reply: '250 2.0.0 Ok' }],
      sizeBytes: second.sizeBytes,
      attempts: 1,
    });
    await sentLog.close();
    const deliverer = await openedStore(dataDir);
    await deliverer.remove(second.id);
    await deliverer.close();
    await expect(service.restore(key)).rejects.toMatchObject({
      code: 'invalid_state',
    });
    await expect(service.restore(key)).rejects.toThrow('was restored already and sent');
    expect((await storedMessages(dataDir)).map((m) => m.record.id)).toEqual([requeued?.id]);
    expect((await service.setAsideItems()).map((a) => a.key)).toEqual([key]);
  });

  it('refuses to restore again when it cannot read which id the cut-off restore used', async () => {
    const { dataDir, item, kept } = await queueWithLostFile();
    const { service } = (await outbox(dataDir)).outbox;
    const [aside] = await service.setAsideItems();
    const key = aside?.key ?? '';
    const folder = path.dirname(aside?.file ?? '');
    await fsp.writeFile(path.join(folder, `${item.id}.eml`), kept);
    await cutOffRestore(dataDir, key);
    await fsp.writeFile(path.join(folder, 'restored-as.json'), '{"id": ');
    await expect(service.restore(key)).rejects.toMatchObject({ code: 'message_damaged' });
    expect(await storedMessages(dataDir)).toHaveLength(1);
    expect((await service.setAsideItems()).map((a) => a.key)).toEqual([key]);
  });
});

async function openedStore(dataDir: string): Promise<QueueStore> {
  const store = createQueueStore(queuePaths(dataDir), { fs: nodeFileSystem, onQuarantine: () => undefined });
  await store.init();
  return store;
}

/** A restore in a store of its own that fails where it would remove the folder; returns what it queued. */
async function cutOffRestore(dataDir: string, key: string) {
  const store = await openedStore(dataDir);
  const dying = new Proxy(store, {
    get(target, name) {
      if (name === 'discardSetAside') return () => Promise.reject(new Error('killed'));
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  const before = new Set(store.ids());
  try {
    await expect(restoreSetAside(dying, key, Date.now(), () => Promise.resolve(false))).rejects.toThrow(
      'killed',
    );
    // Its claim on the folder is left behind, naming a process that is gone.
    const [aside] = (await store.setAsideItems()).filter((item) => item.key === key);
    await fsp.writeFile(
      path.join(path.dirname(aside?.file ?? ''), 'restoring.json'),
      JSON.stringify({ pid: 999_999_999 }),
    );
    const [queued] = store.all().filter((r) => !before.has(r.id));
    if (!queued) throw new Error('the cut-off restore queued nothing');
    return queued;
  } finally {
    await store.close();
  }
}
