import { afterAll, expect, test } from 'vitest';
import type { EventSink } from '../../main/core/ports.ts';
import type { CallHandlers } from '../../main/ipc/ipc-router.ts';
import { closeBrowser, openRenderer } from '../support/renderer-harness.ts';

afterAll(closeBrowser);

// Throwaway example of the harness, to be replaced by real specs against the real core.
test('harness works', async () => {
  const handlers = { 'app:getStatus': () => ({ online: true, version: '9.9.9' }) } as unknown as CallHandlers;
  let sink: EventSink | undefined;
  const h = await openRenderer({ core: { handlers, setEventSink: (s) => (sink = s) } });
  await h.page.getByRole('status').filter({ hasText: '9.9.9' }).waitFor();
  sink?.('app:statusChanged', { online: false, version: '9.9.9' });
  await h.page.getByText('Offline').waitFor();
  expect(await h.page.evaluate(() => typeof (globalThis as unknown as { outbox: { outbox: { enqueue: unknown } } }).outbox.outbox.enqueue)).toBe('function');
  await h.close();
});
