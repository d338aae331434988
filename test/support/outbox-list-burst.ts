// A 10,000-message outbox and a burst of 2,000 change events, for the list's end-to-end test (does
// every change arrive, does the DOM stay virtual) and its benchmark (the longest task while it does).
import type { Page } from 'playwright-core';
import type { CallHandlers } from '../../main/ipc/ipc-router.ts';
import { outboxPage } from '../../main/outbox/outbox-pages.ts';
import type { QueueItem } from '../../preload/contract/outbox.ts';

export const COUNT = 10_000;
export const BURST = 2_000;

export function listItem(index: number, state: QueueItem['state'] = 'queued'): QueueItem {
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

const listed = Array.from({ length: COUNT }, (_, i) => listItem(i));

/** A queue this size is a property of the renderer alone, so the core here only answers the list. */
export const listCore = {
  handlers: {
    'app:getStatus': () => ({ online: true, version: 'list' }),
    'accounts:list': () => [],
    'drafts:list': () => [],
    'outbox:list': () => listed,
    'outbox:page': (request: Parameters<CallHandlers['outbox:page']>[0]) => outboxPage(listed, request),
    'outbox:setAside': () => [],
  } as unknown as CallHandlers,
  setEventSink: () => undefined,
};

interface ListWindow {
  __outboxDeliver(event: string, payload: unknown): void;
  __longest: number;
  PerformanceObserver: new (callback: (list: { getEntries(): { duration: number }[] }) => void) => {
    observe(options: object): void;
  };
}

/**
 * Sends BURST changes, each as its own event and as fast as the page takes them (half the list
 * deferred, as many removed), waits until the list shows them, and returns the longest task the
 * page saw meanwhile, in ms.
 */
export async function deliverBurst(page: Page): Promise<number> {
  const changes = Array.from({ length: BURST }, (_, i) => ({
    upserted: [
      { ...listItem(i, 'deferred'), attempts: 1, nextAttemptAt: new Date(Date.now() + 60_000).toISOString() },
    ],
    removed: [`m${COUNT - 1 - i}`],
    states: [],
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
  await page.getByRole('button', { name: new RegExp(`Waiting to retry\\s*${BURST}`) }).waitFor();
  return page.evaluate(() => (globalThis as unknown as ListWindow).__longest);
}
