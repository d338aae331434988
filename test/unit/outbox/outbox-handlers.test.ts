import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDraftStore } from '../../../main/drafts/draft-store.ts';
import { AppError } from '../../../main/errors/app-error.ts';
import { silentLogger, type Logger } from '../../../main/errors/logger.ts';
import { createOutboxHandlers, type QueuedDrafts } from '../../../main/outbox/outbox-handlers.ts';
import { createChosenFiles } from '../../../main/security/chosen-files.ts';
import { createSentHandlers } from '../../../main/sent/sent-handlers.ts';
import { createTestAccounts } from '../../support/test-accounts.ts';
import { makeDataDir, plainEndpoint, startTestOutbox } from '../../support/outbox-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('outbox handlers', () => {
  it('answer the bridge calls from the service', async () => {
    const accounts = createTestAccounts([
      { id: 'work', fromAddress: 'me@example.org', paused: true, endpoint: plainEndpoint(9) },
    ]);
    const t = await startTestOutbox({ accounts, settings: { undoSeconds: 30 } });
    cleanups.push(() => t.stop());
    const chosen = createChosenFiles();
    const drafts: QueuedDrafts = { remove: () => Promise.resolve() };
    const handlers = {
      ...createOutboxHandlers(t.outbox, chosen, drafts, silentLogger),
      ...createSentHandlers(t.outbox.sent, () => t.outbox.service.list()),
    };
    const dir = await makeDataDir();
    const file = path.join(dir, 'notes.txt');
    await fsp.writeFile(file, 'twelve bytes');
    // As if picked: the handlers read only files the user chose.
    await chosen.grant([file, dir]);

    expect(await handlers['files:stat']({ paths: [file] })).toEqual([
      { path: file, name: 'notes.txt', size: 12 },
    ]);
    await expect(handlers['files:stat']({ paths: [dir] })).rejects.toMatchObject({
      code: 'attachment_not_a_file',
    });

    const item = await handlers['outbox:enqueue']({
      accountId: 'work',
      to: ['ann@example.net'],
      cc: [],
      bcc: [],
      subject: 'Hi',
      text: 'Hello',
      attachments: [{ path: file }],
    });
    expect(await handlers['outbox:list'](undefined)).toEqual([item]);
    expect(await handlers['outbox:get']({ id: item.id })).toEqual(item);
    expect(await handlers['contacts:recent']({ prefix: 'an', limit: 8 })).toEqual(['ann@example.net']);
    expect(await handlers['app:getStatus'](undefined)).toEqual({ online: true, version: '0.0.0-test' });
    expect(await handlers['app:networkHint']({ online: false })).toBeNull();
    expect((await handlers['app:getStatus'](undefined)).online).toBe(false);
    await expect(handlers['outbox:markSent']({ id: item.id })).rejects.toMatchObject({
      code: 'invalid_state',
    });
    const draft = await handlers['outbox:undo']({ id: item.id });
    expect(draft.attachments.map((a) => path.basename(a.path))).toEqual(['notes.txt']);
    // The router awaits whatever a handler returns or throws; so does this.
    await expect(Promise.resolve().then(() => handlers['outbox:get']({ id: item.id }))).rejects.toMatchObject(
      {
        code: 'not_found',
      },
    );
    expect(await handlers['sent:list']({ limit: 10 })).toEqual([]);
    expect(await handlers['outbox:setAside'](undefined)).toEqual([]);
    await expect(handlers['outbox:restore']({ key: 'nothing-here' })).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('remove the draft a message was written in once it is queued, and only warn when that fails', async () => {
    const accounts = createTestAccounts([
      { id: 'work', fromAddress: 'me@example.org', paused: true, endpoint: plainEndpoint(9) },
    ]);
    const t = await startTestOutbox({ accounts });
    cleanups.push(() => t.stop());
    const dir = await makeDataDir();
    const drafts = createDraftStore(path.join(dir, 'drafts'), silentLogger);
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (message) => warnings.push(message) };
    const handlers = createOutboxHandlers(t.outbox, createChosenFiles(), drafts, log);
    const message = {
      accountId: 'work',
      to: ['ann@example.net'],
      cc: [],
      bcc: [],
      subject: 'Hi',
      text: '',
      attachments: [],
    };

    const kept = await drafts.save(undefined, { ...message, to: ['bob@example.net'] });
    const written = await drafts.save(undefined, message);
    await handlers['outbox:enqueue']({ ...message, draftId: written.id });
    expect((await drafts.list()).map((d) => d.id)).toEqual([kept.id]);
    // Already gone (deleted in another window): the message is queued all the same, and that is no news.
    await handlers['outbox:enqueue']({ ...message, draftId: written.id });
    expect(warnings).toEqual([]);

    const failing = createOutboxHandlers(
      t.outbox,
      createChosenFiles(),
      { remove: () => Promise.reject(new AppError('disk_full', 'The disk is full.')) },
      log,
    );
    await failing['outbox:enqueue']({ ...message, draftId: kept.id });
    expect(warnings).toEqual(['Removing the sent draft failed']);
    expect(t.outbox.service.list()).toHaveLength(3);
  });
});
