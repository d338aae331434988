import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import type { Account } from '../../preload/contract/accounts.ts';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { createPlainAccount, navigate } from '../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../support/smtp-test-server.ts';

afterAll(closeBrowser);

let core: TestCore;
let server: TestServer;
let app: RendererHarness;
let account: Account;

beforeEach(async () => {
  // The first and third transfers reach the server, which keeps them and hangs up before answering.
  server = await startTestServer({
    onData: (index) => (index === 0 || index === 2 ? 'drop-after-dot' : 'accept'),
  });
  core = await startTestCore({ settings: { undoSeconds: 0 } });
  account = await createPlainAccount(core, server.port);
  app = await openRenderer({ core });
  await navigate(app.page, 'Outbox');
});

afterEach(async () => {
  await app.close();
  await core.close();
  await server.close();
});

async function enqueue(subject: string, accountId = account.id): Promise<void> {
  await core.handlers['outbox:enqueue']({
    accountId,
    to: ['bob@example.com'],
    cc: [],
    bcc: [],
    subject,
    attachments: [],
  });
}

function row(page: Page, subject: string) {
  return page
    .getByRole('listbox', { name: 'Messages in the outbox' })
    .getByRole('option', { name: new RegExp(subject) });
}

test('an unconfirmed message is resent or marked sent only when asked; a paused account holds mail until resumed', async () => {
  const { page } = app;
  await enqueue('Did it arrive');
  await row(page, 'Did it arrive').locator('.badge', { hasText: 'Unconfirmed' }).waitFor({ timeout: 30_000 });
  await row(page, 'Did it arrive').click();
  const details = page.getByRole('region', { name: 'Did it arrive' });
  await details.getByText(/may deliver it twice/).waitFor();
  expect(server.messages).toHaveLength(1);
  await details.getByRole('button', { name: 'Resend' }).click();
  await row(page, 'Did it arrive').waitFor({ state: 'detached', timeout: 30_000 });
  expect(server.messages).toHaveLength(2);

  await enqueue('Mark me');
  await row(page, 'Mark me').locator('.badge', { hasText: 'Unconfirmed' }).waitFor({ timeout: 30_000 });
  await row(page, 'Mark me').click();
  await page.getByRole('region', { name: 'Mark me' }).getByRole('button', { name: 'Mark as sent' }).click();
  await row(page, 'Mark me').waitFor({ state: 'detached' });
  expect(server.messages).toHaveLength(3);
  await navigate(page, 'Sent');
  // The history says whose word it is: the user's, not a server's.
  await page.getByRole('button', { name: /Mark me.*marked as sent/ }).click();
  await page
    .getByRole('region', { name: 'Mark me' })
    .getByText('marked as sent by you; the server never confirmed it', { exact: false })
    .waitFor();
  await page.getByRole('button', { name: /Did it arrive/ }).click();
  const resent = page.getByRole('region', { name: 'Did it arrive' });
  await resent.waitFor();
  expect(await resent.getByText(/marked as sent/).count()).toBe(0);
  await navigate(page, 'Outbox');

  await core.handlers['accounts:pause']({ id: account.id });
  await enqueue('While paused');
  await row(page, 'While paused').click();
  await row(page, 'While paused').locator('.badge', { hasText: 'Held' }).waitFor();
  const paused = page.getByRole('region', { name: 'While paused' });
  await paused.getByRole('button', { name: 'Resume Work' }).click();
  await row(page, 'While paused').waitFor({ state: 'detached', timeout: 30_000 });
  expect(server.messages).toHaveLength(4);
});

test('retry now tries again at once, cancel takes a message out, and the state filter narrows the list', async () => {
  const { page } = app;
  const down = await startTestServer();
  const port = down.port;
  await down.close();
  const home = await createPlainAccount(core, port, 'Home');
  await enqueue('Never arrives', home.id);
  await enqueue('Later', account.id);
  const waiting = row(page, 'Never arrives');
  await waiting.locator('.badge', { hasText: 'Waiting to retry' }).waitFor({ timeout: 30_000 });
  await expect.poll(() => waiting.locator('.row-attempts').textContent()).toBe('1 attempt');
  await waiting.click();
  const details = page.getByRole('region', { name: 'Never arrives' });
  await details.getByRole('button', { name: 'Retry now' }).click();
  await expect
    .poll(() => waiting.locator('.row-attempts').textContent(), { timeout: 20_000 })
    .toBe('2 attempts');
  // Pausing its account holds it at once, and resuming lets it wait for its retry again.
  await core.handlers['accounts:pause']({ id: home.id });
  await waiting.locator('.badge', { hasText: 'Held' }).waitFor();
  await core.handlers['accounts:resume']({ id: home.id });
  await waiting.locator('.badge', { hasText: 'Waiting to retry' }).waitFor();

  await page.getByRole('button', { name: /Waiting to retry\s*1/ }).click();
  await expect
    .poll(() => page.getByRole('listbox', { name: 'Messages in the outbox' }).getByRole('option').count())
    .toBe(1);
  await page.getByRole('option', { name: /Never arrives/ }).click();
  await page.getByRole('button', { name: 'Cancel message' }).click();
  await waiting.waitFor({ state: 'detached' });
  expect(await core.handlers['outbox:list'](undefined)).toEqual(
    expect.not.arrayContaining([expect.objectContaining({ subject: 'Never arrives' })]),
  );
});

test('a message taken back for editing is a draft at once, so closing the window loses nothing', async () => {
  const { page } = app;
  await core.handlers['outbox:enqueue']({
    accountId: account.id,
    to: ['bob@example.com'],
    cc: [],
    bcc: [],
    subject: 'Quarterly report',
    text: 'Numbers attached.',
    attachments: [],
    sendAt: new Date(Date.now() + 3_600_000).toISOString(),
  });
  await row(page, 'Quarterly report').click();
  await page.getByRole('region', { name: 'Quarterly report' }).getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('heading', { name: 'New message' }).waitFor();
  expect(await core.handlers['outbox:list'](undefined)).toEqual([]);
  // Nothing typed: the window closing now must not take the message with it.
  await expect
    .poll(async () => (await core.handlers['drafts:list'](undefined)).map((draft) => draft.content.subject))
    .toEqual(['Quarterly report']);
});
