import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { silentLogger } from '../../../main/errors/logger.ts';
import { createIpcRouter, type IpcRouter } from '../../../main/ipc/ipc-router.ts';
import type { Account } from '../../../preload/contract/accounts.ts';
import type { Result } from '../../../preload/contract/errors.ts';
import { startTestCore, type TestCore } from '../../support/core-fixture.ts';
import { createPlainAccount, eventually, parseReceived, sha256 } from '../../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';

const ORIGIN = 'app://outbox';
const sender = { url: `${ORIGIN}/index.html`, isMainFrame: true, isOurWindow: true };
/** The typed refusal, naming the field when given. */
const notChosen = (field?: string) => ({
  ok: false,
  error: {
    code: 'invalid_input',
    message: expect.stringContaining('Attach files with the Attach button or by dropping them') as unknown,
    ...(field ? { field } : {}),
  },
});

/** What our own window can send: the renderer is assumed compromised, so it names any path it likes. */
function routerOf(core: TestCore): (channel: string, payload?: unknown) => Promise<Result<unknown>> {
  const router: IpcRouter = createIpcRouter(core.handlers, { trustedOrigin: ORIGIN, log: silentLogger });
  return (channel, payload) => router.dispatch(channel, payload, sender);
}

describe('main reads only files the user chose', () => {
  let smtp: TestServer;
  let core: TestCore;
  let call: ReturnType<typeof routerOf>;
  let account: Account;
  let home: string;
  let secret: string;
  let report: string;

  beforeAll(async () => {
    smtp = await startTestServer();
  });
  afterAll(() => smtp.close());

  beforeEach(async () => {
    core = await startTestCore({ settings: { undoSeconds: 0 } });
    call = routerOf(core);
    account = await createPlainAccount(core, smtp.port);
    home = await fsp.mkdtemp(path.join(core.dataDir, '..', 'outbox-home-'));
    secret = path.join(home, 'id_rsa');
    report = path.join(home, 'report.txt');
    await fsp.writeFile(secret, 'PRIVATE KEY');
    await fsp.writeFile(report, 'quarterly numbers');
    smtp.messages.length = 0;
  });
  afterEach(async () => {
    await core.close();
    await fsp.rm(home, { recursive: true, force: true });
  });

  const message = (attachments: string[]) => ({
    accountId: account.id,
    to: ['ann@example.net'],
    subject: 'Numbers',
    text: 'Attached.',
    attachments: attachments.map((p) => ({ path: p })),
  });

  test('a path never picked or dropped is refused by enqueue, stat and drafts, and nothing is sent', async () => {
    const enqueued = await call('outbox:enqueue', message([report, secret]));
    expect(enqueued).toMatchObject(notChosen('attachments.0'));
    expect(await call('files:stat', { paths: [secret] })).toMatchObject(notChosen('paths.0'));
    // Not even whether it exists.
    expect(await call('files:stat', { paths: ['/etc/shadow'] })).toMatchObject(notChosen());
    expect(await call('drafts:save', { content: { to: [], attachments: [{ path: secret }] } })).toMatchObject(
      notChosen('content.attachments.0'),
    );

    expect(await call('outbox:list')).toEqual({ ok: true, value: [] });
    expect(await call('drafts:list')).toEqual({ ok: true, value: [] });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.messages).toHaveLength(0);
  });

  test('a picked file is stated, saved in a draft and sent; one unpicked beside it is still refused', async () => {
    core.pickNext = [report];
    expect(await call('files:pick')).toEqual({
      ok: true,
      value: [{ path: report, name: 'report.txt', size: 17 }],
    });
    expect(await call('files:stat', { paths: [report] })).toMatchObject({ ok: true });
    expect(await call('drafts:save', { content: { attachments: [{ path: report }] } })).toMatchObject({
      ok: true,
    });
    expect(await call('outbox:enqueue', message([report, secret]))).toMatchObject(notChosen('attachments.1'));

    expect(await call('outbox:enqueue', message([report]))).toMatchObject({ ok: true });
    const received = await parseReceived(await eventually(() => smtp.messages[0]));
    expect(received.attachments).toEqual([
      { name: 'report.txt', sha256: sha256(Buffer.from('quarterly numbers')) },
    ]);
    expect(smtp.messages).toHaveLength(1);
  });

  test('a dropped file is granted through the preload channel', async () => {
    expect(await call('files:stat', { paths: [report] })).toMatchObject(notChosen());
    expect(await call('files:dropped', { paths: [report] })).toEqual({
      ok: true,
      value: [{ path: report, name: 'report.txt', size: 17 }],
    });
    expect(await call('files:stat', { paths: [report] })).toMatchObject({ ok: true });
  });

  test('a symlink cannot stretch a grant to another file', async () => {
    core.pickNext = [report];
    await call('files:pick');
    // A new name pointing at a file never chosen.
    const alias = path.join(home, 'innocent.txt');
    await fsp.symlink(secret, alias);
    expect(await call('files:stat', { paths: [alias] })).toMatchObject(notChosen());
    expect(await call('outbox:enqueue', message([alias]))).toMatchObject(notChosen());
    // The granted name itself, swapped for a link to another file after the pick.
    await fsp.rm(report);
    await fsp.symlink(secret, report);
    expect(await call('outbox:enqueue', message([report]))).toMatchObject(notChosen());
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.messages).toHaveLength(0);
  });

  test('the copies an edit writes are granted, and so are a saved draft’s files after a restart', async () => {
    core.pickNext = [report];
    await call('files:pick');
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const queued = await call('outbox:enqueue', { ...message([report]), sendAt: later });
    if (!queued.ok) throw new Error(queued.error.message);
    const edited = await call('outbox:edit', { id: (queued.value as { id: string }).id });
    if (!edited.ok) throw new Error(edited.error.message);
    const [copy] = (edited.value as { attachments: { path: string }[] }).attachments;
    expect(copy?.path.startsWith(path.join(core.dataDir, 'outbox'))).toBe(true);
    expect(await call('files:stat', { paths: [copy?.path] })).toMatchObject({ ok: true });
    expect(await call('drafts:save', { content: { attachments: [{ path: report }] } })).toMatchObject({
      ok: true,
    });

    // Main starts again on the same data folder: nothing is granted until it reads the drafts.
    await core.core.stop();
    const restarted = await startTestCore({ dataDir: core.dataDir });
    const again = routerOf(restarted);
    try {
      expect(await again('files:stat', { paths: [report] })).toMatchObject(notChosen());
      expect(await again('drafts:list')).toMatchObject({ ok: true });
      expect(await again('files:stat', { paths: [report] })).toMatchObject({ ok: true });
    } finally {
      await restarted.core.stop();
    }
  });

  test('an edit’s copies outlive a restart only while a saved draft holds them', async () => {
    core.pickNext = [report];
    await call('files:pick');
    const later = new Date(Date.now() + 3_600_000).toISOString();
    const editCopy = async () => {
      const queued = await call('outbox:enqueue', { ...message([report]), sendAt: later });
      if (!queued.ok) throw new Error(queued.error.message);
      const edited = await call('outbox:edit', { id: (queued.value as { id: string }).id });
      if (!edited.ok) throw new Error(edited.error.message);
      return (edited.value as { attachments: { path: string }[] }).attachments[0]?.path ?? '';
    };
    // Two messages taken back for editing: one saved as a draft, one discarded without saving.
    const kept = await editCopy();
    const discarded = await editCopy();
    expect(await call('drafts:save', { content: { attachments: [{ path: kept }] } })).toMatchObject({
      ok: true,
    });
    await core.core.stop();
    const restarted = await startTestCore({ dataDir: core.dataDir });
    try {
      expect(await fsp.readFile(kept, 'utf8')).toBe('quarterly numbers');
      await expect(fsp.access(path.dirname(discarded))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await restarted.core.stop();
    }
  });
});
