import { afterAll, expect, test } from 'vitest';
import type { QueueItem } from '../../preload/contract/outbox.ts';
import type { CallHandlers } from '../../main/ipc/ipc-router.ts';
import { closeBrowser, openRenderer } from '../support/renderer-harness.ts';

afterAll(closeBrowser);

const COUNT = 10_000;
const BURST = 2_000;

function item(index: number, state: QueueItem['state'] = 'queued'): QueueItem {
  return {
    id: `m${index}`,
    messageId: `<m${index}@example.org>`,
    accountId: 'work',
    from: 'ann@example.org',
    subject: `Message ${index}`,
    recipients: [{ address: `person${index}@example.com`, kind: 'to', state: 'pending' }],
    state,
    attempts: 0,
    createdAt: new Date(Date.UTC(2026, 0, 1) + index * 1000).toISOString(),
    sizeBytes: 1000,
    attachmentCount: 0,
  };
}

// A queue this size is a property of the renderer alone, so the core here only answers the list.
const handlers = {
  'app:getStatus': () => ({ online: true, version: 'list' }),
  'accounts:list': () => [],
  'drafts:list': () => [],
  'outbox:list': () => Array.from({ length: COUNT }, (_, i) => item(i)),
} as unknown as CallHandlers;

interface ListWindow {
  __outboxDeliver(event: string, payload: unknown): void;
  __longest: number;
  PerformanceObserver: new (callback: (list: { getEntries(): { duration: number }[] }) => void) => {
    observe(options: object): void;
  };
}

test('10,000 messages: a screenful in the DOM, a burst of 2,000 changes applied without a long task over 150 ms', async () => {
  const app = await openRenderer({ core: { handlers, setEventSink: () => undefined } });
  const { page } = app;
  await page.getByRole('button', { name: /^Outbox/ }).click();
  await page.getByText(`${COUNT} messages`).waitFor();
  const list = page.getByRole('listbox', { name: 'Messages in the outbox' });
  expect(await list.getByRole('option').count()).toBeLessThan(40);

  // Every change arrives as its own event, as fast as the page can take them.
  const changes = Array.from({ length: BURST }, (_, i) => ({
    upserted: [
      { ...item(i, 'deferred'), attempts: 1, nextAttemptAt: new Date(Date.now() + 60_000).toISOString() },
    ],
    removed: [`m${COUNT - 1 - i}`],
  }));
  await page.evaluate((batches) => {
    const page = globalThis as unknown as ListWindow;
    page.__longest = 0;
    new page.PerformanceObserver((entries) => {
      for (const entry of entries.getEntries()) page.__longest = Math.max(page.__longest, entry.duration);
    }).observe({ type: 'longtask', buffered: false });
    for (const batch of batches) page.__outboxDeliver('outbox:changed', batch);
  }, changes);
  await page.getByText(`${COUNT - BURST} messages`).waitFor();
  await page.getByRole('button', { name: /Waiting to retry\s*2000/ }).waitFor();
  const longest = await page.evaluate(() => (globalThis as unknown as ListWindow).__longest);
  expect(longest).toBeLessThan(150);

  // Keyboard: End goes to the oldest message, which the virtual list brings into view.
  await list.focus();
  await list.press('End');
  await list.getByRole('option', { name: /Message 0\b/ }).waitFor();
  await page.getByRole('region', { name: 'Message 0' }).waitFor();
  await list.press('Home');
  await list.getByRole('option', { name: new RegExp(`Message ${COUNT - BURST - 1}\\b`) }).waitFor();
  await app.close();
});
