import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import { runCli } from '../integration/cli/run-cli.ts';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { createPlainAccount } from '../support/renderer-steps.ts';

/**
 * `outbox compose --attach` while the app runs (issue 18): the real CLI writes the draft and its
 * request, the real core takes it, and the window (Chromium, the real handlers) opens it in compose
 * with the file marked as added by another program.
 */
afterAll(closeBrowser);

let core: TestCore;
let app: RendererHarness;

beforeEach(async () => {
  core = await startTestCore({ settings: { undoSeconds: 0 } });
  // Port 9 (discard): nothing is sent here.
  await createPlainAccount(core, 9, 'Work');
  app = await openRenderer({ core });
});

afterEach(async () => {
  await app.close();
  await core.close();
});

test('a draft another program hands over opens in compose, its file marked and removable', async () => {
  const { page } = app;
  await page.getByLabel('Subject').waitFor();
  const file = path.join(core.dataDir, 'minutes.txt');
  await fs.writeFile(file, 'The minutes of Monday.');

  const result = await runCli(core.dataDir, [
    'compose',
    '--to',
    'dave@example.org',
    '--subject',
    'Minutes',
    '--attach',
    file,
  ]);
  expect(result.code).toBe(0);
  const draftId = result.stdout.trim();

  await expect.poll(() => page.getByLabel('Subject').inputValue(), { timeout: 30_000 }).toBe('Minutes');
  const attachment = page.locator('.attachment', { hasText: 'minutes.txt' });
  await attachment.getByText('added by another program').waitFor();
  // The size shows: main let the window read the copy.
  await attachment.getByText('22 bytes').waitFor();

  await attachment.getByRole('button', { name: 'Remove minutes.txt' }).click();
  await expect.poll(() => page.locator('.attachment').count()).toBe(0);
  // Removed like any attachment: the draft, saved again, no longer holds it.
  await expect
    .poll(
      async () =>
        (await core.handlers['drafts:list'](undefined)).find((draft) => draft.id === draftId)?.content
          .attachments,
      { timeout: 30_000 },
    )
    .toEqual([]);
});
