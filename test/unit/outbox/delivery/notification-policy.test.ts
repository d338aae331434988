import { describe, expect, it } from 'vitest';
import type { Notice } from '../../../../main/outbox/delivery/decide-outcome.ts';
import {
  coalesceNotices,
  MAX_WAIT_MS,
  QUIET_MS,
} from '../../../../main/outbox/delivery/notification-policy.ts';
import { Notifier } from '../../../../main/outbox/delivery/notifier.ts';
import { createFakeClock } from '../../../support/fake-clock.ts';

const sent = (subject: string): Notice => ({
  kind: 'sent',
  title: 'Sent',
  body: `“${subject}” to ann@example.net`,
});
const failed = (subject: string): Notice => ({
  kind: 'failed',
  title: 'Message not sent',
  body: `“${subject}”: refused`,
});
const attention = (why: string): Notice => ({
  kind: 'attention',
  title: 'An account needs attention',
  body: why,
});
const unconfirmed = (subject: string): Notice => ({
  kind: 'unconfirmed',
  title: 'Delivery unconfirmed',
  body: `“${subject}” may or may not have been delivered.`,
});

describe('coalesceNotices', () => {
  it.each<[string, Notice[], string[]]>([
    ['nothing', [], []],
    ['one sent message, as it is', [sent('a')], ['Sent: “a” to ann@example.net']],
    ['three sent, as their count', [sent('a'), sent('b'), sent('c')], ['Sent: 3 messages sent']],
    [
      'kinds apart, in the order they first came',
      [failed('x'), sent('a'), failed('y'), sent('b')],
      ['Messages not sent: 2 messages could not be sent', 'Sent: 2 messages sent'],
    ],
    [
      'one of a kind beside many of another',
      [sent('a'), sent('b'), failed('x')],
      ['Sent: 2 messages sent', 'Message not sent: “x”: refused'],
    ],
    [
      'the same account trouble twice, once',
      [attention('Sign-in refused'), attention('Sign-in refused')],
      ['An account needs attention: Sign-in refused'],
    ],
    [
      'two different account troubles',
      [attention('Sign-in refused'), attention('Untrusted certificate')],
      ['Accounts need attention: 2 accounts need attention'],
    ],
    [
      'several unconfirmed',
      [unconfirmed('a'), unconfirmed('b')],
      ['Delivery unconfirmed: 2 messages may or may not have been delivered'],
    ],
  ])('%s', (_name, notices, shown) => {
    expect(coalesceNotices(notices).map((n) => `${n.title}: ${n.body}`)).toEqual(shown);
  });
});

describe('Notifier: a burst is shown once it ends', () => {
  /** Notices arriving at the given ms (from 0); what is shown, and when. */
  function run(arrivals: readonly (readonly [number, Notice])[], wanted = true): string[] {
    const clock = createFakeClock(0);
    const shown: string[] = [];
    const notifier = new Notifier({
      clock,
      wanted: () => wanted,
      show: (n) => shown.push(`${clock.now()} ${n.body}`),
    });
    for (const [at, notice] of arrivals) {
      clock.advance(at - clock.now());
      notifier.notify(notice);
    }
    clock.advance(10 * MAX_WAIT_MS);
    return shown;
  }

  it.each<[string, [number, Notice][], string[]]>([
    ['one notice, after the quiet time', [[0, sent('a')]], [`${QUIET_MS} “a” to ann@example.net`]],
    [
      'a burst, as one, a quiet time after its last',
      [
        [0, sent('a')],
        [500, sent('b')],
        [1_500, sent('c')],
      ],
      [`${1_500 + QUIET_MS} 3 messages sent`],
    ],
    [
      'two bursts apart, each by itself',
      [
        [0, sent('a')],
        [QUIET_MS + 1, sent('b')],
      ],
      [`${QUIET_MS} “a” to ann@example.net`, `${2 * QUIET_MS + 1} “b” to ann@example.net`],
    ],
    [
      'a burst that goes on is shown at the longest wait, and the rest after it',
      Array.from({ length: 12 }, (_, i): [number, Notice] => [i * 1_000, sent(String(i))]),
      [`${MAX_WAIT_MS} 10 messages sent`, `${11_000 + QUIET_MS} 2 messages sent`],
    ],
  ])('%s', (_name, arrivals, shown) => {
    expect(run(arrivals)).toEqual(shown);
  });

  it('shows nothing when notifications are off', () => {
    expect(run([[0, sent('a')]], false)).toEqual([]);
  });

  it('shows what it holds at once when flushed (the outbox stops)', () => {
    const shown: string[] = [];
    const notifier = new Notifier({
      clock: createFakeClock(0),
      wanted: () => true,
      show: (n) => shown.push(n.body),
    });
    notifier.notify(sent('a'));
    notifier.notify(failed('x'));
    notifier.flush();
    expect(shown).toEqual(['“a” to ann@example.net', '“x”: refused']);
  });
});
