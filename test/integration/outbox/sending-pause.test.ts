import { afterEach, describe, expect, test } from 'vitest';
import { createTestAccounts } from '../../support/test-accounts.ts';
import { startTestServer } from '../../support/smtp-test-server.ts';
import { plainEndpoint, startTestOutbox } from '../../support/outbox-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const server = await startTestServer();
  cleanups.push(() => server.close());
  const accounts = createTestAccounts([
    { id: 'work', fromAddress: 'me@example.org', displayName: 'Me', endpoint: plainEndpoint(server.port) },
    { id: 'home', fromAddress: 'me@example.net', displayName: 'Me', endpoint: plainEndpoint(server.port) },
  ]);
  const outbox = await startTestOutbox({ accounts });
  cleanups.push(() => outbox.stop());
  return { server, accounts, service: outbox.outbox.service };
}

const message = (accountId: string, subject: string) => ({
  accountId,
  to: ['ann@example.com'],
  subject,
  text: 'Hello',
  attachments: [],
});

describe('"Pause all sending" (the tray menu)', () => {
  test('holds every account back until resumed, then what waited goes', async () => {
    const { server, service } = await setup();
    service.setSendingPaused(true);
    expect(service.isSendingPaused()).toBe(true);
    await service.enqueue(message('work', 'One'));
    await service.enqueue(message('home', 'Two'));
    await service.settled();
    expect(server.messages).toHaveLength(0);
    expect(service.summary()).toMatchObject({ waiting: 2, held: 0 });

    service.setSendingPaused(false);
    await service.settled();
    expect(server.messages.map((m) => /^Subject: (.*)$/m.exec(m.raw.toString())?.[1]).sort()).toEqual([
      'One',
      'Two',
    ]);
    expect(service.summary()).toMatchObject({ waiting: 0 });
  });

  test("the summary counts a paused account's mail as held, as the list shows it", async () => {
    const { accounts, service } = await setup();
    accounts.update('work', { paused: true });
    await service.enqueue(message('work', 'Kept'));
    await service.settled();
    expect(service.summary()).toMatchObject({ waiting: 0, held: 1 });
    expect(service.list().map((item) => item.state)).toEqual(['held']);
  });
});
