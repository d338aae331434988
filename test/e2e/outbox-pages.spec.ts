import { afterAll, afterEach, expect, test, vi } from 'vitest';
import type { CallHandlers } from '../../main/ipc/ipc-router.ts';
import { nodeFileSystem } from '../../main/files/atomic-file.ts';
import { queuePaths } from '../../main/outbox/store/queue-paths.ts';
import { createQueueStore } from '../../main/outbox/store/queue-store.ts';
import type { QueueRecord } from '../../main/outbox/store/queue-record.ts';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { sampleRecord } from '../support/sample-record.ts';
import { makeDataDir } from '../support/outbox-fixture.ts';

afterAll(closeBrowser);

const COUNT = 2_500;
/** The first page is 100 rows, the later ones 1000: these land in the second page (m2399…m1400). */
const RESENT = ['m2000', 'm2001', 'm2002', 'm2003', 'm2004'];
const UNCONFIRMED = [...RESENT, 'm2005', 'm2006', 'm2007', 'm2008', 'm2009'];
const CANCELLED = ['m1900', 'm1901', 'm1902', 'm1903', 'm1904'];
/** In the first page, already drawn when it goes. */
const CANCELLED_SHOWN = 'm2450';

/** The queue as another process (the CLI) left it: newest is m2499, oldest m0. */
async function fillQueue(dataDir: string): Promise<void> {
  const store = createQueueStore(queuePaths(dataDir), { fs: nodeFileSystem, onQuarantine: () => undefined });
  await store.init();
  for (let i = 0; i < COUNT; i++) {
    const id = `m${i}`;
    const state: QueueRecord['state'] = UNCONFIRMED.includes(id) ? 'unconfirmed' : 'queued';
    const sizeBytes = await store.writeBytes(id, Buffer.from(`Subject: subject ${id}\r\n\r\nHello\r\n`));
    const createdAt = new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString();
    await store.save(sampleRecord(id, { state, createdAt, sizeBytes }));
  }
  await store.close();
}

let core: TestCore | undefined;
let app: RendererHarness | undefined;
afterEach(async () => {
  await app?.close();
  await core?.close();
});

test('the first page is drawn while later pages come; changes racing a page leave the right messages', async () => {
  const dataDir = await makeDataDir();
  await fillQueue(dataDir);
  // Offline: nothing is delivered, so only this test changes the queue.
  const started = await startTestCore({ dataDir, online: false });
  core = started;

  // The second page is read at once but its answer waits: whatever changes meanwhile races it.
  let secondRead: () => void = () => undefined;
  const secondPageRead = new Promise<void>((resolve) => (secondRead = resolve));
  let answerSecond: () => void = () => undefined;
  const secondPageHeld = new Promise<void>((resolve) => (answerSecond = resolve));
  let laterPages = 0;
  const page: CallHandlers['outbox:page'] = async (request) => {
    const answer = await started.handlers['outbox:page'](request);
    if (request.cursor && laterPages++ === 0) {
      secondRead();
      await secondPageHeld;
    }
    return answer;
  };
  const emitted: { event: string; payload: unknown }[] = [];
  app = await openRenderer({
    core: {
      handlers: { ...started.handlers, 'outbox:page': page },
      setEventSink: (sink) => {
        started.setEventSink((event, payload) => {
          emitted.push({ event, payload });
          sink(event, payload);
        });
      },
    },
  });
  const browser = app.page;
  await browser.getByRole('button', { name: /^Outbox/ }).click();
  const list = browser.getByRole('listbox', { name: 'Messages in the outbox' });
  await list.getByRole('option', { name: /subject m2499\b/ }).waitFor();
  await secondPageRead;
  // The count and the sidebar are the whole queue's, from the first page's answer.
  await browser.getByText(`${COUNT} messages`).waitFor();
  await browser.getByRole('button', { name: /^Unconfirmed\s*10$/ }).waitFor();
  // Only the first page is in: the list ends at its last row.
  await list.focus();
  await list.press('End');
  await browser.getByRole('region', { name: 'subject m2400' }).waitFor();

  // While the second page's (older) answer is held: messages in it are cancelled or resent, one
  // already drawn is cancelled.
  for (const id of [...CANCELLED, CANCELLED_SHOWN]) await started.handlers['outbox:cancel']({ id });
  for (const id of RESENT) await started.handlers['outbox:resend']({ id });
  const named = new Set([...CANCELLED, CANCELLED_SHOWN, ...RESENT]);
  await vi.waitFor(
    () => {
      const changes = emitted.flatMap(({ event, payload }) => {
        if (event !== 'outbox:changed') return [];
        const change = payload as { upserted: { id: string }[]; removed: string[] };
        return [...change.upserted.map((item) => item.id), ...change.removed];
      });
      expect(new Set(changes.filter((id) => named.has(id)))).toEqual(named);
    },
    { timeout: 30_000 },
  );
  await app.flushEvents();
  answerSecond();

  // Every page in: the counts are the page's own (from what it holds), which the older copies in
  // the second page must not have changed back.
  const remaining = COUNT - CANCELLED.length - 1;
  await browser.getByText(`${remaining} messages`).waitFor({ timeout: 60_000 });
  await browser.getByRole('button', { name: /^Unconfirmed\s*5$/ }).waitFor();
  expect(laterPages).toBe(3);
  await list.press('End');
  await browser.getByRole('region', { name: 'subject m0' }).waitFor();
  await browser.getByRole('combobox', { name: 'Show' }).selectOption('unconfirmed');
  await browser.getByText('5 messages').waitFor();
  const shown = await list.getByRole('option').allTextContents();
  expect(shown.map((text) => /subject (m\d+)/.exec(text)?.[1])).toEqual([
    'm2009',
    'm2008',
    'm2007',
    'm2006',
    'm2005',
  ]);
});
