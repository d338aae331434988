import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../main/errors/logger.ts';
import { parseMailto } from '../../../main/handoff/mailto.ts';
import { createIpcRouter } from '../../../main/ipc/ipc-router.ts';
import type { Account } from '../../../preload/contract/accounts.ts';
import type { Draft } from '../../../preload/contract/compose.ts';
import type { Result } from '../../../preload/contract/errors.ts';
import { startTestCore, type TestCore } from '../../support/core-fixture.ts';
import { recordEvents } from '../../support/recorded-events.ts';
import { createPlainAccount, eventually } from '../../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';

/**
 * A mail archive's "reply" link (RFC 6068 `in-reply-to`) through the real core: the draft keeps
 * the id, and the message sent from it carries In-Reply-To and References (RFC 5322 §3.6.4).
 */
const ORIGIN = 'app://outbox';
const sender = { url: `${ORIGIN}/index.html`, isMainFrame: true, isOurWindow: true };
const PARENT = '<3469A91.D10AF4C@example.com>';
const REPLY_LINK = `mailto:list@example.org?subject=Re%3A%20Plans&in-reply-to=%3C3469A91.D10AF4C@example.com%3E`;

let smtp: TestServer;
let core: TestCore;
let account: Account;
let call: (channel: string, payload?: unknown) => Promise<Result<unknown>>;

beforeAll(async () => {
  smtp = await startTestServer();
});
afterAll(() => smtp.close());
beforeEach(async () => {
  core = await startTestCore({ settings: { undoSeconds: 0 } });
  account = await createPlainAccount(core, smtp.port);
  const router = createIpcRouter(core.handlers, { trustedOrigin: ORIGIN, log: silentLogger });
  call = (channel, payload) => router.dispatch(channel, payload, sender);
  smtp.messages.length = 0;
});
afterEach(async () => {
  await core.close();
});

/** What compose sends for a draft: its fields, the account chosen, and the draft to remove. */
function sendFromDraft(draft: Draft) {
  const { content } = draft;
  return call('outbox:enqueue', {
    accountId: account.id,
    to: content.to,
    subject: content.subject,
    text: 'Sounds good.',
    ...(content.inReplyTo === undefined ? {} : { inReplyTo: content.inReplyTo }),
    ...(content.references === undefined ? {} : { references: content.references }),
    draftId: draft.id,
  });
}

async function receivedHeaders() {
  const [message] = await eventually(() => (smtp.messages.length > 0 ? smtp.messages : undefined));
  const parsed = await simpleParser(message?.raw ?? Buffer.alloc(0));
  return { inReplyTo: parsed.inReplyTo, references: parsed.references, subject: parsed.subject };
}

describe('a reply started from a mailto: link', () => {
  it('keeps in-reply-to in the stored draft and sends In-Reply-To and References', async () => {
    const events = recordEvents(core);
    await core.core.handleLaunchRequest(parseMailto(REPLY_LINK, 'link'), 'link');
    const [handed] = events.of('drafts:handedOver');
    expect(handed?.content.inReplyTo).toBe(PARENT);

    // The draft as compose reads it back from the store, as after a restart.
    const listed = await call('drafts:list');
    const [draft] = listed.ok ? (listed.value as Draft[]) : [];
    expect(draft?.content).toMatchObject({
      to: ['list@example.org'],
      subject: 'Re: Plans',
      inReplyTo: PARENT,
    });
    if (!draft) throw new Error('no draft');

    expect(await sendFromDraft(draft)).toMatchObject({ ok: true });
    expect(await receivedHeaders()).toEqual({ inReplyTo: PARENT, references: PARENT, subject: 'Re: Plans' });
    expect(await call('drafts:list')).toEqual({ ok: true, value: [] });
  });

  it('a message taken back for editing keeps its In-Reply-To and References', async () => {
    const queued = await call('outbox:enqueue', {
      accountId: account.id,
      to: ['list@example.org'],
      subject: 'Re: Plans',
      text: 'First go.',
      sendAt: new Date(Date.now() + 86_400_000).toISOString(),
      inReplyTo: PARENT,
      references: ['<root@example.com>', PARENT],
    });
    if (!queued.ok) throw new Error(queued.error.message);
    const { id } = queued.value as { id: string };
    const edited = await call('outbox:edit', { id });
    expect(edited).toMatchObject({
      ok: true,
      value: { inReplyTo: PARENT, references: ['<root@example.com>', PARENT] },
    });
  });
});

describe('a line break in in-reply-to is header_injection at every door', () => {
  const injected = `${PARENT}\r\nBcc: all@example.org`;

  it('the bridge refuses it and sends nothing', async () => {
    const result = await call('outbox:enqueue', {
      accountId: account.id,
      to: ['list@example.org'],
      subject: 'Re: Plans',
      text: 'x',
      inReplyTo: injected,
    });
    expect(result).toMatchObject({ ok: false, error: { code: 'header_injection', field: 'inReplyTo' } });
    expect(await call('outbox:list')).toEqual({ ok: true, value: [] });
  });

  it('a mailto: link is refused with the same code', () => {
    const url = `mailto:list@example.org?in-reply-to=${encodeURIComponent(injected)}`;
    expect(() => parseMailto(url, 'link')).toThrow(expect.objectContaining({ code: 'header_injection' }));
  });
});
