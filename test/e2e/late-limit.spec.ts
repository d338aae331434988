import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import { seriousViolations } from '../support/axe-check.ts';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { createPlainAccount, eventually, writeMessage } from '../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../support/smtp-test-server.ts';

afterAll(closeBrowser);

let core: TestCore;
let server: TestServer;
let app: RendererHarness;

beforeEach(async () => {
  server = await startTestServer();
  core = await startTestCore();
  await createPlainAccount(core, server.port);
  app = await openRenderer({ core });
});

afterEach(async () => {
  await app.close();
  await core.close();
  await server.close();
});

test('send later with "don\'t send if late" schedules the message with its limit', async () => {
  const { page } = app;
  await writeMessage(page, { to: ['bob@example.com'], subject: 'Board minutes', body: 'Attached.' });
  await page.getByRole('button', { name: 'Send later…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Send later' });
  await dialog.getByRole('checkbox', { name: "Don't send if it would go late" }).check();
  const minutes = dialog.getByLabel('Late by more than (minutes)');
  await minutes.fill('0');
  await expect.poll(() => dialog.getByRole('button', { name: 'Schedule' }).isDisabled()).toBe(true);
  expect(await seriousViolations(page, 'dialog')).toEqual([]);
  await minutes.fill('45');
  await dialog.getByRole('button', { name: 'Tomorrow at 8:00' }).click();

  const item = await eventually(async () =>
    (await core.handlers['outbox:list'](undefined)).find((queued) => queued.subject === 'Board minutes'),
  );
  expect(item.state).toBe('scheduled');
  expect(item.lateLimitMinutes).toBe(45);
});
