import { afterEach, describe, expect, it } from 'vitest';
import { createTestAccounts } from '../../support/test-accounts.ts';
import { plainEndpoint, startTestOutbox } from '../../support/outbox-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('the queue as account management sees it', () => {
  it('counts, holds and moves an account’s messages without dropping any', async () => {
    const accounts = createTestAccounts([
      { id: 'old', fromAddress: 'old@example.org', paused: true, endpoint: plainEndpoint(9) },
      { id: 'new', fromAddress: 'new@example.org', paused: true, endpoint: plainEndpoint(9) },
    ]);
    const t = await startTestOutbox({ accounts });
    cleanups.push(() => t.stop());
    const { service } = t.outbox;
    const send = (subject: string) => service.enqueue({ accountId: 'old', to: ['ann@example.net'], subject });
    const a = await send('a');
    await send('b');
    expect(service.countPending('old')).toBe(2);
    expect(service.countPending('new')).toBe(0);

    await service.holdAll('old');
    expect(service.list().map((i) => i.state)).toEqual(['held', 'held']);

    await service.moveToAccount('old', 'new');
    expect(service.countPending('old')).toBe(0);
    expect(service.countPending('new')).toBe(2);
    expect(service.get(a.id)).toMatchObject({ accountId: 'new', from: 'new@example.org' });
    await expect(service.moveToAccount('new', 'gone')).rejects.toMatchObject({ code: 'unknown_account' });
  });
});
