import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { ComposeRequest } from '../../preload/contract/compose.ts';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer } from '../support/renderer-harness.ts';
import { createPlainAccount, eventually, navigate } from '../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../support/smtp-test-server.ts';

// A test run must not dirty the checkout: screenshots go to test-results/ unless
// `npm run screenshots` asks for the README's copies in docs/ to be refreshed.
const SHOTS = path.resolve(
  import.meta.dirname,
  process.env.OUTBOX_UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots' : '../../test-results/screenshots',
);

let core: TestCore;
const servers: TestServer[] = [];

function message(accountId: string, subject: string, extra: Partial<ComposeRequest> = {}): ComposeRequest {
  return {
    accountId,
    to: ['bob@example.com', 'carol@example.net'],
    cc: [],
    bcc: [],
    subject,
    text: `${subject}.`,
    attachments: [],
    ...extra,
  };
}

// One outbox in every common state: sent, scheduled, refused for good, and waiting for a server that is down.
beforeAll(async () => {
  const good = await startTestServer();
  const refusing = await startTestServer({
    onData: () => ({ reply: 550, message: '5.7.1 Message refused: sender domain has no SPF record' }),
  });
  const gone = await startTestServer();
  await gone.close();
  servers.push(good, refusing);
  core = await startTestCore({ settings: { undoSeconds: 0 } });
  const work = await createPlainAccount(core, good.port, 'Work');
  await core.handlers['accounts:update']({
    id: work.id,
    patch: { signatureText: 'Ann Example\nExample Ltd' },
  });
  const shop = await createPlainAccount(core, refusing.port, 'Shop');
  const home = await createPlainAccount(core, gone.port, 'Home');
  await core.handlers['outbox:enqueue'](message(work.id, 'Minutes of Monday’s meeting'));
  await core.handlers['outbox:enqueue'](
    message(work.id, 'Birthday wishes', { sendAt: new Date(Date.now() + 86_400_000).toISOString() }),
  );
  await core.handlers['outbox:enqueue'](message(shop.id, 'Invoice 2026-118'));
  await core.handlers['outbox:enqueue'](message(home.id, 'Photos from the trip'));
  await core.handlers['drafts:save']({
    content: { to: ['dave@example.org'], cc: [], bcc: [], subject: 'Plans for next week', attachments: [] },
  });
  await eventually(async () => {
    const states = (await core.handlers['outbox:list'](undefined)).map((item) => item.state).sort();
    return states.join() === 'deferred,failed,scheduled' ? true : undefined;
  }, 30_000);
});

afterAll(async () => {
  await core.close();
  for (const server of servers) await server.close();
  await closeBrowser();
});

async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

test.each(['light', 'dark'] as const)(
  'every screen in %s: no serious accessibility problems, and a screenshot',
  async (scheme) => {
    const app = await openRenderer({ core, colorScheme: scheme, viewport: { width: 1280, height: 800 } });
    const { page } = app;
    const problems: Record<string, string[]> = {};
    const check = async (name: string, shoot = true) => {
      problems[name] = await seriousViolations(page);
      if (!shoot) return;
      // Away from any button, so no hover highlight ends up in the picture.
      await page.mouse.move(1279, 799);
      await page.screenshot({ path: path.join(SHOTS, `${name}-${scheme}.png`) });
    };

    // The saved draft comes back in compose, as after a crash.
    await expect.poll(() => page.getByLabel('Subject').inputValue()).toBe('Plans for next week');
    await page.getByRole('textbox', { name: 'Message' }).click();
    await page.keyboard.type('Shall we meet on Tuesday at ten?');
    await check('compose');
    await page.getByRole('button', { name: 'Send later…' }).click();
    await check('send-later', false);
    await page.keyboard.press('Escape');

    await navigate(page, 'Outbox');
    await page.getByRole('option', { name: /Invoice 2026-118/ }).click();
    await page.getByText('5.7.1 Message refused').first().waitFor();
    await check('outbox');

    await navigate(page, 'Sent');
    await page.getByRole('button', { name: /Minutes of Monday/ }).click();
    await check('sent');

    await navigate(page, 'Drafts');
    await page.getByText('Plans for next week').waitFor();
    await check('drafts');

    await navigate(page, 'Accounts');
    await page.getByRole('button', { name: /^Work/ }).click();
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.getByText('The server accepted the connection').waitFor();
    await check('accounts');
    await page.getByRole('button', { name: 'Delete account…' }).click();
    await check('delete-account', false);
    await page.getByRole('button', { name: 'Keep account' }).click();

    await navigate(page, 'Settings');
    await page.getByLabel('Undo window (seconds)').waitFor();
    await check('settings');

    await app.close();
    expect(problems).toEqual(Object.fromEntries(Object.keys(problems).map((name) => [name, []])));
  },
);
