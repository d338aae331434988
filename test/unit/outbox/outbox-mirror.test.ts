import { describe, expect, it } from 'vitest';
import type { OutboxChanged, QueueItem, QueueState } from '../../../preload/contract/outbox.ts';
import { OutboxMirror } from '../../../renderer/src/shared/outbox-mirror.ts';

function item(id: string, state: QueueState = 'queued', attempts = 0): QueueItem {
  return {
    id,
    messageId: `<${id}@example.org>`,
    accountId: 'work',
    from: 'ann@example.org',
    subject: id,
    recipients: [{ address: 'bob@example.com', kind: 'to', state: 'pending' }],
    state,
    attempts,
    createdAt: '2026-01-01T00:00:00.000Z',
    sizeBytes: 100,
    attachmentCount: 0,
  };
}

type Step = { page: QueueItem[] } | { event: OutboxChanged } | 'complete';

function replay(steps: readonly Step[]): Record<string, string> {
  const mirror = new OutboxMirror();
  for (const step of steps) {
    if (step === 'complete') mirror.complete();
    else if ('page' in step) mirror.page(step.page);
    else mirror.change(step.event);
  }
  return Object.fromEntries([...mirror.snapshot()].map(([id, each]) => [id, each.state]));
}

const upsert = (...items: QueueItem[]): Step => ({ event: { upserted: items, removed: [] } });
const remove = (...ids: string[]): Step => ({ event: { upserted: [], removed: ids } });

describe('OutboxMirror: pages and events in the order they arrive', () => {
  it.each<{ name: string; steps: Step[]; expected: Record<string, string> }>([
    {
      name: 'pages add up',
      steps: [{ page: [item('a'), item('b')] }, { page: [item('c')] }, 'complete'],
      expected: { a: 'queued', b: 'queued', c: 'queued' },
    },
    {
      name: 'an event before the first page wins over the page (the page was read before it went out)',
      steps: [upsert(item('a', 'deferred', 1)), { page: [item('a'), item('b')] }, 'complete'],
      expected: { a: 'deferred', b: 'queued' },
    },
    {
      name: 'an event between pages wins over a later page’s older copy',
      steps: [{ page: [item('a')] }, upsert(item('b', 'sending')), { page: [item('b')] }, 'complete'],
      expected: { a: 'queued', b: 'sending' },
    },
    {
      name: 'a removal between pages is not undone by a later page',
      steps: [{ page: [item('a')] }, remove('b'), { page: [item('b'), item('c')] }, 'complete'],
      expected: { a: 'queued', c: 'queued' },
    },
    {
      name: 'a removal before the first page is not undone by it',
      steps: [remove('a'), { page: [item('a'), item('b')] }, 'complete'],
      expected: { b: 'queued' },
    },
    {
      name: 'a message queued while pages come (above the cursor: no page brings it)',
      steps: [{ page: [item('a')] }, upsert(item('new')), { page: [item('b')] }, 'complete'],
      expected: { a: 'queued', new: 'queued', b: 'queued' },
    },
    {
      name: 'an event after a page updates that page’s copy',
      steps: [{ page: [item('a')] }, upsert(item('a', 'failed', 3)), 'complete'],
      expected: { a: 'failed' },
    },
    {
      name: 'once complete, events alone change it (a message removed then queued again)',
      steps: [{ page: [item('a')] }, 'complete', remove('a'), upsert(item('a', 'queued'))],
      expected: { a: 'queued' },
    },
  ])('$name', ({ steps, expected }) => {
    expect(replay(steps)).toEqual(expected);
  });
});
