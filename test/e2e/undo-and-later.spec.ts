import fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { createPlainAccount, dropFiles, eventually, writeMessage } from '../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../support/smtp-test-server.ts';

afterAll(closeBrowser);

let dir: string;
let core: TestCore;
let server: TestServer;
let app: RendererHarness;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'outbox-e2e-'));
  server = await startTestServer();
  core = await startTestCore({ settings: { undoSeconds: 8 } });
  await createPlainAccount(core, server.port);
  app = await openRenderer({ core, dropDir: dir });
});

afterEach(async () => {
  await app.close();
  await core.close();
  await server.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** `datetime-local` text for a moment `ms` from now, in the page's own time zone. */
function localInput(ms: number): string {
  const at = new Date(Date.now() + ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`;
}

test('undo returns the message to compose intact, and send later sends it at the time', async () => {
  const { page } = app;
  await fs.writeFile(path.join(dir, 'notes.txt'), 'meeting notes\n');
  await writeMessage(page, {
    to: ['bob@example.com', 'carol@example.net'],
    subject: 'Take me back',
    body: 'First line of the body.',
  });
  await page.getByRole('button', { name: 'Add Cc and Bcc' }).click();
  await page.getByRole('combobox', { name: 'Cc', exact: true }).fill('dave@example.org');
  await page.getByRole('combobox', { name: 'Cc', exact: true }).press('Enter');
  await dropFiles(page, ['notes.txt']);
  await page.locator('.attachment', { hasText: 'notes.txt' }).waitFor();
  await page.getByRole('button', { name: 'Send', exact: true }).click();

  await page.locator('.toast').getByRole('button', { name: 'Undo' }).click();
  await page.getByRole('heading', { name: 'New message' }).waitFor();
  const chips = (label: string) =>
    page.getByRole('list', { name: `${label} recipients` }).locator('.chip span');
  await expect.poll(() => chips('To').allTextContents()).toEqual(['bob@example.com', 'carol@example.net']);
  await expect.poll(() => chips('Cc').allTextContents()).toEqual(['dave@example.org']);
  await expect.poll(() => page.getByLabel('Subject').inputValue()).toBe('Take me back');
  await expect
    .poll(() => page.getByRole('textbox', { name: 'Message' }).textContent())
    .toBe('First line of the body.');
  await expect.poll(() => page.locator('.attachment').textContent()).toContain('notes.txt');
  await expect.poll(() => page.locator('.attachment-size').textContent()).toBe('14 bytes');
  // The undo window is over by now: nothing may have gone out.
  await page.waitForTimeout(8_000);
  expect(server.messages).toHaveLength(0);
  // Taken back, the message is nowhere else: it was saved as a draft at once, unchanged.
  const drafts = await core.handlers['drafts:list'](undefined);
  expect(drafts.map((draft) => draft.content.subject)).toEqual(['Take me back']);

  await page.getByRole('button', { name: 'Send later…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Send later' });
  await dialog.getByLabel('Send at').fill(localInput(10_000));
  await dialog.getByRole('button', { name: 'Schedule' }).click();

  const row = page
    .getByRole('listbox', { name: 'Messages in the outbox' })
    .getByRole('option', { name: /Take me back/ });
  await row.locator('.badge', { hasText: 'Scheduled' }).waitFor();
  expect(await core.handlers['drafts:list'](undefined)).toEqual([]);
  await expect.poll(() => row.locator('.row-when').textContent()).toMatch(/^Sends .* \(in \d+ s\)$/);
  expect(server.messages).toHaveLength(0);
  await row.waitFor({ state: 'detached', timeout: 60_000 });
  const received = await eventually(() => server.messages[0]);
  expect([...received.to].sort()).toEqual(['bob@example.com', 'carol@example.net', 'dave@example.org']);
});
