import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { NewerFormatError } from '../../../../main/files/versioned.ts';
import {
  decodeFrames,
  encodeFrame,
  logEntry,
  MAGIC,
  readBackCheckedEntry,
  type LogEntry,
} from '../../../../main/outbox/store/queue-log-format.ts';
import type { QueueRecord } from '../../../../main/outbox/store/queue-record.ts';
import { sampleRecord } from '../../../support/sample-record.ts';

const PREFIX_BYTES = 16;

const record = (id: string, sizeBytes: number): QueueRecord => sampleRecord(id, { sizeBytes });

const body = Buffer.from('From: me@example.org\r\nTo: ann@example.net\r\nSubject: hi\r\n\r\nHello\r\n');
const writer: LogEntry = { op: 'writer', pid: 4242, started: '123456' };
const putA: LogEntry = { op: 'put', rev: 1, record: record('a', body.length) };
const putB: LogEntry = { op: 'put', rev: 2, record: record('b', 10) };
const delA: LogEntry = { op: 'del', id: 'a', rev: 3 };
const seal: LogEntry = { op: 'seal' };

/** The frames one after another, with where each starts. */
function segment(...frames: Buffer[]): { bytes: Buffer; starts: number[] } {
  const starts: number[] = [];
  let at = 0;
  for (const frame of frames) {
    starts.push(at);
    at += frame.length;
  }
  return { bytes: Buffer.concat(frames), starts };
}

describe('queue log frames', () => {
  it('reads back every kind of entry, without a body and with one whose place points at its exact bytes', () => {
    const { bytes, starts } = segment(
      encodeFrame(writer),
      encodeFrame(putA, body),
      encodeFrame(putB),
      encodeFrame(delA),
      encodeFrame(seal),
    );
    const decoded = decodeFrames(bytes);

    expect(decoded.damaged).toEqual([]);
    expect(decoded.end).toBe(bytes.length);
    expect(decoded.frames.map((f) => f.entry)).toEqual([writer, putA, putB, delA, seal]);
    expect(decoded.frames.map((f) => f.at)).toEqual(starts);

    const withBody = decoded.frames[1];
    expect(withBody?.body).toBeDefined();
    const place = withBody?.body ?? { offset: 0, length: 0 };
    expect(place.length).toBe(body.length);
    expect(bytes.subarray(place.offset, place.offset + place.length)).toEqual(body);
    // The body is the tail of its frame: the next frame starts right after it.
    expect(place.offset + place.length).toBe(starts[2]);

    for (const i of [0, 2, 3, 4]) expect(decoded.frames[i]?.body).toBeUndefined();
  });

  it('leaves a frame cut short at the end for later, and reads it once the rest has been written', () => {
    const first = encodeFrame(putA, body);
    const second = encodeFrame(putB);
    const whole = Buffer.concat([first, second]);

    // Cut inside the second frame's fixed prefix, and inside its header.
    for (const cut of [first.length + 5, first.length + PREFIX_BYTES + 3, whole.length - 1]) {
      const partial = whole.subarray(0, cut);
      const decoded = decodeFrames(partial);
      expect(decoded.frames.map((f) => f.entry)).toEqual([putA]);
      expect(decoded.end).toBe(first.length);
      expect(decoded.damaged).toEqual([]);

      // Once the writer is known to be gone, a torn tail is still no damage: nothing follows it.
      const final = decodeFrames(partial, 0, true);
      expect(final.frames.map((f) => f.entry)).toEqual([putA]);
      expect(final.end).toBe(first.length);
      expect(final.damaged).toEqual([]);
    }

    // Reading goes on from `end` with the completed bytes.
    const rest = decodeFrames(whole.subarray(first.length), first.length);
    expect(rest.frames.map((f) => [f.entry, f.at])).toEqual([[putB, first.length]]);
    expect(rest.end).toBe(whole.length);
    expect(rest.damaged).toEqual([]);
  });

  it('stops at a length that runs past the end until the writer is gone, then skips it as damage', () => {
    const { bytes, starts } = segment(encodeFrame(putA, body), encodeFrame(putB), encodeFrame(delA));
    const damaged = Buffer.from(bytes);
    const second = starts[1] ?? 0;
    const third = starts[2] ?? 0;
    // The second frame's header length now claims more than the segment holds (but is plausible).
    damaged.writeUInt32BE(bytes.length, second + 4);

    const live = decodeFrames(damaged);
    expect(live.frames.map((f) => f.entry)).toEqual([putA]);
    expect(live.end).toBe(second);
    expect(live.damaged).toEqual([]);

    const final = decodeFrames(damaged, 0, true);
    expect(final.frames.map((f) => f.entry)).toEqual([putA, delA]);
    expect(final.damaged).toEqual([{ from: second, to: third }]);
    expect(final.end).toBe(bytes.length);
  });

  it('skips a middle frame with a damaged byte, reports its stretch, and reads the frames after it', () => {
    const { bytes, starts } = segment(
      encodeFrame(writer),
      encodeFrame(putA, body),
      encodeFrame(putB),
      encodeFrame(delA),
    );
    const second = starts[1] ?? 0;
    const third = starts[2] ?? 0;

    for (const where of [
      second + PREFIX_BYTES + 3, // the header's JSON
      third - 2, // the body
      second + 12, // the stored CRC
      second + 1, // the magic
    ]) {
      const damaged = Buffer.from(bytes);
      damaged[where] = (damaged[where] ?? 0) ^ 0x20;
      const decoded = decodeFrames(damaged);
      expect(decoded.frames.map((f) => f.entry)).toEqual([writer, putB, delA]);
      expect(decoded.frames.map((f) => f.at)).toEqual([starts[0], starts[2], starts[3]]);
      expect(decoded.damaged).toEqual([{ from: second, to: third }]);
      expect(decoded.end).toBe(bytes.length);
    }
  });

  it('skips a frame whose CRC holds but whose entry is not a valid one', () => {
    const json = Buffer.from(JSON.stringify({ op: 'put', rev: 0, record: { id: 'a' } }));
    const invalid = Buffer.alloc(PREFIX_BYTES + json.length);
    MAGIC.copy(invalid, 0);
    invalid.writeUInt32BE(json.length, 4);
    invalid.writeUInt32BE(0, 8);
    json.copy(invalid, PREFIX_BYTES);
    invalid.writeUInt32BE(crc32(json), 12);
    const { bytes, starts } = segment(invalid, encodeFrame(putB));

    const decoded = decodeFrames(bytes);
    expect(decoded.frames.map((f) => f.entry)).toEqual([putB]);
    expect(decoded.damaged).toEqual([{ from: 0, to: starts[1] }]);
    expect(decoded.end).toBe(bytes.length);
  });

  it('treats garbage with no whole frame after it as a torn tail, not damage', () => {
    const { bytes } = segment(encodeFrame(writer), encodeFrame(putA, body));
    const garbage = Buffer.concat([
      Buffer.from('not a frame at all'),
      MAGIC,
      Buffer.from([0, 0, 0, 9, 0, 0, 0, 0, 1, 2, 3, 4]),
      Buffer.from('{"op":"seal"}'),
      MAGIC,
    ]);
    for (const final of [false, true]) {
      const decoded = decodeFrames(Buffer.concat([bytes, garbage]), 0, final);
      expect(decoded.frames.map((f) => f.entry)).toEqual([writer, putA]);
      expect(decoded.end).toBe(bytes.length);
      expect(decoded.damaged).toEqual([]);
    }
  });

  it('reports absolute offsets when the buffer starts at a non-zero place in the segment', () => {
    const base = 1000;
    const { bytes, starts } = segment(encodeFrame(putB), encodeFrame(putA, body), encodeFrame(delA));
    const damaged = Buffer.from(bytes);
    damaged[PREFIX_BYTES + 2] = (damaged[PREFIX_BYTES + 2] ?? 0) ^ 0x01;

    const decoded = decodeFrames(damaged, base);
    expect(decoded.frames.map((f) => f.at)).toEqual([base + (starts[1] ?? 0), base + (starts[2] ?? 0)]);
    expect(decoded.damaged).toEqual([{ from: base, to: base + (starts[1] ?? 0) }]);
    expect(decoded.end).toBe(base + bytes.length);

    const place = decoded.frames[0]?.body ?? { offset: 0, length: 0 };
    expect(place.length).toBe(body.length);
    expect(damaged.subarray(place.offset - base, place.offset - base + place.length)).toEqual(body);

    // A buffer holding nothing whole reports its base as the end.
    expect(decodeFrames(damaged.subarray(0, 7), base + 5).end).toBe(base + 5);
  });
});

describe('a removal with its sent record', () => {
  it('is written with the sent record format version, and reads back whole', () => {
    const sent = {
      id: 'a',
      messageId: '<a@example.org>',
      accountId: 'work',
      from: 'me@example.org',
      subject: 'hi',
      sentAt: '2026-01-05T09:00:00.000Z',
      recipients: [{ address: 'ann@example.net', kind: 'to' as const, state: 'accepted' as const }],
      sizeBytes: 10,
      attempts: 1,
    };
    const frame = encodeFrame({ op: 'del', id: 'a', rev: 3, sent });
    const header = JSON.parse(frame.toString('utf8', PREFIX_BYTES, PREFIX_BYTES + frame.readUInt32BE(4))) as {
      sent: { version?: unknown };
    };
    expect(header.sent.version).toBe(2);
    const [decoded] = decodeFrames(frame, 0).frames;
    expect(decoded?.entry).toEqual({ op: 'del', id: 'a', rev: 3, sent });
  });
});

describe('an entry read back from its frame', () => {
  const full = sampleRecord('c', {
    state: 'deferred',
    attempts: 2,
    sendAt: '2026-01-01T11:00:00.000Z',
    lateLimitMinutes: 30,
    nextAttemptAt: '2026-01-01T12:00:00.000+01:00',
    undoUntil: '2026-01-01T10:00:10.000Z',
    lastReply: '451 4.3.0 try later',
    lastError: { code: 'smtp_temporary', message: 'try later', field: 'to' },
    recipients: [
      { address: 'ann@example.net', kind: 'to', state: 'accepted', reply: '250 ok' },
      { address: 'bob@example.net', kind: 'bcc', state: 'deferred' },
    ],
    lastTriedAt: '2026-01-01T11:30:00.000Z',
    eightBitBody: true,
    utf8Header: false,
    fromField: 'Me <me@example.org>',
    storedSizeBytes: 120,
    bodySha256: 'a'.repeat(64),
  });
  /** The JSON as a frame holds it: keys in another order, and some no format of ours has. */
  const asStored = (record: QueueRecord) =>
    JSON.parse(
      JSON.stringify({
        record: {
          unknown: { nested: [1] },
          ...Object.fromEntries(Object.entries(record).reverse()),
          recipients: record.recipients.map((r) => ({
            extra: true,
            ...Object.fromEntries(Object.entries(r).reverse()),
          })),
          ...(record.lastError ? { lastError: { extra: 1, ...record.lastError } } : {}),
        },
        rev: 4,
        op: 'put',
        extra: 'x',
      }),
    ) as unknown;

  it('is, for a put in this format, exactly what parsing it gave when it was first read', () => {
    for (const record of [sampleRecord('b'), full]) {
      const json = asStored(record);
      expect(readBackCheckedEntry(json)).toStrictEqual(logEntry.parse(json));
      expect(JSON.stringify(readBackCheckedEntry(json))).toBe(JSON.stringify(logEntry.parse(json)));
    }
  });

  it('takes a put in this format as checked already: its bytes passed logEntry when first read', () => {
    const json = asStored(sampleRecord('d', { attempts: -1 }));
    expect(() => logEntry.parse(json)).toThrow();
    expect(readBackCheckedEntry(json)).toMatchObject({ op: 'put', record: { attempts: -1 } });
  });

  it('parses anything else again: a removal, a record in another format', () => {
    expect(() => readBackCheckedEntry({ op: 'del', id: 'a', rev: 3, at: -1 })).toThrow();
    expect(() => readBackCheckedEntry({ op: 'put', rev: 1, record: { ...full, version: 2 } })).toThrow(
      NewerFormatError,
    );
  });
});
