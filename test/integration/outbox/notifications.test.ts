import { afterEach, describe, expect, it } from 'vitest';
import type { AppSettings } from '../../../preload/contract/settings.ts';
import { QUIET_MS } from '../../../main/outbox/delivery/notification-policy.ts';
import { createFakeClock, type FakeClock } from '../../support/fake-clock.ts';
import { plainEndpoint, startTestOutbox, type TestOutbox } from '../../support/outbox-fixture.ts';
import { startTestServer, type TestServer, type TestServerOptions } from '../../support/smtp-test-server.ts';
import { createTestAccounts } from '../../support/test-accounts.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The real outbox delivering to a real smtp-server; the platform records each notification shown. */
async function setup(
  settings: Partial<AppSettings> = {},
  serverOptions: TestServerOptions = {},
): Promise<{ server: TestServer; outbox: TestOutbox; clock: FakeClock }> {
  const server = await startTestServer(serverOptions);
  cleanups.push(() => server.close());
  const accounts = createTestAccounts([
    { id: 'work', fromAddress: 'me@example.org', displayName: 'Me', endpoint: plainEndpoint(server.port) },
  ]);
  const clock = createFakeClock(Date.now());
  const outbox = await startTestOutbox({ accounts, clock, settings });
  cleanups.push(() => outbox.stop());
  return { server, outbox, clock };
}

const send = (outbox: TestOutbox, subject: string, to: string[] = ['ann@example.net']) =>
  outbox.outbox.service.enqueue({ accountId: 'work', to, subject, text: 'Hi there' });

describe('desktop notifications of delivery', () => {
  it('tells of a delivered message: its subject and who accepted it', async () => {
    const { server, outbox, clock } = await setup();
    await send(outbox, 'Quarterly report', ['ann@example.net', 'bob@example.net']);
    await outbox.outbox.service.settled();
    expect(server.messages).toHaveLength(1);
    clock.advance(QUIET_MS);
    expect(outbox.notifications).toEqual([
      { title: 'Sent', body: '“Quarterly report” to ann@example.net, bob@example.net' },
    ]);
  });

  it('tells of messages sent together once, as their count', async () => {
    const { server, outbox, clock } = await setup();
    for (const subject of ['one', 'two', 'three']) await send(outbox, subject);
    await outbox.outbox.service.settled();
    expect(server.messages).toHaveLength(3);
    clock.advance(QUIET_MS);
    expect(outbox.notifications).toEqual([{ title: 'Sent', body: '3 messages sent' }]);
  });

  it('tells of a sent message and a refused one apart', async () => {
    const { outbox, clock } = await setup(
      {},
      {
        onRcptTo: (address) =>
          address.startsWith('nobody') ? { code: 550, message: 'No such user' } : undefined,
      },
    );
    await send(outbox, 'Welcome');
    await send(outbox, 'Lost', ['nobody@example.net']);
    await outbox.outbox.service.settled();
    clock.advance(QUIET_MS);
    // The two go out side by side: either may be told first.
    expect(outbox.notifications).toHaveLength(2);
    expect(outbox.notifications).toEqual(
      expect.arrayContaining([
        { title: 'Sent', body: '“Welcome” to ann@example.net' },
        { title: 'Message not sent', body: '“Lost”: The server refused every recipient.' },
      ]),
    );
  });

  it('shows nothing when the user turned notifications off', async () => {
    const { server, outbox, clock } = await setup({ notifications: false });
    await send(outbox, 'Quiet');
    await outbox.outbox.service.settled();
    expect(server.messages).toHaveLength(1);
    clock.advance(QUIET_MS);
    expect(outbox.notifications).toEqual([]);
  });
});
