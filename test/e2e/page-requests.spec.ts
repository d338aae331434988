import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer } from '../support/renderer-harness.ts';
import { createPlainAccount, eventually } from '../support/renderer-steps.ts';

/**
 * Requests made while the page is not yet listening (a window made a moment ago by the tray's "New
 * message", or by another program handing a draft over while Outbox sat in the tray): main holds
 * them until the page says it is ready, through the real handlers.
 */
afterAll(closeBrowser);

let core: TestCore;

beforeEach(async () => {
  core = await startTestCore({ settings: { undoSeconds: 0 } });
  // Port 9 (discard): nothing is sent here.
  await createPlainAccount(core, 9, 'Work');
});

afterEach(async () => {
  await core.close();
});

test('a draft handed over before the page loads opens in compose, not the last draft saved', async () => {
  await core.core.handleLaunchRequest(
    { to: ['dave@example.org'], cc: [], bcc: [], subject: 'Handed over', attachments: [] },
    'program',
  );
  const [handed] = await core.handlers['drafts:list'](undefined);
  // Saved after it: the draft a restart would bring back, had the request been lost.
  await eventually(async () => {
    const other = await core.handlers['drafts:save']({
      content: { to: ['erin@example.org'], cc: [], bcc: [], subject: 'Older work', attachments: [] },
    });
    return other.updatedAt > (handed?.updatedAt ?? '') ? other : undefined;
  });

  const app = await openRenderer({ core });
  try {
    await expect
      .poll(() => app.page.getByLabel('Subject').inputValue(), { timeout: 30_000 })
      .toBe('Handed over');
  } finally {
    await app.close();
  }
});

test('a screen asked for before the page loads (the menu, the tray) opens once it listens', async () => {
  core.core.page.request('app:menuInvoked', { command: 'settings' });
  const app = await openRenderer({ core });
  try {
    await app.page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor({ timeout: 30_000 });
  } finally {
    await app.close();
  }
});
