import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { createPlainAccount, eventually, parseReceived, writeMessage } from '../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../support/smtp-test-server.ts';

afterAll(closeBrowser);

const REFUSAL = '5.7.1 Message refused: looks like spam to us';

let core: TestCore;
let server: TestServer;
let app: RendererHarness;

beforeEach(async () => {
  // The first message is refused for good; once edited, the second is accepted.
  server = await startTestServer({
    onData: (index) => (index === 0 ? { reply: 550, message: REFUSAL } : 'accept'),
  });
  core = await startTestCore({ settings: { undoSeconds: 0 } });
  await createPlainAccount(core, server.port);
  app = await openRenderer({ core });
});

afterEach(async () => {
  await app.close();
  await core.close();
  await server.close();
});

test('a 550 shows the server’s own words, and the message can be edited and sent again', async () => {
  const { page } = app;
  await writeMessage(page, { to: ['bob@example.com'], subject: 'Cheap watches', body: 'Very cheap.' });
  await page.getByRole('button', { name: 'Send', exact: true }).click();

  const row = page
    .getByRole('listbox', { name: 'Messages in the outbox' })
    .getByRole('option', { name: /Cheap watches/ });
  await row.locator('.badge', { hasText: 'Failed' }).waitFor({ timeout: 20_000 });
  await row.click();
  const details = page.getByRole('region', { name: 'Cheap watches' });
  await expect.poll(() => details.textContent()).toContain(REFUSAL);
  await expect.poll(() => details.textContent()).toContain('550');

  await details.getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('heading', { name: 'New message' }).waitFor();
  await expect.poll(() => page.getByLabel('Subject').inputValue()).toBe('Cheap watches');
  await page.getByLabel('Subject').fill('Our new catalogue');
  await page.getByRole('textbox', { name: 'Message' }).click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type('Please find our catalogue below.');
  await page.getByRole('button', { name: 'Send', exact: true }).click();

  await page
    .getByRole('listbox', { name: 'Messages in the outbox' })
    .getByRole('option', { name: /Our new catalogue/ })
    .waitFor();
  const received = await eventually(() => server.messages[0]);
  const parsed = await parseReceived(received);
  expect(parsed.subject).toBe('Our new catalogue');
  expect(parsed.text).toContain('Please find our catalogue below.');
  await expect.poll(() => row.count()).toBe(0);
});
