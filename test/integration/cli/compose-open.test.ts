import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestCore, type TestCore } from '../../support/core-fixture.ts';
import { recordEvents } from '../../support/recorded-events.ts';
import { runCli } from './run-cli.ts';

/**
 * `outbox compose` while the app runs: the request it leaves in requests/ is taken by the running
 * core (the real one, under Node), which opens the draft in the window.
 */
let core: TestCore;
let events: ReturnType<typeof recordEvents>;

beforeEach(async () => {
  core = await startTestCore();
  events = recordEvents(core);
});
afterEach(async () => {
  await core.close();
});

const handedOver = () => events.of('drafts:handedOver');

describe('outbox compose with the app running', () => {
  it('asks the app to open the draft, which it does with its files chosen', async () => {
    const file = path.join(core.dataDir, 'notes.txt');
    await fsp.writeFile(file, 'notes');

    const result = await runCli(core.dataDir, ['compose', '--subject', 'Notes', '--attach', file]);

    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const id = result.stdout.trim();
    await expect.poll(() => handedOver().map((draft) => draft.id), { timeout: 30_000 }).toEqual([id]);
    const [draft] = handedOver();
    expect(draft?.content.subject).toBe('Notes');
    const copy = draft?.content.attachments[0];
    expect(copy).toMatchObject({ addedBy: 'program' });
    // The window may read the copy now: main made it a chosen file before opening the draft.
    const stat = await core.handlers['files:stat']({ paths: [copy?.path ?? ''] });
    expect(stat).toEqual([{ path: copy?.path, name: 'notes.txt', size: 5 }]);
    // The request is gone once taken.
    expect(await fsp.readdir(path.join(core.dataDir, 'requests'))).toEqual([]);
  });
});
