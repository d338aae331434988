import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { silentLogger } from '../../../main/errors/logger.ts';
import { createIpcRouter } from '../../../main/ipc/ipc-router.ts';
import type { BridgeLimitsOptions } from '../../../main/security/bridge-limits.ts';
import type { Account } from '../../../preload/contract/accounts.ts';
import type { Result } from '../../../preload/contract/errors.ts';
import { startTestCore, type TestCore } from '../../support/core-fixture.ts';
import { createFakeClock } from '../../support/fake-clock.ts';
import { createPlainAccount } from '../../support/renderer-steps.ts';
import { runCli } from '../cli/run-cli.ts';

const ORIGIN = 'app://outbox';
const sender = { url: `${ORIGIN}/index.html`, isMainFrame: true, isOurWindow: true };
const MINUTE = 60_000;
/** A port nothing listens on: each test fails at once, at the connect step. */
const CLOSED_PORT = 9;
const later = () => new Date(Date.now() + 3_600_000).toISOString();

const rateLimited = (wait: string) => ({
  ok: false,
  error: {
    code: 'rate_limited',
    message: expect.stringMatching(new RegExp(`^Too many .*; wait ${wait} and try again\\.$`)) as unknown,
  },
});

/** What a compromised page can call: main's real router, as our own window. */
function routerOf(core: TestCore) {
  const router = createIpcRouter(core.handlers, { trustedOrigin: ORIGIN, log: silentLogger });
  return (channel: string, payload?: unknown): Promise<Result<unknown>> =>
    router.dispatch(channel, payload, sender);
}

const cores: TestCore[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.close();
});

async function startCore(bridgeLimits?: BridgeLimitsOptions) {
  const core = await startTestCore({
    settings: { undoSeconds: 0 },
    ...(bridgeLimits ? { bridgeLimits } : {}),
  });
  cores.push(core);
  const account = await createPlainAccount(core, CLOSED_PORT);
  return { core, call: routerOf(core), account };
}

const draftFiles = async (core: TestCore) =>
  (await fsp.readdir(path.join(core.dataDir, 'drafts'))).filter((name) => name.endsWith('.json'));

describe('drafts from the window stay within a quota', () => {
  test('the field report’s attack: 20 M-character bodies are refused once drafts hold 50 MB', async () => {
    const { core, call } = await startCore();
    const body = 'x'.repeat(20_000_000);
    const results = [];
    for (let i = 0; i < 5; i++)
      results.push(await call('drafts:save', { content: { subject: `${i}`, text: body } }));
    expect(results.map((result) => result.ok)).toEqual([true, true, false, false, false]);
    expect(results[2]).toEqual({
      ok: false,
      error: {
        code: 'drafts_quota_exceeded',
        message:
          'Drafts may take 50 MB together, and this one would take them to 58 MB. Send or delete some drafts, or shorten this one.',
      },
    });
    expect(await draftFiles(core)).toHaveLength(2);
    // Everyday drafts still save beside them.
    expect(
      await call('drafts:save', { content: { subject: 'Lunch?', text: 'Thursday at noon.' } }),
    ).toMatchObject({
      ok: true,
    });
  });

  test('a new draft past the count is refused and nothing is written; an existing one still saves', async () => {
    const { core, call } = await startCore({ rules: { drafts: { count: 3, bytes: 10_000_000 } } });
    const saved = [];
    for (let i = 0; i < 3; i++) saved.push(await call('drafts:save', { content: { subject: `Draft ${i}` } }));
    const results = await Promise.all(
      [1, 2, 3].map((i) => call('drafts:save', { content: { subject: `One too many ${i}` } })),
    );
    expect(results).toEqual(
      [1, 2, 3].map(() => ({
        ok: false,
        error: {
          code: 'drafts_quota_exceeded',
          message: 'There are already 3 drafts, the most Outbox keeps. Send or delete some to save this one.',
        },
      })),
    );
    expect(await draftFiles(core)).toHaveLength(3);
    const first = saved[0];
    if (!first?.ok) throw new Error('the first draft was not saved');
    const { id } = first.value as { id: string };
    expect(await call('drafts:save', { id, content: { subject: 'Draft 0, edited' } })).toMatchObject({
      ok: true,
    });
    expect(await call('drafts:delete', { id })).toMatchObject({ ok: true });
    expect(await call('drafts:save', { content: { subject: 'Room again' } })).toMatchObject({ ok: true });
  });

  test('saves sent together cannot each find room for themselves', async () => {
    const { core, call } = await startCore({ rules: { drafts: { count: 200, bytes: 1_000_000 } } });
    const body = 'y'.repeat(300_000);
    const results = await Promise.all(
      [0, 1, 2, 3, 4, 5].map((i) => call('drafts:save', { content: { subject: `${i}`, text: body } })),
    );
    expect(results.filter((result) => result.ok)).toHaveLength(3);
    expect(await draftFiles(core)).toHaveLength(3);
  });
});

describe('queueing from the window is rate-limited', () => {
  const message = (account: Account, extra: object = {}) => ({
    accountId: account.id,
    to: ['ann@example.net'],
    subject: 'Hello',
    text: 'Hi.',
    sendAt: later(),
    ...extra,
  });

  test('past the burst of messages: the code, the wait, and nothing queued; time brings room back', async () => {
    const clock = createFakeClock();
    const { call, account } = await startCore({
      clock,
      rules: {
        enqueue: {
          messages: { capacity: 3, refillMs: MINUTE },
          bytes: { capacity: 10_000_000, refillMs: MINUTE },
        },
      },
    });
    // A refused message spends nothing.
    expect(await call('outbox:enqueue', message(account, { to: ['not an address'] }))).toMatchObject({
      ok: false,
      error: { code: 'invalid_address' },
    });
    for (let i = 0; i < 3; i++)
      expect(await call('outbox:enqueue', message(account))).toMatchObject({ ok: true });
    expect(await call('outbox:enqueue', message(account))).toEqual(rateLimited('20 s'));
    expect(await call('outbox:list')).toMatchObject({ ok: true, value: { length: 3 } });
    clock.advance(20_000);
    expect(await call('outbox:enqueue', message(account))).toMatchObject({ ok: true });
  });

  test('past the bytes: a big body is refused while small messages still go', async () => {
    const clock = createFakeClock();
    const { core, call, account } = await startCore({
      clock,
      rules: {
        enqueue: {
          messages: { capacity: 100, refillMs: MINUTE },
          bytes: { capacity: 1_000_000, refillMs: MINUTE },
        },
      },
    });
    const big = 'z'.repeat(600_000);
    expect(await call('outbox:enqueue', message(account, { text: big }))).toMatchObject({ ok: true });
    expect(await call('outbox:enqueue', message(account, { text: big }))).toEqual(rateLimited('12 s'));
    expect(await call('outbox:enqueue', message(account))).toMatchObject({ ok: true });
    expect(await call('outbox:list')).toMatchObject({ ok: true, value: { length: 2 } });

    // The user's own big file counts, and still goes once the bucket is full again.
    const file = path.join(core.dataDir, 'video.bin');
    await fsp.writeFile(file, Buffer.alloc(1_500_000));
    core.pickNext = [file];
    await call('files:pick');
    const attached = message(account, { attachments: [{ path: file }] });
    expect(await call('outbox:enqueue', attached)).toMatchObject({
      ok: false,
      error: { code: 'rate_limited' },
    });
    clock.advance(MINUTE);
    expect(await call('outbox:enqueue', attached)).toMatchObject({ ok: true });
  });

  test('everyday use never meets the app’s limits, and the CLI has none', async () => {
    const { call, account } = await startCore();
    for (let i = 0; i < 20; i++)
      expect(await call('outbox:enqueue', message(account))).toMatchObject({ ok: true });

    const limited = await startCore({
      rules: {
        enqueue: { messages: { capacity: 1, refillMs: MINUTE }, bytes: { capacity: 1e9, refillMs: MINUTE } },
      },
    });
    expect(await limited.call('outbox:enqueue', message(limited.account))).toMatchObject({ ok: true });
    expect(await limited.call('outbox:enqueue', message(limited.account))).toMatchObject({ ok: false });
    for (let i = 0; i < 2; i++) {
      const sent = await runCli(limited.core.dataDir, [
        'send',
        '--to',
        'bob@example.net',
        '--subject',
        `From a script ${i}`,
        '--text',
        'Hi.',
        '--at',
        later(),
      ]);
      expect(sent).toMatchObject({ code: 0, stderr: '' });
    }
    // The app learns of the CLI's messages from its folder watcher, a moment later.
    await vi.waitFor(
      async () => {
        expect(await limited.call('outbox:list')).toMatchObject({ ok: true, value: { length: 3 } });
      },
      { timeout: 30_000, interval: 100 },
    );
  });
});

describe('connection tests from the window are rate-limited', () => {
  test('past the burst: "Too many connection tests; wait N s", nothing connects; time brings room back', async () => {
    const clock = createFakeClock();
    const { call, account } = await startCore({
      clock,
      rules: { connectionTests: { capacity: 2, refillMs: MINUTE } },
    });
    for (let i = 0; i < 2; i++) {
      expect(await call('accounts:test', { id: account.id })).toMatchObject({
        ok: true,
        value: { ok: false },
      });
    }
    expect(await call('accounts:test', { id: account.id })).toEqual({
      ok: false,
      error: { code: 'rate_limited', message: 'Too many connection tests; wait 30 s and try again.' },
    });
    // A new account on another port is no way around it.
    const other = await call('accounts:create', {
      label: 'Probe',
      fromAddress: 'probe@example.org',
      host: '127.0.0.1',
      port: 22,
      security: 'none',
      allowPlaintext: true,
      auth: 'none',
    });
    if (!other.ok) throw new Error(other.error.message);
    expect(await call('accounts:test', { id: (other.value as Account).id })).toMatchObject({
      ok: false,
      error: { code: 'rate_limited' },
    });
    clock.advance(30_000);
    expect(await call('accounts:test', { id: account.id })).toMatchObject({ ok: true });
  });
});

describe('address lookups from the window are rate-limited', () => {
  test('past the burst: "Too many address lookups; wait N s", whatever the address; time brings room back', async () => {
    const clock = createFakeClock();
    const { call } = await startCore({ clock, rules: { addressLookups: { capacity: 2, refillMs: MINUTE } } });
    // gmail.com is in Outbox's own table: the lookups that are let through touch no network.
    for (let i = 0; i < 2; i++) {
      expect(await call('accounts:discover', { address: 'ada@gmail.com' })).toMatchObject({
        ok: true,
        value: { status: 'found', source: 'provider' },
      });
    }
    expect(await call('accounts:discover', { address: 'ada@gmail.com' })).toEqual({
      ok: false,
      error: { code: 'rate_limited', message: 'Too many address lookups; wait 30 s and try again.' },
    });
    // Another domain is no way around it.
    expect(await call('accounts:discover', { address: 'scan@target.example' })).toMatchObject(
      rateLimited('30 s'),
    );
    clock.advance(30_000);
    expect(await call('accounts:discover', { address: 'ada@gmail.com' })).toMatchObject({ ok: true });
  });
});

describe('accounts added from the window are capped', () => {
  const newAccount = (i: number) => ({
    label: `Extra ${i}`,
    fromAddress: `extra${i}@example.org`,
    host: '127.0.0.1',
    port: CLOSED_PORT,
    security: 'none',
    allowPlaintext: true,
    auth: 'none',
  });

  test('past the cap a new account is refused and nothing is stored; removing one makes room', async () => {
    // startCore adds one account itself.
    const { core, call } = await startCore({ rules: { accounts: 3 } });
    expect((await call('accounts:create', newAccount(1))).ok).toBe(true);
    const second = await call('accounts:create', newAccount(2));
    if (!second.ok) throw new Error(second.error.message);
    expect(await call('accounts:create', newAccount(3))).toEqual({
      ok: false,
      error: {
        code: 'accounts_quota_exceeded',
        message: 'There are already 3 accounts. Remove one to add another.',
      },
    });
    expect((await core.handlers['accounts:list'](undefined)).map((account) => account.label)).toEqual([
      'Work',
      'Extra 1',
      'Extra 2',
    ]);
    const removed = await call('accounts:delete', {
      id: (second.value as Account).id,
      queued: { action: 'hold' },
    });
    expect(removed).toMatchObject({ ok: true });
    expect(await call('accounts:create', newAccount(3))).toMatchObject({ ok: true });
  });
});
