import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { composeRequest, draftContent, MAX_RECIPIENTS } from '../../../preload/contract/compose.ts';
import { createDraftStore } from '../../../main/drafts/draft-store.ts';
import { silentLogger } from '../../../main/errors/logger.ts';
import { NewerFormatError } from '../../../main/files/versioned.ts';

describe('the draft store', () => {
  let dir = '';
  beforeEach(async () => {
    dir = path.join(await fsp.mkdtemp(path.join(tmpdir(), 'outbox-drafts-')), 'drafts');
  });

  const content = draftContent.parse({ to: ['ann@example.org'], subject: 'Plans', text: 'Hello' });

  test('a saved draft is found again by a new store on the same folder, as after a restart', async () => {
    const saved = await createDraftStore(dir, silentLogger).save(undefined, content);
    const reopened = await createDraftStore(dir, silentLogger).list();
    expect(reopened).toEqual([saved]);
  });

  test('saving again under the same id replaces the draft and leaves no temp file', async () => {
    const store = createDraftStore(dir, silentLogger);
    const first = await store.save(undefined, content);
    await store.save(first.id, { ...content, subject: 'Plans, v2' });
    const drafts = await store.list();
    expect(drafts.map((d) => d.content.subject)).toEqual(['Plans, v2']);
    expect(await fsp.readdir(dir)).toEqual([`${first.id}.json`]);
  });

  test('a message with as many recipients as compose allows, all in To, saves as a draft and reads back', async () => {
    // A queued message taken back for editing becomes a draft: a draft must hold whatever compose may send.
    const to = Array.from({ length: MAX_RECIPIENTS }, (_, i) => `r${i}@example.org`);
    const sendable = composeRequest.parse({ accountId: 'a1', to, subject: 'All hands', text: 'Hi' });
    const store = createDraftStore(dir, silentLogger);
    const saved = await store.save(
      undefined,
      draftContent.parse({ to: sendable.to, subject: sendable.subject }),
    );
    const reopened = await createDraftStore(dir, silentLogger).list();
    expect(reopened.map((d) => d.content.to)).toEqual([to]);
    expect(reopened).toEqual([saved]);
  });

  test('files are private to the user', async () => {
    const saved = await createDraftStore(dir, silentLogger).save(undefined, content);
    expect((await fsp.stat(dir)).mode & 0o777).toBe(0o700);
    expect((await fsp.stat(path.join(dir, `${saved.id}.json`))).mode & 0o777).toBe(0o600);
  });

  test('a torn draft file is skipped, not fatal, and the others still load', async () => {
    const store = createDraftStore(dir, silentLogger);
    const good = await store.save(undefined, content);
    await fsp.writeFile(path.join(dir, 'torn.json'), '{"id":"torn","content":{"to":[');
    expect(await store.list()).toEqual([good]);
  });

  test('deleting removes the draft; deleting it twice says it is gone', async () => {
    const store = createDraftStore(dir, silentLogger);
    const saved = await store.save(undefined, content);
    await store.remove(saved.id);
    expect(await store.list()).toEqual([]);
    await expect(store.remove(saved.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  test('a draft is saved with its format; one without (format 1) reads the same', async () => {
    const store = createDraftStore(dir, silentLogger);
    const saved = await store.save(undefined, content);
    const file = path.join(dir, `${saved.id}.json`);
    expect(JSON.parse(await fsp.readFile(file, 'utf8'))).toEqual({ version: 1, ...saved });
    await fsp.writeFile(file, JSON.stringify(saved));
    expect(await store.list()).toEqual([saved]);
  });

  test('a draft from a newer Outbox is refused, and no draft file is changed', async () => {
    const store = createDraftStore(dir, silentLogger);
    await store.save(undefined, content);
    const newer = path.join(dir, 'newer.json');
    await fsp.writeFile(newer, JSON.stringify({ version: 2, id: 'newer', body: {} }));
    const before = await fsp.readFile(newer);
    await expect(store.list()).rejects.toThrow(NewerFormatError);
    expect((await fsp.readFile(newer)).equals(before)).toBe(true);
    expect((await fsp.readdir(dir)).length).toBe(2);
  });

  test('an attachment another program added keeps its mark; the fixture without marks reads as before', async () => {
    const store = createDraftStore(dir, silentLogger);
    const marked = draftContent.parse({
      attachments: [{ path: '/home/ann/report.pdf', addedBy: 'program' }, { path: '/home/ann/chosen.txt' }],
    });
    const saved = await store.save(undefined, marked);
    const [reread] = await createDraftStore(dir, silentLogger).list();
    expect(reread?.content.attachments).toEqual([
      { path: '/home/ann/report.pdf', addedBy: 'program' },
      { path: '/home/ann/chosen.txt' },
    ]);
    expect(await store.get(saved.id)).toEqual(saved);
    // A version 1 file from before the mark: its attachments come back unmarked, not refused.
    const oldDir = path.join(path.dirname(dir), 'old-drafts');
    await fsp.cp(path.join(import.meta.dirname, '../../fixtures/v1/drafts'), oldDir, { recursive: true });
    const [old] = await createDraftStore(oldDir, silentLogger).list();
    expect(old?.content.attachments).toHaveLength(1);
    expect(old?.content.attachments.every((ref) => ref.addedBy === undefined)).toBe(true);
  });

  test('get finds no draft by an id that is not one, such as a path', async () => {
    const store = createDraftStore(dir, silentLogger);
    await fsp.mkdir(dir, { recursive: true });
    await fsp.writeFile(path.join(path.dirname(dir), 'outside.json'), '{}');
    expect(await store.get('../outside')).toBeUndefined();
    expect(await store.get('no-such-draft')).toBeUndefined();
  });
});
