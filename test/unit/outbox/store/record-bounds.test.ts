import fsp from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { isValidAddress, MAX_ADDRESS_OCTETS } from '../../../../preload/contract/address.ts';
import { MAX_RECIPIENTS } from '../../../../preload/contract/compose.ts';
import { MAX_LINE_LENGTH } from '../../../../preload/contract/primitives.ts';
import { nodeFileSystem } from '../../../../main/files/atomic-file.ts';
import {
  decodeFrames,
  encodeFrame,
  MAX_HEADER_BYTES,
} from '../../../../main/outbox/store/queue-log-format.ts';
import { queuePaths } from '../../../../main/outbox/store/queue-paths.ts';
import { queueRecord, type QueueRecord } from '../../../../main/outbox/store/queue-record.ts';
import {
  boundedRecord,
  clipText,
  jsonBytes,
  MAX_DISPLAY_CHARS,
  MAX_ERROR_MESSAGE_CHARS,
  MAX_REPLY_JSON_BYTES,
} from '../../../../main/outbox/store/record-bounds.ts';
import { createQueueStore } from '../../../../main/outbox/store/queue-store.ts';
import { sentRecordOf } from '../../../../main/sent/sent-history.ts';
import { makeDataDir } from '../../../support/outbox-fixture.ts';
import { loggedEntries } from '../../../support/queue-on-disk.ts';
import { sampleRecord } from '../../../support/sample-record.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** What JSON.stringify makes of `text`, in UTF-8 bytes, quotes not counted. */
const stored = (text: string) => Buffer.byteLength(JSON.stringify(text)) - 2;

/** The code points JSON escapes or encodes longest: controls, quote, backslash, lone surrogates, astral. */
const NASTY = ['\x01', '\t', '"', '\\', '\ud800', '\udfff', 'é', '€', '😀', 'a', '\u2028'];

describe('clipping a stored text', () => {
  it('counts what JSON.stringify writes, escapes included, for every kind of code point', () => {
    for (const char of NASTY) expect([char, jsonBytes(char)]).toEqual([char, stored(char)]);
    const mixed = NASTY.join('').repeat(7);
    expect(jsonBytes(mixed)).toBe(stored(mixed));
  });

  it('keeps short texts, and cuts long ones with an ellipsis within both bounds', () => {
    expect(clipText('550 no such user', { maxJsonBytes: 512 })).toBe('550 no such user');
    expect(clipText('x'.repeat(998), { maxChars: 998 })).toBe('x'.repeat(998));
    expect(clipText('x'.repeat(999), { maxChars: 998 })).toBe(`${'x'.repeat(997)}…`);
    for (const char of NASTY) {
      for (const length of [100, 511, 512, 513, 5_000]) {
        const text = char.repeat(length);
        const byBytes = clipText(text, { maxJsonBytes: MAX_REPLY_JSON_BYTES });
        expect(stored(byBytes)).toBeLessThanOrEqual(MAX_REPLY_JSON_BYTES);
        const byChars = clipText(text, { maxChars: MAX_DISPLAY_CHARS });
        expect(byChars.length).toBeLessThanOrEqual(MAX_DISPLAY_CHARS);
        for (const clipped of [byBytes, byChars]) {
          if (clipped !== text) expect(clipped.endsWith('…')).toBe(true);
          // Never half a surrogate pair: the kept part is the text's own start.
          expect(text.startsWith(clipped.slice(0, -1)) || clipped === text).toBe(true);
        }
      }
    }
    expect(clipText('😀'.repeat(600), { maxChars: 998 })).toBe(`${'😀'.repeat(498)}…`);
  });
});

const controls = (n: number) => '\x01'.repeat(n);

/**
 * The longest valid address that JSON stores largest: a 64-octet local part of lone surrogates
 * (3 octets each in UTF-8, 6 bytes as a JSON escape) and an ASCII domain (IDN domains are stored
 * as A-labels) filling the rest of RFC 5321's 254 octets. `n` makes each one different.
 */
function worstAddress(n: number): string {
  const local = `${'\ud800'.repeat(21)}a`;
  const tag = n.toString(36).padStart(4, '0');
  const domain = `${tag}${'a'.repeat(59)}.${'b'.repeat(63)}.${'c'.repeat(MAX_ADDRESS_OCTETS - 64 - 1 - 128)}`;
  return `${local}@${domain}`;
}

/** Every field at its bound, every text made of what JSON escapes longest, every reply as long as can be. */
function worstRecord(): QueueRecord {
  const recipients = Array.from({ length: MAX_RECIPIENTS }, (_, i) => ({
    address: worstAddress(i),
    kind: 'bcc' as const,
    state: 'rejected' as const,
    reply: `550 ${controls(10_000)} ${i}`,
  }));
  const big = Number.MAX_SAFE_INTEGER;
  const time = '2026-12-31T23:59:59.999+14:00';
  return boundedRecord({
    version: 1,
    id: 'i'.repeat(128),
    messageId: controls(MAX_LINE_LENGTH),
    accountId: 'a'.repeat(128),
    from: controls(1_000_000),
    subject: controls(1_000_000),
    recipients,
    state: 'needs_attention',
    attempts: big,
    createdAt: time,
    sendAt: time,
    nextAttemptAt: time,
    undoUntil: time,
    lastReply: controls(1_000_000),
    lastError: { code: 'smtputf8_unsupported', message: controls(1_000_000), field: `recipients.${big}` },
    attachmentCount: big,
    envelopeFrom: worstAddress(99_999),
    sizeBytes: big,
    onlineMsSpent: big,
    lastTriedAt: time,
    needsSmtpUtf8: true,
    fromField: controls(4096),
    storedSizeBytes: big,
    bodySha256: 'f'.repeat(64),
  });
}

describe('the largest record there can be', () => {
  it('fits in one frame, as a put and as the removal that carries its sent record', () => {
    expect(isValidAddress(worstAddress(0))).toBe(true);
    const record = worstRecord();
    expect(queueRecord.parse(record)).toEqual(record);
    expect(record.recipients.every((r) => stored(r.reply ?? '') <= MAX_REPLY_JSON_BYTES)).toBe(true);
    expect(record.subject.length).toBe(MAX_DISPLAY_CHARS);
    expect(record.lastError?.message.length).toBe(MAX_ERROR_MESSAGE_CHARS);

    const put = encodeFrame({ op: 'put', rev: Number.MAX_SAFE_INTEGER, record });
    const del = encodeFrame({
      op: 'del',
      id: record.id,
      rev: Number.MAX_SAFE_INTEGER,
      sent: sentRecordOf(record, 253_402_300_799_999, { marked: true }),
      at: Number.MAX_SAFE_INTEGER,
    });
    for (const frame of [put, del]) {
      expect(frame.readUInt32BE(4)).toBeLessThanOrEqual(MAX_HEADER_BYTES);
      expect(decodeFrames(frame).frames).toHaveLength(1);
    }
  });
});

describe('a frame no reader would accept', () => {
  const tooLarge = () => sampleRecord('toolarge', { subject: 's'.repeat(MAX_HEADER_BYTES) });

  it('is refused by the writer with message_too_large', () => {
    expect(() => encodeFrame({ op: 'put', rev: 1, record: tooLarge() })).toThrow(
      expect.objectContaining({ code: 'message_too_large' }),
    );
  });

  it('is never written: the save fails and nothing of it is in the log', async () => {
    const dataDir = await makeDataDir();
    cleanups.push(() => fsp.rm(dataDir, { recursive: true, force: true }));
    const store = createQueueStore(queuePaths(dataDir), {
      fs: nodeFileSystem,
      onQuarantine: () => undefined,
    });
    await store.init();
    cleanups.push(() => store.close());
    const record = tooLarge();
    await store.writeBytes(record.id, Buffer.from('Subject: s\r\n\r\nhi\r\n'));
    await expect(store.save(record)).rejects.toMatchObject({ code: 'message_too_large' });
    expect((await loggedEntries(dataDir)).filter((e) => e.op === 'put')).toEqual([]);
  });
});
