import { describe, expect, it } from 'vitest';
import { MAX_WAITING_REQUESTS, PageRequests } from '../../../main/desktop/page-requests.ts';
import type { EventSink } from '../../../main/core/ports.ts';
import type { Draft } from '../../../preload/contract/compose.ts';

function recorder() {
  const sent: { event: string; payload: unknown }[] = [];
  const send: EventSink = (event, payload) => sent.push({ event, payload });
  return { sent, send };
}

const draft = (id: string): Draft => ({
  id,
  content: { to: [], cc: [], bcc: [], subject: id, attachments: [] },
  updatedAt: '2026-12-04T12:00:00.000Z',
});
const compose = { command: 'compose' } as const;

describe('requests for the page wait until it listens', () => {
  it('holds "New message" and a handed-over draft made before the page is ready, then sends both in order', () => {
    const { sent, send } = recorder();
    const page = new PageRequests(send);
    page.request('app:menuInvoked', compose);
    page.request('drafts:handedOver', draft('a'));
    expect(sent).toEqual([]);
    page.pageReady();
    expect(sent).toEqual([
      { event: 'app:menuInvoked', payload: compose },
      { event: 'drafts:handedOver', payload: draft('a') },
    ]);
    page.pageReady();
    expect(sent).toHaveLength(2);
  });

  it('sends at once while the page listens, and holds again after a new window or a reload', () => {
    const { sent, send } = recorder();
    const page = new PageRequests(send);
    page.pageReady();
    page.request('app:menuInvoked', compose);
    expect(sent).toHaveLength(1);
    page.pageLeft();
    page.request('drafts:handedOver', draft('b'));
    expect(sent).toHaveLength(1);
    page.pageReady();
    expect(sent.map((e) => e.event)).toEqual(['app:menuInvoked', 'drafts:handedOver']);
  });

  it(`keeps at most ${MAX_WAITING_REQUESTS}, dropping the oldest (a handed draft stays saved in Drafts)`, () => {
    const { sent, send } = recorder();
    const page = new PageRequests(send);
    for (let n = 0; n < MAX_WAITING_REQUESTS + 5; n++) page.request('drafts:handedOver', draft(`d${n}`));
    page.pageReady();
    expect(sent).toHaveLength(MAX_WAITING_REQUESTS);
    expect(sent[0]?.payload).toEqual(draft('d5'));
  });

  it('the core sink holds only page requests; queue events and notices go at once', () => {
    const { sent, send } = recorder();
    const page = new PageRequests(send);
    const emit = page.sink();
    emit('app:noticed', { level: 'info', message: 'x' });
    emit('drafts:handedOver', draft('c'));
    expect(sent.map((e) => e.event)).toEqual(['app:noticed']);
    page.pageReady();
    expect(sent.map((e) => e.event)).toEqual(['app:noticed', 'drafts:handedOver']);
  });
});
