import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { BodyCache } from '../../../../main/outbox/store/body-cache.ts';
import { BodyStaging, INLINE_BODY_BYTES, stage } from '../../../../main/outbox/store/body-staging.ts';
import type { FileContent } from '../../../../main/files/atomic-file.ts';

/** Stages `content`, keeping what would go to a file; null when nothing did. */
async function staged(content: FileContent) {
  let spilled: Buffer | null = null;
  const result = await stage(content, async (all) => {
    spilled = await buffer(Readable.from(all));
    return spilled.length;
  });
  return { ...result, spilled: spilled as Buffer | null };
}

const bytes = (length: number, fill = 7) => Buffer.alloc(length, fill);
function chunked(content: Buffer, size: number): AsyncIterable<Uint8Array> {
  const chunks: Buffer[] = [];
  for (let at = 0; at < content.length; at += size) chunks.push(content.subarray(at, at + size));
  return Readable.from(chunks);
}

describe('stage: small messages stay in memory, larger ones go to a file', () => {
  const rows: { why: string; content: () => FileContent; length: number; inline: boolean }[] = [
    {
      why: 'bytes at the limit',
      content: () => bytes(INLINE_BODY_BYTES),
      length: INLINE_BODY_BYTES,
      inline: true,
    },
    {
      why: 'bytes past the limit',
      content: () => bytes(INLINE_BODY_BYTES + 1),
      length: INLINE_BODY_BYTES + 1,
      inline: false,
    },
    { why: 'a short string', content: () => 'héllo', length: 6, inline: true },
    {
      why: 'a stream at the limit',
      content: () => chunked(bytes(INLINE_BODY_BYTES), 4096),
      length: INLINE_BODY_BYTES,
      inline: true,
    },
    {
      why: 'a stream past the limit',
      content: () => chunked(bytes(INLINE_BODY_BYTES * 3 + 5), 4096),
      length: INLINE_BODY_BYTES * 3 + 5,
      inline: false,
    },
  ];
  it.each(rows)('$why: inline $inline', async ({ content, length, inline }) => {
    const result = await staged(content());
    expect(result.size).toBe(length);
    expect(result.staged.kind).toBe(inline ? 'inline' : 'file');
    const kept = result.staged.kind === 'inline' ? result.staged.bytes : result.spilled;
    expect(result.spilled === null).toBe(inline);
    expect(kept?.length).toBe(length);
  });

  it('sends every byte to the file in order, those gathered before the limit first', async () => {
    const content = Buffer.from(Array.from({ length: INLINE_BODY_BYTES + 3000 }, (_, i) => i % 251));
    const result = await staged(chunked(content, 777));
    expect(result.spilled?.equals(content)).toBe(true);
  });

  it('hashes what goes to the file as it goes, strings as UTF-8', async () => {
    const text = 'é'.repeat(INLINE_BODY_BYTES);
    const result = await staged(Readable.from(['a', text, 'z']));
    const sha256 = createHash('sha256').update(`a${text}z`, 'utf8').digest('hex');
    expect(result.staged).toEqual({ kind: 'file', sha256, size: result.spilled?.length });
    expect(
      createHash('sha256')
        .update(result.spilled ?? '')
        .digest('hex'),
    ).toBe(sha256);
  });

  it('copies bytes a stream may reuse', async () => {
    const chunk = Buffer.from('abc');
    const result = await staged(Readable.from([chunk]));
    chunk.fill(0);
    expect(result.staged).toEqual({ kind: 'inline', bytes: Buffer.from('abc') });
  });
});

describe('BodyStaging', () => {
  it('keeps a message staged until its state is saved, then in memory until it is removed', async () => {
    const bodies = new BodyStaging();
    await bodies.stage('m1', Buffer.from('hello'), () =>
      Promise.reject(new Error('no file for small bytes')),
    );
    expect(bodies.pending('m1')).toEqual({ kind: 'inline', bytes: Buffer.from('hello') });
    expect(bodies.inMemory('m1')).toEqual(Buffer.from('hello'));
    expect(bodies.cached('m1')).toBeUndefined();
    bodies.saved('m1', Buffer.from('hello'));
    expect(bodies.pending('m1')).toBeUndefined();
    expect(bodies.cached('m1')).toEqual(Buffer.from('hello'));
    expect(bodies.discard('m1')).toBeUndefined();
    expect(bodies.inMemory('m1')).toBeUndefined();
  });

  it('tells a removal that the bytes went to a file', async () => {
    const bodies = new BodyStaging();
    await bodies.stage(
      'big',
      bytes(INLINE_BODY_BYTES + 1),
      async (all) => (await buffer(Readable.from(all))).length,
    );
    expect(bodies.inMemory('big')).toBeUndefined();
    const sha256 = createHash('sha256')
      .update(bytes(INLINE_BODY_BYTES + 1))
      .digest('hex');
    expect(bodies.discard('big')).toEqual({ kind: 'file', sha256, size: INLINE_BODY_BYTES + 1 });
    expect(bodies.pending('big')).toBeUndefined();
  });
});

describe('BodyCache', () => {
  it('lets the oldest go once over budget', () => {
    const cache = new BodyCache(10);
    cache.put('a', bytes(4));
    cache.put('b', bytes(4));
    expect(cache.bytes).toBe(8);
    cache.put('c', bytes(4));
    expect(cache.get('a')).toBeUndefined();
    expect([cache.get('b')?.length, cache.get('c')?.length]).toEqual([4, 4]);
    expect(cache.bytes).toBe(8);
  });

  it('counts a replaced entry once', () => {
    const cache = new BodyCache(10);
    cache.put('a', bytes(4));
    cache.put('a', bytes(6));
    expect(cache.bytes).toBe(6);
    cache.put('b', bytes(4));
    expect(cache.get('a')?.length).toBe(6);
    cache.delete('a');
    expect(cache.bytes).toBe(4);
  });

  it('keeps nothing larger than the budget', () => {
    const cache = new BodyCache(10);
    cache.put('a', bytes(11));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.bytes).toBe(0);
  });
});
