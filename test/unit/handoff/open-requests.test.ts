import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/errors/logger.ts';
import {
  MAX_REQUEST_BYTES,
  NotARequestError,
  requestsFolder,
  takeOpenRequest,
  writeOpenRequest,
} from '../../../main/handoff/open-requests.ts';
import { RequestsFolderWatcher } from '../../../main/handoff/requests-folder-watcher.ts';

/** The requests folder between `outbox compose` and the running app, on a real folder. */
let dataDir: string;
let folder: string;
beforeEach(async () => {
  dataDir = await fsp.mkdtemp(path.join(tmpdir(), 'outbox-requests-'));
  folder = requestsFolder(dataDir);
  await fsp.mkdir(folder);
});
afterEach(async () => {
  await fsp.rm(dataDir, { recursive: true, force: true });
});

const DRAFT_ID = '0b0f4c55-97a5-4a57-9c1e-2f1b5c1a7d10';
const requestName = '7d1e8a52-5c1b-4a57-9c1e-2f1b5c1a7d10.json';

async function only(): Promise<string> {
  const [name] = await fsp.readdir(folder);
  return path.join(folder, name ?? '');
}

describe('a request to open a draft', () => {
  it('is written whole, read once, and deleted', async () => {
    await writeOpenRequest(dataDir, DRAFT_ID);
    const file = await only();
    expect(await takeOpenRequest(file)).toBe(DRAFT_ID);
    expect(await fsp.readdir(folder)).toEqual([]);
  });

  it.each([
    ['not JSON', 'open the draft'],
    ['another shape', JSON.stringify({ version: 1, open: { draftId: DRAFT_ID }, attach: '/etc/shadow' })],
    ['a path for an id', JSON.stringify({ version: 1, open: { draftId: '../../.ssh/id_rsa' } })],
    ['a newer version', JSON.stringify({ version: 2, open: { draftId: DRAFT_ID } })],
    ['too big', JSON.stringify({ version: 1, open: { draftId: DRAFT_ID } }).padEnd(MAX_REQUEST_BYTES + 1)],
  ])('is refused when it is %s, and deleted all the same', async (_why, text) => {
    const file = path.join(folder, requestName);
    await fsp.writeFile(file, text);
    await expect(takeOpenRequest(file)).rejects.toThrow(NotARequestError);
    expect(await fsp.readdir(folder)).toEqual([]);
  });

  it('is never read through a symlink; the link goes, its target stays', async () => {
    const target = path.join(dataDir, 'elsewhere.json');
    await fsp.writeFile(target, JSON.stringify({ version: 1, open: { draftId: DRAFT_ID } }));
    const link = path.join(folder, requestName);
    await fsp.symlink(target, link);
    await expect(takeOpenRequest(link)).rejects.toThrow(NotARequestError);
    expect(await fsp.readdir(folder)).toEqual([]);
    await expect(fsp.readFile(target, 'utf8')).resolves.toContain(DRAFT_ID);
  });
});

describe('the app watching the folder', () => {
  it('takes requests there before it started and those written while it runs, each once', async () => {
    const opened: string[] = [];
    const earlier = '11111111-97a5-4a57-9c1e-2f1b5c1a7d10';
    await writeOpenRequest(dataDir, earlier);
    // Another writer's temp file, not yet renamed: not a request, and not the app's to delete.
    const temp = path.join(folder, '.tmp-123-abc');
    await fsp.writeFile(temp, '{');
    const watcher = new RequestsFolderWatcher(
      dataDir,
      (id) => {
        opened.push(id);
        return Promise.resolve();
      },
      silentLogger,
    );
    await watcher.start();
    try {
      expect(opened).toEqual([earlier]);
      await writeOpenRequest(dataDir, DRAFT_ID);
      await expect.poll(() => opened, { timeout: 30_000 }).toEqual([earlier, DRAFT_ID]);
      await watcher.scan();
      expect(opened).toEqual([earlier, DRAFT_ID]);
      expect(await fsp.readdir(folder)).toEqual([path.basename(temp)]);
    } finally {
      watcher.stop();
    }
  });
});
