import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DAMAGED_REASON,
  MessageDamagedError,
  openCheckedFile,
  RESIZED_REASON,
  type ExpectedBody,
  type StoredBody,
} from '../../../../main/outbox/store/stored-body.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => fsp.rm(dir, { recursive: true, force: true })));
});

const message = { id: 'm1', subject: 'Report' };
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A message file of `bytes`, and what its record says of it. */
async function messageFile(bytes: Buffer): Promise<{ file: string; expected: ExpectedBody }> {
  const dir = await fsp.mkdtemp(path.join(tmpdir(), 'outbox-body-'));
  dirs.push(dir);
  const file = path.join(dir, 'm1.eml');
  await fsp.writeFile(file, bytes);
  return { file, expected: { size: bytes.length, sha256: sha256(bytes) } };
}

async function readAll(body: StoredBody): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** The same file with one byte changed: its size stays. */
async function flipByte(file: string, at: number): Promise<void> {
  const bytes = await fsp.readFile(file);
  bytes[at] = (bytes[at] ?? 0) ^ 0x01;
  await fsp.writeFile(file, bytes);
}

describe('openCheckedFile', () => {
  const original = randomBytes(700_000);

  it('hands out the bytes as queued, in several chunks, again on a second read', async () => {
    const { file, expected } = await messageFile(original);
    const body = await openCheckedFile(file, message, expected);
    try {
      expect((await readAll(body)).equals(original)).toBe(true);
      expect((await readAll(body)).equals(original)).toBe(true);
    } finally {
      await body.close();
    }
  });

  it('refuses a file with one byte changed, before reading any of it', async () => {
    const { file, expected } = await messageFile(original);
    await flipByte(file, 123_456);
    const opening = openCheckedFile(file, message, expected);
    await expect(opening).rejects.toBeInstanceOf(MessageDamagedError);
    await expect(opening).rejects.toMatchObject({
      code: 'message_damaged',
      reason: DAMAGED_REASON,
      message: expect.stringContaining('“Report” (m1)') as unknown,
    });
  });

  it('refuses a file of another size, with or without a digest', async () => {
    const { file, expected } = await messageFile(original);
    await fsp.truncate(file, original.length - 1);
    for (const record of [expected, { size: expected.size }]) {
      await expect(openCheckedFile(file, message, record)).rejects.toMatchObject({ reason: RESIZED_REASON });
    }
  });

  it('checks only the size for records written before files had a digest', async () => {
    const { file } = await messageFile(original);
    await flipByte(file, 10);
    const body = await openCheckedFile(file, message, { size: original.length });
    await body.close();
  });

  it('sends what it checked, though the file is replaced or grows after the check', async () => {
    const { file, expected } = await messageFile(original);
    const body = await openCheckedFile(file, message, expected);
    try {
      await fsp.writeFile(`${file}.new`, randomBytes(original.length));
      await fsp.rename(`${file}.new`, file);
      expect((await readAll(body)).equals(original)).toBe(true);
    } finally {
      await body.close();
    }
    const { file: growing, expected: before } = await messageFile(original);
    const grown = await openCheckedFile(growing, message, before);
    try {
      await fsp.appendFile(growing, 'more');
      expect((await readAll(grown)).equals(original)).toBe(true);
    } finally {
      await grown.close();
    }
  });
});
