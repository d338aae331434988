import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../../preload/contract/errors.ts';
import type { QueueState, RecipientStatus } from '../../../../preload/contract/outbox.ts';
import {
  decideOutcome,
  outcomeUnsaved,
  recoveredAfterCrash,
  type AccountEffect,
  type NextState,
  type OutcomeContext,
} from '../../../../main/outbox/delivery/decide-outcome.ts';
import type { AttemptResult } from '../../../../main/outbox/delivery/delivery-agent.ts';
import {
  decodeFrames,
  encodeFrame,
  MAX_HEADER_BYTES,
} from '../../../../main/outbox/store/queue-log-format.ts';
import type { FailureClass, SmtpFailure } from '../../../../main/smtp/smtp-failure.ts';
import { sampleRecord } from '../../../support/sample-record.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const now = Date.parse('2026-01-05T09:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();
const ADDRESSES = ['ann@example.net', 'bob@example.net'];

const record = (extra: { needsSmtpUtf8?: boolean; attempts?: number } = {}) =>
  sampleRecord('m1', {
    recipients: ADDRESSES.map((address) => ({ address, kind: 'to', state: 'pending' })),
    ...extra,
  });

function failed(
  cls: FailureClass,
  code: ErrorCode,
  responseCode?: number,
  handedOver = false,
): AttemptResult {
  const failure: SmtpFailure = {
    class: cls,
    code,
    message: `failure ${code}`,
    ...(responseCode === undefined ? {} : { responseCode, response: `${responseCode} words` }),
  };
  return { kind: 'failed', failure, handedOver };
}

/** The server's answer per recipient, in ADDRESSES order: 250 accepted, 4xx deferred, 5xx rejected. */
function answered(...replies: number[]): AttemptResult {
  const states: Record<number, RecipientStatus['state']> = { 2: 'accepted', 4: 'deferred', 5: 'rejected' };
  const recipients = replies.map((reply, i): RecipientStatus => ({
    address: ADDRESSES[i] ?? '',
    kind: 'to',
    state: states[Math.floor(reply / 100)] ?? 'pending',
    reply: `${reply} words`,
  }));
  return { kind: 'answered', recipients, reply: '250 done' };
}

interface Row {
  readonly name: string;
  readonly result: AttemptResult;
  readonly autoResend?: boolean;
  readonly needsSmtpUtf8?: boolean;
  /** Online time spent before this attempt; the lifetime is 1 hour. */
  readonly spentMs?: number;
  readonly accountBlocks?: number;
  readonly next: NextState['kind'];
  readonly state: QueueState;
  readonly error: ErrorCode | undefined;
  /** Whether the attempt counts (offline and account trouble do not spend one). */
  readonly counted: boolean;
  /** Delay before the next attempt: a number of ms, 'none' (no next attempt), 'unchanged'. */
  readonly retryIn: number | 'none' | 'unchanged';
  readonly account: AccountEffect['kind'];
  readonly blockedFor?: number;
  readonly notice: string | undefined;
  readonly lastReply?: string;
}

/** No jitter, no automatic resend, an hour's lifetime, nothing spent yet. */
const PLAIN_CONTEXT: OutcomeContext = {
  now,
  random: () => 0.5,
  settings: { autoResendUnconfirmed: false, retryLifetimeHours: 1 },
  onlineMsSpent: 0,
  accountBlocks: 0,
};

const LIFETIME_SPENT = HOUR;
const SENT = 'Sent';
const NOT_SENT = 'Message not sent';
const UNCONFIRMED = 'Delivery unconfirmed';
const ATTENTION = 'An account needs attention';

// With random 0.5 the jitter is nil: the first backoff is 1 minute, doubling per failure.
const rows: Row[] = [
  // -- the server answered for each recipient
  {
    name: 'all accepted',
    result: answered(250, 250),
    ...{ next: 'sent', state: 'queued', error: undefined, counted: true, retryIn: 'unchanged' },
    ...{ account: 'reachable', notice: SENT, lastReply: '250 done' },
  },
  {
    name: 'one accepted, one refused for good',
    result: answered(250, 550),
    ...{ next: 'sent', state: 'queued', error: undefined, counted: true, retryIn: 'unchanged' },
    ...{ account: 'reachable', notice: SENT },
  },
  {
    name: 'every recipient refused',
    result: answered(550, 550),
    ...{ next: 'save', state: 'failed', error: 'recipient_rejected', counted: true, retryIn: 'none' },
    ...{ account: 'reachable', notice: NOT_SENT },
  },
  {
    name: 'every recipient refused with 553, addresses need SMTPUTF8',
    result: answered(553, 550),
    needsSmtpUtf8: true,
    ...{ next: 'save', state: 'failed', error: 'smtputf8_unsupported', counted: true, retryIn: 'none' },
    ...{ account: 'reachable', notice: NOT_SENT },
  },
  {
    name: 'every recipient refused with 555, addresses need SMTPUTF8',
    result: answered(555, 550),
    needsSmtpUtf8: true,
    ...{ next: 'save', state: 'failed', error: 'smtputf8_unsupported', counted: true, retryIn: 'none' },
    ...{ account: 'reachable', notice: NOT_SENT },
  },
  {
    name: 'every recipient refused with 553, plain ASCII addresses',
    result: answered(553, 553),
    ...{ next: 'save', state: 'failed', error: 'recipient_rejected', counted: true, retryIn: 'none' },
    ...{ account: 'reachable', notice: NOT_SENT },
  },
  {
    name: 'one accepted, one to try later',
    result: answered(250, 451),
    ...{ next: 'save', state: 'deferred', error: 'server_deferred', counted: true, retryIn: MIN },
    ...{ account: 'reachable', notice: undefined },
  },
  {
    name: 'one refused, one to try later',
    result: answered(550, 452),
    ...{ next: 'save', state: 'deferred', error: 'server_deferred', counted: true, retryIn: MIN },
    ...{ account: 'reachable', notice: undefined },
  },
  {
    name: 'some to try later, lifetime spent',
    result: answered(250, 451),
    spentMs: LIFETIME_SPENT,
    ...{ next: 'save', state: 'failed', error: 'server_deferred', counted: true, retryIn: 'none' },
    ...{ account: 'reachable', notice: NOT_SENT },
  },
  // -- the message as a whole failed, before the hand-over
  {
    name: 'offline',
    result: failed('offline', 'offline'),
    ...{ next: 'save', state: 'queued', error: 'offline', counted: false, retryIn: 'unchanged' },
    ...{ account: 'offline', notice: undefined },
  },
  {
    name: 'the keychain cannot be reached from this process: the account waits, nothing is blamed',
    result: failed('process', 'keychain_unavailable'),
    ...{ next: 'save', state: 'queued', error: 'keychain_unavailable', counted: false, retryIn: 'unchanged' },
    ...{ account: 'blocked', blockedFor: MIN, notice: undefined },
  },
  {
    name: 'the keychain still unreachable the third time: the account waits longer',
    result: failed('process', 'keychain_locked'),
    accountBlocks: 2,
    ...{ next: 'save', state: 'queued', error: 'keychain_locked', counted: false, retryIn: 'unchanged' },
    ...{ account: 'blocked', blockedFor: 4 * MIN, notice: undefined },
  },
  {
    name: 'the host name does not exist: counted, and the account waits',
    result: failed('deferred', 'dns_failed'),
    ...{ next: 'save', state: 'deferred', error: 'dns_failed', counted: true, retryIn: MIN },
    ...{ account: 'blocked', blockedFor: MIN, notice: undefined },
  },
  {
    name: 'encryption not available (STARTTLS refused with 454): held, not deferred',
    result: failed('attention', 'starttls_unavailable', 454),
    ...{ next: 'save', state: 'queued', error: 'starttls_unavailable', counted: false, retryIn: 'unchanged' },
    ...{ account: 'needs_attention', notice: ATTENTION },
  },
  {
    name: 'credentials refused (535)',
    result: failed('attention', 'auth_failed', 535),
    ...{ next: 'save', state: 'queued', error: 'auth_failed', counted: false, retryIn: 'unchanged' },
    ...{ account: 'needs_attention', notice: ATTENTION },
  },
  {
    name: 'refused for good (550)',
    result: failed('permanent', 'server_rejected', 550),
    ...{ next: 'save', state: 'failed', error: 'server_rejected', counted: true, retryIn: 'none' },
    ...{ account: 'none', notice: NOT_SENT, lastReply: '550 words' },
  },
  {
    name: 'stored bytes unreadable',
    result: failed('local', 'storage_failed'),
    ...{
      next: 'save_unless_set_aside',
      state: 'deferred',
      error: 'storage_failed',
      counted: true,
      retryIn: MIN,
    },
    ...{ account: 'none', notice: undefined },
  },
  {
    name: 'stored bytes unreadable, lifetime spent',
    result: failed('local', 'storage_failed'),
    spentMs: LIFETIME_SPENT,
    ...{
      next: 'save_unless_set_aside',
      state: 'failed',
      error: 'storage_failed',
      counted: true,
      retryIn: 'none',
    },
    ...{ account: 'none', notice: NOT_SENT },
  },
  {
    name: 'try later (451): this message only',
    result: failed('deferred', 'server_deferred', 451),
    ...{ next: 'save', state: 'deferred', error: 'server_deferred', counted: true, retryIn: MIN },
    ...{ account: 'none', notice: undefined, lastReply: '451 words' },
  },
  {
    name: 'closing (421): the whole account waits',
    result: failed('deferred', 'server_deferred', 421),
    ...{ next: 'save', state: 'deferred', error: 'server_deferred', counted: true, retryIn: MIN },
    ...{ account: 'blocked', blockedFor: MIN, notice: undefined, lastReply: '421 words' },
  },
  {
    name: 'closing (421) for the third time in a row: the account waits longer',
    result: failed('deferred', 'server_deferred', 421),
    accountBlocks: 2,
    ...{ next: 'save', state: 'deferred', error: 'server_deferred', counted: true, retryIn: MIN },
    ...{ account: 'blocked', blockedFor: 4 * MIN, notice: undefined },
  },
  {
    name: 'no answer in time: the whole account waits',
    result: failed('deferred', 'timeout'),
    ...{ next: 'save', state: 'deferred', error: 'timeout', counted: true, retryIn: MIN },
    ...{ account: 'blocked', blockedFor: MIN, notice: undefined },
  },
  {
    name: 'connection refused, lifetime spent',
    result: failed('deferred', 'connection_refused'),
    spentMs: LIFETIME_SPENT,
    ...{ next: 'save', state: 'failed', error: 'connection_refused', counted: true, retryIn: 'none' },
    ...{ account: 'blocked', blockedFor: MIN, notice: NOT_SENT },
  },
  // -- after the hand-over: without a reply the server may have the message (RFC 1047)
  {
    name: 'handed over, connection lost',
    result: failed('deferred', 'connection_failed', undefined, true),
    ...{ next: 'save', state: 'unconfirmed', error: 'connection_failed', counted: true, retryIn: 0 },
    ...{ account: 'none', notice: UNCONFIRMED },
  },
  {
    name: 'handed over, connection lost, resending unconfirmed on its own',
    result: failed('deferred', 'timeout', undefined, true),
    autoResend: true,
    ...{ next: 'save', state: 'deferred', error: 'connection_failed', counted: true, retryIn: 0 },
    ...{ account: 'none', notice: undefined },
  },
  {
    name: 'handed over, then offline',
    result: failed('offline', 'offline', undefined, true),
    ...{ next: 'save', state: 'unconfirmed', error: 'connection_failed', counted: true, retryIn: 0 },
    ...{ account: 'none', notice: UNCONFIRMED },
  },
  {
    name: 'handed over, then this computer failed',
    result: failed('local', 'storage_failed', undefined, true),
    ...{ next: 'save', state: 'unconfirmed', error: 'connection_failed', counted: true, retryIn: 0 },
    ...{ account: 'none', notice: UNCONFIRMED },
  },
  {
    name: 'handed over, refused after the dot (554)',
    result: failed('permanent', 'server_rejected', 554, true),
    ...{ next: 'save', state: 'failed', error: 'server_rejected', counted: true, retryIn: 'none' },
    ...{ account: 'none', notice: NOT_SENT },
  },
  {
    name: 'handed over, try later after the dot (451)',
    result: failed('deferred', 'server_deferred', 451, true),
    ...{ next: 'save', state: 'deferred', error: 'server_deferred', counted: true, retryIn: MIN },
    ...{ account: 'none', notice: undefined },
  },
  {
    name: 'stored bytes damaged: set aside before any server was asked',
    result: { kind: 'damaged', reason: 'its message file no longer matches what was queued' },
    ...{ next: 'set_aside', state: 'queued', error: undefined, counted: false, retryIn: 'unchanged' },
    ...{ account: 'none', notice: undefined },
  },
  {
    name: 'handed over, closing after the dot (421)',
    result: failed('deferred', 'server_deferred', 421, true),
    ...{ next: 'save', state: 'deferred', error: 'server_deferred', counted: true, retryIn: MIN },
    ...{ account: 'blocked', blockedFor: MIN, notice: undefined },
  },
];

describe('decideOutcome', () => {
  it.each(rows)('$name', (row) => {
    const before = record({ needsSmtpUtf8: row.needsSmtpUtf8 ?? false });
    const outcome = decideOutcome(before, row.result, {
      now,
      random: () => 0.5,
      settings: { autoResendUnconfirmed: row.autoResend ?? false, retryLifetimeHours: 1 },
      onlineMsSpent: row.spentMs ?? 0,
      accountBlocks: row.accountBlocks ?? 0,
    });
    const next = outcome.next.record;
    expect({
      next: outcome.next.kind,
      state: next.state,
      error: next.lastError?.code,
      attempts: next.attempts,
      nextAttemptAt: next.nextAttemptAt,
      account: outcome.account.kind,
      notice: outcome.notice?.title,
    }).toEqual({
      next: row.next,
      state: row.state,
      error: row.error,
      attempts: row.counted ? 1 : 0,
      nextAttemptAt:
        row.retryIn === 'unchanged'
          ? before.nextAttemptAt
          : row.retryIn === 'none'
            ? undefined
            : iso(now + row.retryIn),
      account: row.account,
      notice: row.notice,
    });
    if (row.counted) expect(next.lastTriedAt).toBe(iso(now));
    if (outcome.account.kind === 'blocked') {
      expect(outcome.account).toEqual({
        kind: 'blocked',
        blocks: (row.accountBlocks ?? 0) + 1,
        until: now + (row.blockedFor ?? NaN),
      });
    }
    if (row.lastReply !== undefined) expect(next.lastReply).toBe(row.lastReply);
  });

  it.each([
    [['ann@example.net'], [250], '“subject m1” to ann@example.net'],
    [ADDRESSES, [250, 250], '“subject m1” to ann@example.net, bob@example.net'],
    [ADDRESSES, [250, 550], '“subject m1” to ann@example.net (refused by 1)'],
    [
      ['a@example.net', 'b@example.net', 'c@example.net', 'd@example.net'],
      [250, 250, 250, 250],
      '“subject m1” to a@example.net, b@example.net and 2 more',
    ],
  ])('a sent message is told: to %j answering %j → %s', (addresses, replies, body) => {
    const before = sampleRecord('m1', {
      recipients: addresses.map((address) => ({ address, kind: 'to', state: 'pending' })),
    });
    const result: AttemptResult = {
      kind: 'answered',
      recipients: addresses.map((address, i) => ({
        address,
        kind: 'to',
        state: replies[i] === 250 ? 'accepted' : 'rejected',
        reply: `${replies[i] ?? 0} words`,
      })),
      reply: '250 done',
    };
    expect(decideOutcome(before, result, PLAIN_CONTEXT).notice).toEqual({
      kind: 'sent',
      title: 'Sent',
      body,
    });
  });

  it('merges the recipients answered into the message, leaving those not tried as they were', () => {
    const before = sampleRecord('m1', {
      recipients: [
        { address: 'ann@example.net', kind: 'to', state: 'accepted', reply: '250 earlier' },
        { address: 'bob@example.net', kind: 'cc', state: 'deferred', reply: '451 earlier' },
      ],
    });
    const result: AttemptResult = {
      kind: 'answered',
      recipients: [{ address: 'bob@example.net', kind: 'cc', state: 'accepted', reply: '250 now' }],
      reply: '250 done',
    };
    const outcome = decideOutcome(before, result, {
      now,
      random: () => 0.5,
      settings: { autoResendUnconfirmed: false, retryLifetimeHours: 1 },
      onlineMsSpent: 5_000,
      accountBlocks: 0,
    });
    expect(outcome.next.kind).toBe('sent');
    expect(outcome.next.record.recipients.map((r) => r.reply)).toEqual(['250 earlier', '250 now']);
    expect(outcome.next.record.onlineMsSpent).toBe(5_000);
  });

  it('keeps each reply and error clipped, whatever the server says, so the record stays storable', () => {
    const long = (code: number) => `${code} 5.1.1 ${'\x01'.repeat(5_000)}`;
    // An earlier build kept a reply verbatim: clipped too when the record is next written.
    const before = sampleRecord('m1', {
      recipients: [
        { address: 'ann@example.net', kind: 'to', state: 'pending' },
        { address: 'bob@example.net', kind: 'to', state: 'deferred', reply: long(451) },
      ],
    });
    const rejected: AttemptResult = {
      kind: 'answered',
      recipients: [{ address: 'ann@example.net', kind: 'to', state: 'rejected', reply: long(550) }],
      reply: long(550),
    };
    const refused: AttemptResult = {
      kind: 'failed',
      handedOver: false,
      failure: {
        class: 'permanent',
        code: 'server_rejected',
        message: long(554),
        responseCode: 554,
        response: long(554),
      },
    };
    const stored = (text: string | undefined) => Buffer.byteLength(JSON.stringify(text ?? ''));
    for (const result of [rejected, refused]) {
      const next = decideOutcome(before, result, PLAIN_CONTEXT).next.record;
      const replies = [next.lastReply, ...next.recipients.map((r) => r.reply)];
      expect(next.lastReply).toBeDefined();
      for (const reply of replies.filter((r) => r !== undefined)) {
        expect(reply.endsWith('…')).toBe(true);
        expect(stored(reply)).toBeLessThanOrEqual(512 + 2);
      }
      expect(next.lastError?.message.length).toBeLessThanOrEqual(1024);
    }
  });

  it.each([
    ['short addresses: a share of each reply is kept', 'example.net', true],
    ['66-character addresses: no room is left for replies', `${'d'.repeat(45)}.example`, false],
  ])(
    'keeps a record an earlier build queued with 9000 recipients storable as they are all refused (%s)',
    (_name, domain, kept) => {
      const addresses = Array.from(
        { length: 9_000 },
        (_, i) => `member-${String(i).padStart(6, '0')}@${domain}`,
      );
      const before = sampleRecord('m1', {
        recipients: addresses.map((address) => ({ address, kind: 'to', state: 'pending' })),
      });
      // It could be read back: a frame no larger than readers take.
      expect(encodeFrame({ op: 'put', rev: 1, record: before }).readUInt32BE(4)).toBeLessThan(
        MAX_HEADER_BYTES,
      );
      const result: AttemptResult = {
        kind: 'answered',
        recipients: addresses.map((address) => ({
          address,
          kind: 'to',
          state: 'rejected',
          reply: `550 5.1.1 <${address}> ${'no such user; '.repeat(40)}`,
        })),
        reply: '550 no',
      };
      const next = decideOutcome(before, result, PLAIN_CONTEXT).next.record;
      expect(next.state).toBe('failed');
      expect(next.recipients.every((r) => r.state === 'rejected')).toBe(true);
      const replies = next.recipients.map((r) => r.reply);
      expect(
        replies.every((reply) => (kept ? reply?.startsWith('550 5.1.1 <member-') : reply === undefined)),
      ).toBe(true);
      const put = encodeFrame({ op: 'put', rev: 2, record: next });
      expect(put.readUInt32BE(4)).toBeLessThanOrEqual(MAX_HEADER_BYTES);
      expect(decodeFrames(put).frames).toHaveLength(1);
    },
  );

  it('tells the user of an account that needs attention with the failure’s own words', () => {
    const outcome = decideOutcome(record(), failed('attention', 'auth_failed', 535), {
      now,
      random: () => 0.5,
      settings: { autoResendUnconfirmed: false, retryLifetimeHours: 1 },
      onlineMsSpent: 0,
      accountBlocks: 0,
    });
    expect(outcome.account).toEqual({
      kind: 'needs_attention',
      error: { code: 'auth_failed', message: 'failure auth_failed' },
    });
    expect(outcome.notice).toEqual({ kind: 'attention', title: ATTENTION, body: 'failure auth_failed' });
  });
});

describe('outcomeUnsaved', () => {
  it.each([
    // hand-over mark, attempts logged, state shown, error, no attempt before
    [undefined, 0, 'deferred', 'storage_failed', now + MIN],
    [1, 1, 'deferred', 'storage_failed', now + 2 * MIN],
    [2, 1, 'unconfirmed', 'connection_failed', Infinity],
    [1, 0, 'unconfirmed', 'connection_failed', Infinity],
  ] as const)('with mark %s after %i logged attempt(s): %s', (mark, attempts, state, error, until) => {
    const logged = record({ attempts });
    const held = outcomeUnsaved(logged, mark, { now, random: () => 0.5 });
    expect(held.until).toBe(until);
    expect(held.record.state).toBe(state);
    expect(held.record.lastError?.code).toBe(error);
    expect(held.record.attempts).toBe(mark !== undefined && mark > attempts ? mark : attempts);
  });
});

describe('recoveredAfterCrash', () => {
  it.each([
    // hand-over mark, attempts logged, resend on its own, state after
    [undefined, 0, false, undefined],
    [1, 1, false, undefined],
    [1, 2, false, undefined],
    [1, 0, false, 'unconfirmed'],
    [3, 2, false, 'unconfirmed'],
    [1, 0, true, 'deferred'],
  ] as const)(
    'with mark %s after %i logged attempt(s), auto-resend %s: %s',
    (mark, attempts, resend, state) => {
      const recovered = recoveredAfterCrash(record({ attempts }), mark, {
        now,
        autoResendUnconfirmed: resend,
      });
      expect(recovered?.state).toBe(state);
      if (recovered) {
        expect(recovered.attempts).toBe(attempts + 1);
        expect(recovered.nextAttemptAt).toBe(iso(now));
        expect(recovered.lastError?.code).toBe('connection_failed');
      }
    },
  );
});
