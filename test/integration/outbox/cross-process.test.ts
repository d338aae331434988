import { afterEach, describe, expect, it } from 'vitest';
import { createTestAccounts } from '../../support/test-accounts.ts';
import { startTestServer } from '../../support/smtp-test-server.ts';
import { plainEndpoint, startTestOutbox, waitFor, type TestOutbox } from '../../support/outbox-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const removedIn = (t: TestOutbox, id: string) =>
  t.payloads('outbox:changed').some((change) => change.removed.includes(id));

describe('two processes on one data folder', () => {
  it('the deliverer follows a producer’s cancel and retry of messages it already holds, at once', async () => {
    let greylisting = true;
    const server = await startTestServer({
      onRcptTo: () => (greylisting ? { code: 451, message: '4.7.1 Greylisted, try again later' } : undefined),
    });
    cleanups.push(() => server.close());
    const accounts = createTestAccounts([
      { id: 'work', fromAddress: 'me@example.org', endpoint: plainEndpoint(server.port) },
    ]);
    const deliverer = await startTestOutbox({ accounts });
    cleanups.push(() => deliverer.stop());
    expect(deliverer.outbox.isDeliverer()).toBe(true);
    const send = (subject: string) =>
      deliverer.outbox.service.enqueue({ accountId: 'work', to: ['ann@example.net'], subject, text: 'Hi' });
    const kept = await send('retry me');
    const dropped = await send('cancel me');
    // Both greylisted: deferred with a retry a minute or more away.
    await waitFor(() =>
      deliverer.outbox.service.list().every((item) => item.state === 'deferred' && item.attempts === 1),
    );
    greylisting = false;

    // The command-line tool: reads the queue, never delivers, never watches.
    const producer = await startTestOutbox({ accounts, dataDir: deliverer.dataDir, start: false });
    cleanups.push(() => producer.stop());
    await producer.outbox.open();
    expect(producer.outbox.isDeliverer()).toBe(false);
    await producer.outbox.service.cancel(dropped.id);
    await producer.outbox.service.retryNow(kept.id);

    await waitFor(() => removedIn(deliverer, dropped.id) && removedIn(deliverer, kept.id), 3_000);
    expect(deliverer.outbox.service.list()).toEqual([]);
    expect(server.messages.map((m) => m.messageId)).toEqual([kept.messageId]);
    expect((await deliverer.outbox.sent.get(kept.id)).attempts).toBe(2);
    await expect(deliverer.outbox.sent.get(dropped.id)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('flush() in a process that does not deliver resolves instead of waiting for a delivery', async () => {
    const accounts = createTestAccounts([
      { id: 'work', fromAddress: 'me@example.org', endpoint: plainEndpoint(9) },
    ]);
    const producer = await startTestOutbox({ accounts, start: false });
    cleanups.push(() => producer.stop());
    await producer.outbox.open();
    await producer.outbox.service.enqueue({ accountId: 'work', to: ['ann@example.net'], subject: 'x' });
    await producer.outbox.service.flush();
    expect(producer.outbox.service.list()).toHaveLength(1);
  });
});
