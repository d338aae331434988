import { afterEach, describe, expect, it } from 'vitest';
import type { OutboxService } from '../../../main/outbox/outbox-service.ts';
import type { SmtpEndpoint } from '../../../main/smtp/smtp-endpoint.ts';
import type { QueueItem } from '../../../preload/contract/outbox.ts';
import { createFakeClock, type FakeClock } from '../../support/fake-clock.ts';
import { QUIET_MS } from '../../../main/outbox/delivery/notification-policy.ts';
import { plainEndpoint, startTestOutbox, type TestOutbox } from '../../support/outbox-fixture.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { startStarttlsRefusingServer } from '../../support/starttls-refusing-server.ts';
import { createTestAccounts, type TestAccountsPort } from '../../support/test-accounts.ts';

/** RFC 6761 §6.4: a .invalid name never resolves, so the lookup fails as a mistyped host does. */
const UNRESOLVABLE = 'smtp.outbox-typo.invalid';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(): Promise<TestServer> {
  const started = await startTestServer();
  cleanups.push(() => started.close());
  return started;
}

/** The real outbox with one account per endpoint, on a clock that moves only when told. */
async function outboxFor(endpoints: Record<string, SmtpEndpoint>): Promise<{
  outbox: TestOutbox;
  service: OutboxService;
  accounts: TestAccountsPort;
  clock: FakeClock;
}> {
  const accounts = createTestAccounts(
    Object.entries(endpoints).map(([id, endpoint]) => ({ id, fromAddress: `me@${id}.example`, endpoint })),
  );
  const clock = createFakeClock(Date.now());
  const outbox = await startTestOutbox({ accounts, clock });
  cleanups.push(() => outbox.stop());
  return { outbox, service: outbox.outbox.service, accounts, clock };
}

/** Waits until nothing is due or in flight, then returns the message's entry (undefined once sent). */
async function after(service: OutboxService, id: string): Promise<QueueItem | undefined> {
  await service.settled();
  return service.list().find((i) => i.id === id);
}

const send = (service: OutboxService, accountId: string) =>
  service.enqueue({ accountId, to: ['ann@example.net'], subject: 'Hello', text: 'Hi there' });

describe('a host name that does not exist', () => {
  it('defers its own account, counted and saying to check the name, while another account delivers at once', async () => {
    const good = await server();
    const { outbox, service } = await outboxFor({
      typo: plainEndpoint(25, { host: UNRESOLVABLE }),
      work: plainEndpoint(good.port),
    });

    const lost = await send(service, 'typo');
    const tried = await after(service, lost.id);
    expect(tried).toMatchObject({ state: 'deferred', attempts: 1, lastError: { code: 'dns_failed' } });
    expect(tried?.lastError?.message).toContain(`"${UNRESOLVABLE}" could not be found`);
    expect(tried?.lastError?.message).toMatch(/check the host name/);
    // One account's typo says nothing about the network.
    expect(outbox.outbox.status.status().online).toBe(true);

    // Without the clock moving: no probe, no wait for the network.
    const fine = await send(service, 'work');
    expect(await after(service, fine.id)).toBeUndefined();
    expect(good.messages).toHaveLength(1);
  });
});

describe('encryption that is not available', () => {
  it.each([
    ['refuses STARTTLS with 454', '454 4.7.0 TLS not available due to temporary reason'],
    ['refuses STARTTLS with 502', '502 5.5.1 Command not implemented'],
  ])(
    'a STARTTLS account whose server %s: held, the account needs attention, nothing in clear',
    async (_name, reply) => {
      const refusing = await startStarttlsRefusingServer(reply);
      cleanups.push(() => refusing.close());
      const { outbox, service, accounts, clock } = await outboxFor({
        work: plainEndpoint(refusing.port, { security: 'starttls' }),
      });

      const held = await send(service, 'work');
      const item = await after(service, held.id);
      expect(item).toMatchObject({
        state: 'needs_attention',
        attempts: 0,
        lastError: { code: 'starttls_unavailable' },
      });
      expect(item?.lastError?.message).toMatch(/^Encryption was not available/);
      expect(accounts.find('work')?.attention?.code).toBe('starttls_unavailable');
      clock.advance(QUIET_MS); // notices are gathered a moment, so a burst shows as one
      expect(outbox.notifications.map((n) => n.title)).toEqual(['An account needs attention']);
      expect(refusing.commands.map((c) => c.split(' ')[0])).toEqual(['EHLO', 'STARTTLS']);
    },
  );

  it('a STARTTLS account whose server does not offer STARTTLS at all: held, needs attention', async () => {
    const plain = await startTestServer({ disableStartTls: true });
    cleanups.push(() => plain.close());
    const { service, accounts } = await outboxFor({
      work: plainEndpoint(plain.port, { security: 'starttls' }),
    });
    const held = await send(service, 'work');
    expect(await after(service, held.id)).toMatchObject({
      state: 'needs_attention',
      attempts: 0,
      lastError: { code: 'starttls_unavailable' },
    });
    expect(accounts.find('work')?.attention?.code).toBe('starttls_unavailable');
    expect(plain.messages).toHaveLength(0);
  });

  it('a TLS account pointed at a plaintext port: held, needs attention, not retried for days', async () => {
    const plain = await server();
    const { service, accounts } = await outboxFor({ work: plainEndpoint(plain.port, { security: 'tls' }) });
    const held = await send(service, 'work');
    const item = await after(service, held.id);
    expect(item).toMatchObject({
      state: 'needs_attention',
      attempts: 0,
      lastError: { code: 'wrong_tls_mode' },
    });
    expect(item?.lastError?.message).toMatch(/^Encryption was not available: .*wrong version number/);
    expect(accounts.find('work')?.attention?.code).toBe('wrong_tls_mode');
    expect(plain.messages).toHaveLength(0);
  });
});
