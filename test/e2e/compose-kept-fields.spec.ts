import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import { parseMailto } from '../../main/handoff/mailto.ts';
import type { Account } from '../../preload/contract/accounts.ts';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { createPlainAccount, eventually, navigate } from '../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../support/smtp-test-server.ts';

/**
 * What compose carries without a field of its own (issue 18): a mailto: reply's In-Reply-To, and a
 * scheduled message's late limit when it is taken back and scheduled again.
 */
afterAll(closeBrowser);

let core: TestCore;
let server: TestServer;
let account: Account;
let app: RendererHarness;

beforeEach(async () => {
  server = await startTestServer();
  core = await startTestCore({ settings: { undoSeconds: 0 } });
  account = await createPlainAccount(core, server.port);
  app = await openRenderer({ core });
});

afterEach(async () => {
  await app.close();
  await core.close();
  await server.close();
});

const PARENT = '<3469A91.D10AF4C@example.com>';

test("a mail archive's reply link: compose says what it replies to, and the message threads", async () => {
  const { page } = app;
  await page.getByLabel('Subject').waitFor();
  const link = `mailto:list@example.org?subject=Re%3A%20Plans&in-reply-to=${encodeURIComponent(PARENT)}`;
  await core.core.handleLaunchRequest(parseMailto(link, 'link'), 'link');

  await expect.poll(() => page.getByLabel('Subject').inputValue(), { timeout: 30_000 }).toBe('Re: Plans');
  await page.getByText(`In reply to ${PARENT}`).waitFor();
  await page.getByRole('button', { name: 'Send', exact: true }).click();

  const [message] = await eventually(() => (server.messages.length > 0 ? server.messages : undefined));
  const parsed = await simpleParser(message?.raw ?? Buffer.alloc(0));
  expect({ inReplyTo: parsed.inReplyTo, references: parsed.references }).toEqual({
    inReplyTo: PARENT,
    references: PARENT,
  });
});

test('a scheduled message taken back keeps its late limit in the send-later dialog', async () => {
  const { page } = app;
  const sendAt = new Date(Date.now() + 2 * 86_400_000);
  sendAt.setSeconds(0, 0);
  await core.handlers['outbox:enqueue']({
    accountId: account.id,
    to: ['bob@example.com'],
    cc: [],
    bcc: [],
    subject: 'Board minutes',
    text: 'Attached.',
    attachments: [],
    sendAt: sendAt.toISOString(),
    lateLimitMinutes: 90,
  });
  await navigate(page, 'Outbox');
  await page
    .getByRole('listbox', { name: 'Messages in the outbox' })
    .getByRole('option', { name: /Board minutes/ })
    .click();
  await page.getByRole('region', { name: 'Board minutes' }).getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('heading', { name: 'New message' }).waitFor();

  await page.getByRole('button', { name: 'Send later…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Send later' });
  expect(await dialog.getByRole('checkbox', { name: "Don't send if it would go late" }).isChecked()).toBe(
    true,
  );
  expect(await dialog.getByLabel('Late by more than (minutes)').inputValue()).toBe('90');
  await dialog.getByRole('button', { name: 'Schedule' }).click();

  const item = await eventually(async () =>
    (await core.handlers['outbox:list'](undefined)).find((queued) => queued.subject === 'Board minutes'),
  );
  expect(item).toMatchObject({ state: 'scheduled', sendAt: sendAt.toISOString(), lateLimitMinutes: 90 });
});
