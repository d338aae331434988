import { afterAll, afterEach, beforeEach, expect, test, vi } from 'vitest';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { createPlainAccount, navigate, writeMessage } from '../support/renderer-steps.ts';

afterAll(closeBrowser);

const HOUR = 3_600_000;
/** A port nothing listens on: nothing here is meant to be delivered. */
const CLOSED_PORT = 9;

let core: TestCore;
let app: RendererHarness | undefined;

beforeEach(async () => {
  core = await startTestCore({
    settings: { undoSeconds: 0 },
    bridgeLimits: {
      rules: {
        drafts: { count: 2, bytes: 1_000_000 },
        enqueue: {
          messages: { capacity: 1, refillMs: HOUR },
          bytes: { capacity: 1_000_000, refillMs: HOUR },
        },
      },
    },
  });
});

afterEach(async () => {
  await app?.close();
  app = undefined;
  await core.close();
});

test('compose says when drafts are full and when the window queued too much, in words', async () => {
  const account = await createPlainAccount(core, CLOSED_PORT);
  // The handlers are the window's: these spend its quota and its rate as a page would.
  for (const subject of ['One', 'Two']) await core.handlers['drafts:save']({ content: draftOf(subject) });
  await core.handlers['outbox:enqueue']({
    accountId: account.id,
    to: ['ann@example.net'],
    cc: [],
    bcc: [],
    subject: 'First',
    attachments: [],
    sendAt: new Date(Date.now() + HOUR).toISOString(),
  });

  // The window opens with the latest draft in compose (as after a crash); once it is there, the
  // window's own start is over and cannot swap it for the new message written below.
  app = await openRenderer({ core });
  const { page } = app;
  await vi.waitFor(
    async () => {
      expect(await page.getByLabel('Subject').inputValue()).toBe('Two');
    },
    { timeout: 30_000, interval: 100 },
  );
  await navigate(page, 'New message');
  await page.getByRole('button', { name: 'Discard' }).click();
  await vi.waitFor(async () => {
    expect(await core.handlers['drafts:list'](undefined)).toHaveLength(1);
  });
  // Two drafts again, the most this window may keep.
  await core.handlers['drafts:save']({ content: draftOf('Two again') });

  await writeMessage(page, { to: ['bob@example.net'], subject: 'Third draft', body: 'Hello.' });
  await page
    .getByText(
      'Draft not saved: There are already 2 drafts, the most Outbox keeps. Send or delete some to save this one.',
    )
    .waitFor({ timeout: 30_000 });
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  const alert = page.getByRole('alert');
  await alert.getByText('Too many requests in a short time.').waitFor();
  expect(await alert.textContent()).toMatch(
    /Too many messages queued in a short time; wait \d+ min and try again\.$/,
  );
  expect(await core.handlers['outbox:list'](undefined)).toHaveLength(1);
});

function draftOf(subject: string) {
  return { to: [], cc: [], bcc: [], subject, attachments: [] };
}
