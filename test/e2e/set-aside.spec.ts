import fsp from 'node:fs/promises';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, expect, test } from 'vitest';
import type { Account } from '../../preload/contract/accounts.ts';
import type { OutboxBridge } from '../../preload/contract/bridge-api.ts';
import { queuePaths } from '../../main/outbox/store/queue-paths.ts';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { createPlainAccount, eventually, navigate } from '../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../support/smtp-test-server.ts';

afterAll(closeBrowser);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const SETTINGS = { undoSeconds: 0 };

async function server(): Promise<TestServer> {
  const started = await startTestServer();
  cleanups.push(() => started.close());
  return started;
}

async function core(dataDir?: string): Promise<TestCore> {
  const started = await startTestCore({ settings: SETTINGS, ...(dataDir ? { dataDir } : {}) });
  cleanups.push(() => started.close());
  return started;
}

async function open(testCore: TestCore): Promise<RendererHarness> {
  const app = await openRenderer({ core: testCore });
  cleanups.push(() => app.close());
  await navigate(app.page, 'Outbox');
  return app;
}

/** A paused account, so nothing is sent until the test says so. */
async function pausedAccount(testCore: TestCore, port: number): Promise<Account> {
  const account = await createPlainAccount(testCore, port);
  return testCore.handlers['accounts:pause']({ id: account.id });
}

/** Over 256 KB, so its bytes are a file of their own (bodies/<id>.eml) that can be damaged. */
function enqueueLarge(testCore: TestCore, accountId: string, subject: string) {
  return testCore.handlers['outbox:enqueue']({
    accountId,
    to: ['bob@example.com'],
    cc: ['carol@example.net'],
    bcc: [],
    subject,
    text: 'x'.repeat(300_000),
    attachments: [],
  });
}

function setAside(page: Page) {
  return page.getByRole('region', { name: 'Set aside' });
}

function setAsideItem(page: Page, subject: string) {
  return setAside(page).getByRole('listitem', { name: subject });
}

function outboxRow(page: Page, subject: string) {
  return page
    .getByRole('listbox', { name: 'Messages in the outbox' })
    .getByRole('option', { name: new RegExp(subject) });
}

async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).include('.set-aside').analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test('a message damaged on disk is named in the outbox, and comes back with Restore once its bytes are whole', async () => {
  const smtp = await server();
  const first = await startTestCore({ settings: SETTINGS });
  const { dataDir } = first;
  const account = await pausedAccount(first, smtp.port);
  const item = await enqueueLarge(first, account.id, 'Quarterly report');
  const body = path.join(queuePaths(dataDir).bodies, `${item.id}.eml`);
  const original = await fsp.readFile(body);
  await first.core.stop();
  // Cut short while the app was closed: the next start finds it and sets it aside before sending.
  await fsp.truncate(body, Math.floor(original.length / 2));
  const second = await core(dataDir);
  const { page } = await open(second);

  await setAside(page).getByText('1 message was set aside because it was damaged on disk.').waitFor();
  const entry = setAsideItem(page, 'Quarterly report');
  await entry.getByText('its message bytes are truncated').waitFor();
  await entry.getByText('bob@example.com, carol@example.net').waitFor();
  const shown = await entry.locator('.file-path').textContent();
  expect(shown).toMatch(new RegExp(`^${queuePaths(dataDir).quarantine}/[^/]+/${item.id}\\.eml$`));
  const restore = entry.getByRole('button', { name: 'Restore Quarterly report' });
  expect(await restore.isDisabled()).toBe(true);
  await entry.getByText(/^Cannot be restored/).waitFor();
  expect(await outboxRow(page, 'Quarterly report').count()).toBe(0);
  expect(await seriousViolations(page)).toEqual([]);

  // The user puts the whole file back where the outbox said it is, and looks again.
  await fsp.writeFile(shown ?? '', original);
  await navigate(page, 'Sent');
  await navigate(page, 'Outbox');
  await expect.poll(() => restore.isEnabled()).toBe(true);
  await restore.focus();
  await page.keyboard.press('Enter');
  await setAside(page).waitFor({ state: 'detached' });
  await outboxRow(page, 'Quarterly report').waitFor();
  await page.getByRole('region', { name: 'Quarterly report' }).waitFor();
  expect(await second.handlers['outbox:setAside'](undefined)).toEqual([]);

  // Nothing was lost: resumed, the account sends the very bytes that were queued.
  await second.handlers['accounts:resume']({ id: account.id });
  await outboxRow(page, 'Quarterly report').waitFor({ state: 'detached', timeout: 30_000 });
  const received = await eventually(() => smtp.messages[0]);
  expect(received.raw.equals(original)).toBe(true);
});

test('a message whose bytes are gone is set aside while the outbox is open, says why it cannot be restored, and cannot be', async () => {
  const smtp = await server();
  const testCore = await core();
  const account = await pausedAccount(testCore, smtp.port);
  const { page } = await open(testCore);
  const item = await enqueueLarge(testCore, account.id, 'Lost photos');
  await outboxRow(page, 'Lost photos').waitFor();
  expect(await setAside(page).count()).toBe(0);

  await fsp.rm(path.join(queuePaths(testCore.dataDir).bodies, `${item.id}.eml`));
  await testCore.handlers['accounts:resume']({ id: account.id });

  const entry = setAsideItem(page, 'Lost photos');
  await entry.getByText('its message file is missing').waitFor({ timeout: 30_000 });
  await outboxRow(page, 'Lost photos').waitFor({ state: 'detached' });
  await entry.getByText('bob@example.com, carol@example.net').waitFor();
  expect(await entry.locator('.file-path').textContent()).toMatch(
    new RegExp(`^${queuePaths(testCore.dataDir).quarantine}/[^/]+/state\\.json$`),
  );
  expect(await entry.getByRole('button', { name: 'Restore Lost photos' }).isDisabled()).toBe(true);
  await entry.getByText(/^Cannot be restored/).waitFor();
  expect(await seriousViolations(page)).toEqual([]);

  // Asked anyway (as a page could), main refuses and keeps the files.
  const [listed] = await testCore.handlers['outbox:setAside'](undefined);
  const forced = await page.evaluate(
    (key) => (globalThis as unknown as { outbox: OutboxBridge }).outbox.outbox.restore({ key }),
    listed?.key ?? '',
  );
  expect(forced).toMatchObject({ ok: false, error: { code: 'message_damaged' } });
  expect(await testCore.handlers['outbox:setAside'](undefined)).toHaveLength(1);
  expect(smtp.messages).toEqual([]);
});
