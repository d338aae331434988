import { describe, expect, test } from 'vitest';
import { shownState } from '../../../main/outbox/shown-state.ts';

const attention = { code: 'auth_failed', message: 'The server refused the password.' } as const;

describe('the state a message is shown in', () => {
  test.each([
    // stored state, account, attempt under way → shown
    ['queued', { paused: false }, false, 'queued'],
    ['queued', { paused: false }, true, 'sending'],
    ['deferred', { paused: false }, true, 'sending'],
    ['queued', { paused: true }, false, 'held'],
    ['deferred', { paused: true }, false, 'held'],
    ['queued', { paused: false, attention }, false, 'needs_attention'],
    // Attention says more than a pause: the user has to fix it before resuming helps.
    ['deferred', { paused: true, attention }, false, 'needs_attention'],
    ['scheduled', { paused: true }, false, 'scheduled'],
    ['failed', { paused: false, attention }, false, 'failed'],
    ['unconfirmed', { paused: true }, false, 'unconfirmed'],
    // An account that is gone holds nothing back by itself.
    ['queued', undefined, false, 'queued'],
  ] as const)('%s, account %o, sending %s: %s', (state, account, sending, shown) => {
    expect(shownState(state, account, sending)).toBe(shown);
  });
});
