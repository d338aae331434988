import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/errors/logger.ts';
import { createIpcRouter } from '../../../main/ipc/ipc-router.ts';
import type { Account } from '../../../preload/contract/accounts.ts';
import type { Draft, DraftContent } from '../../../preload/contract/compose.ts';
import type { Result } from '../../../preload/contract/errors.ts';
import type { QueueItem } from '../../../preload/contract/outbox.ts';
import { startTestCore, type TestCore } from '../../support/core-fixture.ts';
import { createPlainAccount } from '../../support/renderer-steps.ts';

/**
 * A scheduled message taken back into a draft (outbox:edit; undo does not take scheduled ones) keeps its
 * "don't send if more than N minutes late" limit with its send time, through the drafts store and
 * back into the queue: without it, sent again it would go however late (issue 18).
 */
const ORIGIN = 'app://outbox';
const sender = { url: `${ORIGIN}/index.html`, isMainFrame: true, isOurWindow: true };

let core: TestCore;
let account: Account;
let call: <T>(channel: string, payload?: unknown) => Promise<T>;

beforeEach(async () => {
  core = await startTestCore({ settings: { undoSeconds: 0 } });
  // Port 9 (discard): never reached, and nothing is due before the tests end anyway.
  account = await createPlainAccount(core, 9);
  const router = createIpcRouter(core.handlers, { trustedOrigin: ORIGIN, log: silentLogger });
  call = async <T>(channel: string, payload?: unknown) => {
    const result = (await router.dispatch(channel, payload, sender)) as Result<T>;
    if (!result.ok) throw new Error(`${channel}: ${result.error.code}: ${result.error.message}`);
    return result.value;
  };
});
afterEach(async () => {
  await core.close();
});

const sendAt = new Date(Date.now() + 86_400_000).toISOString();

async function scheduled(): Promise<QueueItem> {
  return call<QueueItem>('outbox:enqueue', {
    accountId: account.id,
    to: ['ann@example.net'],
    subject: 'Tomorrow',
    text: 'Only if on time.',
    sendAt,
    lateLimitMinutes: 120,
  });
}

describe('a scheduled message taken back for editing', () => {
  it('keeps its late limit in the draft, and queued again from it, the limit stands', async () => {
    const item = await scheduled();
    expect(item.lateLimitMinutes).toBe(120);

    const content = await call<DraftContent>('outbox:edit', { id: item.id });
    expect(content).toMatchObject({ sendAt, lateLimitMinutes: 120 });

    // Compose autosaves it; the draft read back (as after a restart) still has both.
    const saved = await call<Draft>('drafts:save', { content });
    const [draft] = await call<Draft[]>('drafts:list');
    expect(draft?.content).toMatchObject({ sendAt, lateLimitMinutes: 120 });

    const again = await call<QueueItem>('outbox:enqueue', {
      accountId: account.id,
      to: content.to,
      subject: content.subject,
      text: content.text,
      sendAt: draft?.content.sendAt,
      lateLimitMinutes: draft?.content.lateLimitMinutes,
      draftId: saved.id,
    });
    expect(again).toMatchObject({ state: 'scheduled', sendAt, lateLimitMinutes: 120 });
  });
});
