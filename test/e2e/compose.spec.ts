import fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { createPlainAccount, dropFiles, eventually, parseReceived } from '../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../support/smtp-test-server.ts';

afterAll(closeBrowser);

let dir: string;
let core: TestCore;
let server: TestServer;
let app: RendererHarness;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'outbox-e2e-'));
  server = await startTestServer();
  core = await startTestCore({ settings: { undoSeconds: 0 } });
  const work = await createPlainAccount(core, server.port, 'Work');
  await core.handlers['accounts:update']({ id: work.id, patch: { signatureText: 'Ann\nWork Ltd' } });
  const home = await createPlainAccount(core, server.port, 'Home');
  await core.handlers['accounts:update']({
    id: home.id,
    patch: { signatureText: 'Ann at home', maxMessageBytes: 1024 * 1024 },
  });
  app = await openRenderer({ core, dropDir: dir });
});

afterEach(async () => {
  await app.close();
  await core.close();
  await server.close();
  await fs.rm(dir, { recursive: true, force: true });
});

/** What the page's clipboard would hand over on Ctrl+V, as a real paste event. */
async function paste(page: Page, label: string, text: string): Promise<void> {
  const input = page.getByRole('combobox', { name: label, exact: true });
  await input.focus();
  await input.evaluate((element, pasted) => {
    const { DataTransfer, ClipboardEvent } = globalThis as unknown as {
      DataTransfer: new () => { setData(type: string, value: string): void };
      ClipboardEvent: new (type: string, init: object) => object;
    };
    const data = new DataTransfer();
    data.setData('text/plain', pasted);
    (element as unknown as { dispatchEvent(event: object): boolean }).dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
    );
  }, text);
}

const chips = (page: Page, label: string) =>
  page.getByRole('list', { name: `${label} recipients` }).locator('.chip span');

test('pasted lists become chips, recent addresses complete, the signature follows the account, plain text sends plain', async () => {
  const { page } = app;
  const [work] = await core.handlers['accounts:list'](undefined);
  await core.handlers['outbox:enqueue']({
    accountId: work?.id ?? '',
    to: ['bob@example.com'],
    cc: [],
    bcc: [],
    subject: 'Earlier',
    attachments: [],
  });
  await eventually(() => server.messages[0]);

  await paste(page, 'To', 'carol@example.net; Dave <dave@example.org>\nnot-an-address');
  await expect
    .poll(() => chips(page, 'To').allTextContents())
    .toEqual(['carol@example.net', 'Dave <dave@example.org>', 'not-an-address']);
  await page.getByText('Not a valid email address: not-an-address').waitFor();
  await page.getByRole('button', { name: 'Remove not-an-address' }).click();
  await page.getByText('Not a valid email address').waitFor({ state: 'detached' });

  const to = page.getByRole('combobox', { name: 'To', exact: true });
  await to.pressSequentially('bo');
  await page.getByRole('option', { name: 'bob@example.com' }).waitFor();
  await to.press('ArrowDown');
  await to.press('Enter');
  await expect
    .poll(() => chips(page, 'To').allTextContents())
    .toEqual(['carol@example.net', 'Dave <dave@example.org>', 'bob@example.com']);

  await page.getByLabel('Subject').fill('From home');
  const signature = page.getByLabel('Signature');
  await expect.poll(() => signature.textContent()).toContain('Work Ltd');
  await page.getByLabel('From').selectOption({ label: 'Ann Example <home@example.org>' });
  await expect.poll(() => signature.textContent()).toContain('Ann at home');

  await page.getByRole('checkbox', { name: 'Plain text' }).check();
  await page.getByRole('textbox', { name: 'Message' }).fill('Just text, no markup.');
  await page.getByRole('textbox', { name: 'Message' }).press('Control+Enter');

  const received = await eventually(() => server.messages[1]);
  expect(received.from).toBe('home@example.org');
  expect([...received.to].sort()).toEqual(['bob@example.com', 'carol@example.net', 'dave@example.org']);
  const parsed = await parseReceived(received);
  expect(parsed.text.trimEnd()).toBe('Just text, no markup.\n\n-- \nAnn at home');
  expect(parsed.html).toBe('');
});

test('the size limit is shown and enforced, and a draft comes back after the window died', async () => {
  const { page } = app;
  await fs.writeFile(path.join(dir, 'big.bin'), Buffer.alloc(2 * 1024 * 1024, 7));
  await page.getByLabel('From').selectOption({ label: 'Ann Example <home@example.org>' });
  await page.getByRole('combobox', { name: 'To', exact: true }).fill('bob@example.com');
  await page.getByLabel('Subject').fill('Too big to send');
  await dropFiles(page, ['big.bin']);
  await page.getByText(/of the 1\.0 MB limit: too large for this account\./).waitFor();
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page
    .getByRole('region', { name: 'Attachments' })
    .getByRole('alert')
    .filter({ hasText: 'The message is larger than the server accepts.' })
    .waitFor();

  await page.getByText('Draft saved').waitFor({ timeout: 10_000 });
  await app.close();
  app = await openRenderer({ core, dropDir: dir });
  await expect.poll(() => app.page.getByLabel('Subject').inputValue()).toBe('Too big to send');
  await expect.poll(() => chips(app.page, 'To').allTextContents()).toEqual(['bob@example.com']);
  await app.page.locator('.attachment', { hasText: 'big.bin' }).waitFor();
  await expect.poll(() => app.page.getByLabel('From').inputValue()).not.toBe('');
  expect(server.messages).toHaveLength(0);

  // Sent without the attachment, the message is queued and its draft is gone.
  expect(await core.handlers['drafts:list'](undefined)).toHaveLength(1);
  await app.page.getByRole('button', { name: 'Remove big.bin' }).click();
  await app.page.getByRole('button', { name: 'Send', exact: true }).click();
  await eventually(() => server.messages[0]);
  expect(await core.handlers['drafts:list'](undefined)).toEqual([]);
});

test('Enter in a field never sends; Ctrl+Enter takes a typed address along, but not from the send-later dialog', async () => {
  const { page } = app;
  const to = page.getByRole('combobox', { name: 'To', exact: true });
  await to.fill('bob@example.com');
  await to.press('Enter');
  await to.press('Enter');
  await page.getByLabel('Subject').fill('Keys');
  await page.getByLabel('Subject').press('Enter');
  await page.getByRole('button', { name: 'Add Cc and Bcc' }).click();
  await paste(page, 'Cc', 'dup@example.com, dup@example.com, DUP@example.com');
  await expect.poll(() => chips(page, 'Cc').allTextContents()).toEqual(['dup@example.com']);
  await page.getByRole('button', { name: 'Remove dup@example.com' }).click();
  await page.getByRole('button', { name: 'Send later…' }).click();
  await page.getByLabel('Send at').press('Control+Enter');
  await page.keyboard.press('Escape');
  // Autosave has run since, so any send those keys started would have reached main by now.
  await page.getByText(/Draft saved at/).waitFor();
  expect(await core.handlers['outbox:list'](undefined)).toEqual([]);

  const cc = page.getByRole('combobox', { name: 'Cc', exact: true });
  await cc.fill('carol@example.net');
  await cc.press('Control+Enter');
  const received = await eventually(() => server.messages[0]);
  expect(received.to).toEqual(['bob@example.com', 'carol@example.net']);
});
