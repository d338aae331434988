import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { KEYCHAIN_SERVICE } from '../../../main/accounts/credentials.ts';
import { osKeychain } from '../../../main/accounts/os-keychain.ts';
import { silentLogger } from '../../../main/errors/logger.ts';
import { createIpcRouter } from '../../../main/ipc/ipc-router.ts';
import type { Account } from '../../../preload/contract/accounts.ts';
import type { Result } from '../../../preload/contract/errors.ts';
import { requireSecretService } from '../../support/accounts-fixtures.ts';
import { startTestCore, type TestCore } from '../../support/core-fixture.ts';
import { eventually } from '../../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';

const ORIGIN = 'app://outbox';
const sender = { url: `${ORIGIN}/index.html`, isMainFrame: true, isOurWindow: true };
const DOMAIN = 'outbox-test.example';
/** A DKIM-Signature header of the user's domain (nodemailer may fold it). */
const SIGNED = /^DKIM-Signature: [\s\S]*?d=outbox-test\.example;/m;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/** The calls a compromised page can make: main's real router, as our own window. */
function routerOf(core: TestCore) {
  const router = createIpcRouter(core.handlers, { trustedOrigin: ORIGIN, log: silentLogger });
  return async (channel: string, payload?: unknown): Promise<unknown> => {
    const result: Result<unknown> = await router.dispatch(channel, payload, sender);
    if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
    return result.value;
  };
}

const keychainKey = (id: string) => osKeychain.getPassword(KEYCHAIN_SERVICE, `${id}:dkim`);

describe('the DKIM key is bound to where the account sends', () => {
  let home: TestServer;
  let elsewhere: TestServer;
  let core: TestCore;
  let call: ReturnType<typeof routerOf>;
  let account: Account;

  beforeAll(async () => {
    await requireSecretService();
    [home, elsewhere] = await Promise.all([startTestServer(), startTestServer()]);
  });
  afterAll(async () => {
    await Promise.all([home.close(), elsewhere.close()]);
  });

  beforeEach(async () => {
    core = await startTestCore({ settings: { undoSeconds: 0 } });
    call = routerOf(core);
    const created = (await call('accounts:create', {
      label: 'Work',
      displayName: 'Ada',
      fromAddress: `ada@${DOMAIN}`,
      host: '127.0.0.1',
      port: home.port,
      security: 'none',
      allowPlaintext: true,
      auth: 'none',
      dkim: { domain: DOMAIN, selector: 'mail2026' },
    })) as Account;
    account = (await call('accounts:setDkimKey', { id: created.id, secret: pem })) as Account;
    home.messages.length = 0;
    elsewhere.messages.length = 0;
  });
  afterEach(async () => {
    await call('accounts:delete', { id: account.id, queued: { action: 'hold' } });
    await core.close();
  });

  /** Queues one message and returns its bytes as the server that took it saw them. */
  async function sendAndReceive(server: TestServer, subject: string): Promise<string> {
    await call('outbox:enqueue', { accountId: account.id, to: ['grace@example.net'], subject, text: 'Hi.' });
    const received = await eventually(() => server.messages.find((m) => m.raw.includes(subject)));
    return received.raw.toString('utf8');
  }

  test('moving the account to another server forgets the key: mail there is not signed', async () => {
    expect(account.hasDkimKey).toBe(true);
    expect(await sendAndReceive(home, 'Before the move')).toMatch(SIGNED);

    const moved = (await call('accounts:update', {
      id: account.id,
      patch: { port: elsewhere.port },
    })) as Account;
    expect(moved).toMatchObject({ hasDkimKey: false, dkim: { domain: DOMAIN, selector: 'mail2026' } });
    expect(await keychainKey(account.id)).toBeNull();
    expect(await sendAndReceive(elsewhere, 'After the move')).not.toMatch(/^DKIM-Signature:/m);
  });

  test('a new From domain forgets the key; a new local part or display name keeps it', async () => {
    const renamed = (await call('accounts:update', {
      id: account.id,
      patch: { displayName: 'Ada L.', fromAddress: `ada.l@${DOMAIN.toUpperCase()}` },
    })) as Account;
    expect(renamed.hasDkimKey).toBe(true);
    expect(await keychainKey(account.id)).toBe(pem);
    expect(await sendAndReceive(home, 'Still signed')).toMatch(SIGNED);

    const otherDomain = (await call('accounts:update', {
      id: account.id,
      patch: { fromAddress: 'ada@elsewhere.example' },
    })) as Account;
    expect(otherDomain.hasDkimKey).toBe(false);
    expect(await keychainKey(account.id)).toBeNull();
  });

  test('the key saved again after a move signs again', async () => {
    await call('accounts:update', { id: account.id, patch: { port: elsewhere.port, security: 'none' } });
    const again = (await call('accounts:setDkimKey', { id: account.id, secret: pem })) as Account;
    expect(again.hasDkimKey).toBe(true);
    expect(await sendAndReceive(elsewhere, 'Confirmed')).toMatch(SIGNED);
  });
});
