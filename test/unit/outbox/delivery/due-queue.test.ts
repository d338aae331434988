import { describe, expect, it } from 'vitest';
import { DueQueue } from '../../../../main/outbox/delivery/due-queue.ts';

const message = (id: string, accountId = 'work') => ({ id, accountId });

/** Every message the account has due, earliest first, taken out as the scheduler takes them. */
function drain(due: DueQueue, accountId = 'work'): { id: string; at: number }[] {
  const out: { id: string; at: number }[] = [];
  for (let next = due.peek(accountId); next; next = due.peek(accountId)) {
    out.push({ id: next.id, at: next.at });
    due.pop(accountId);
  }
  return out;
}

describe('due queue', () => {
  it('gives each account its messages earliest first, first pushed first among equals', () => {
    const due = new DueQueue(() => true);
    due.push(message('b'), 20);
    due.push(message('a'), 10);
    due.push(message('c'), 20);
    due.push(message('x', 'home'), 5);
    expect(drain(due)).toEqual([
      { id: 'a', at: 10 },
      { id: 'b', at: 20 },
      { id: 'c', at: 20 },
    ]);
    expect(drain(due, 'home')).toEqual([{ id: 'x', at: 5 }]);
  });

  it('keeps a message once: pushed again, its newest due time and account count', () => {
    const due = new DueQueue(() => true);
    due.push(message('a'), 10);
    due.push(message('a'), 10);
    due.push(message('b'), 15);
    due.push(message('a'), 30);
    due.push(message('c', 'work'), 40);
    due.push(message('c', 'home'), 40);
    expect(drain(due)).toEqual([
      { id: 'b', at: 15 },
      { id: 'a', at: 30 },
    ]);
    expect(drain(due, 'home')).toEqual([{ id: 'c', at: 40 }]);
  });

  it('drops a message that is no longer due, and takes it again when pushed anew', () => {
    const notDue = new Set(['a']);
    const due = new DueQueue((id) => !notDue.has(id));
    due.push(message('a'), 10);
    due.push(message('b'), 20);
    expect(due.peek('work')).toEqual(expect.objectContaining({ id: 'b' }));
    notDue.clear();
    // Its slot went with the look that found it not due: only a new push brings it back.
    expect(drain(due)).toEqual([{ id: 'b', at: 20 }]);
    due.push(message('a'), 10);
    expect(drain(due)).toEqual([{ id: 'a', at: 10 }]);
    expect(due.accounts()).toEqual([]);
  });
});
