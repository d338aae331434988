import fsp from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NewerFormatError } from '../../../main/files/versioned.ts';
import { createSentLog } from '../../../main/sent/sent-log.ts';
import { SENT_RECORD_FORMAT } from '../../../main/sent/sent-record.ts';
import type { SentRecord } from '../../../preload/contract/outbox.ts';
import { makeDataDir } from '../../support/outbox-fixture.ts';

const record = (id: string, sentAt: string): SentRecord => ({
  id,
  messageId: `<${id}@example.org>`,
  accountId: 'work',
  from: 'me@example.org',
  subject: id,
  sentAt,
  recipients: [{ address: 'ann@example.net', kind: 'to', state: 'accepted' }],
  sizeBytes: 100,
  attempts: 1,
});

describe('sent log', () => {
  it('lists newest first with paging, finds by id, skips a torn line and prunes by retention', async () => {
    const dir = await makeDataDir();
    const log = createSentLog(dir);
    await Promise.all([
      log.write(record('a', '2026-01-01T10:00:00.000Z')),
      log.write(record('b', '2026-01-03T10:00:00.000Z')),
    ]);
    await log.close();
    // A crash in the middle of an append leaves half a line; the next one starts a line of its own.
    await fsp.appendFile(path.join(dir, '2026-01-03.jsonl'), '{"id":"torn","messageId":');
    await log.write(record('c', '2026-01-03T12:00:00.000Z'));
    expect((await log.list({ limit: 10 })).map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect((await log.list({ limit: 1, before: '2026-01-03T12:00:00.000Z' })).map((r) => r.id)).toEqual([
      'b',
    ]);
    expect((await log.get('a'))?.subject).toBe('a');
    expect(await log.get('torn')).toBeUndefined();
    // Whole lines that are damaged (a version no Outbox wrote) are skipped the same way.
    await log.close();
    for (const version of [0, null, 'x']) {
      await fsp.appendFile(
        path.join(dir, '2026-01-03.jsonl'),
        `${JSON.stringify({ ...record(`v${String(version)}`, '2026-01-03T13:00:00.000Z'), version })}\n`,
      );
    }
    expect((await log.list({ limit: 10 })).map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(await log.get('vnull')).toBeUndefined();
    expect((await fsp.stat(path.join(dir, '2026-01-01.jsonl'))).mode & 0o777).toBe(0o600);

    await log.prune(2, Date.parse('2026-01-04T00:00:00Z'));
    expect((await log.list({ limit: 10 })).map((r) => r.id)).toEqual(['c', 'b']);
  });

  it('restores, durably and once, the records a crash kept from the file', async () => {
    const dir = await makeDataDir();
    const log = createSentLog(dir);
    await log.write(record('kept', '2026-01-05T10:00:00.000Z'));
    await log.sync();
    const lost = record('lost', '2026-01-05T11:00:00.000Z');
    const otherDay = record('other', '2026-01-06T09:00:00.000Z');
    await log.restore([record('kept', '2026-01-05T10:00:00.000Z'), lost, otherDay]);
    await log.restore([lost]);
    await log.close();
    const reopened = createSentLog(dir);
    expect((await reopened.list({ limit: 10 })).map((r) => r.id)).toEqual(['other', 'lost', 'kept']);
  });
});

describe('the sent log format', () => {
  it('writes each line with its format; lines without one are format 1 and read the same', async () => {
    const dir = await makeDataDir();
    const written = record('new', '2026-01-07T10:00:00.000Z');
    const old = record('old', '2026-01-07T09:00:00.000Z');
    await fsp.writeFile(path.join(dir, '2026-01-07.jsonl'), `${JSON.stringify(old)}\n`);
    const log = createSentLog(dir);
    await log.write(written);
    await log.close();
    const lines = (await fsp.readFile(path.join(dir, '2026-01-07.jsonl'), 'utf8')).trim().split('\n');
    expect(JSON.parse(lines[1] ?? '')).toEqual({ version: 2, ...written });
    expect(await log.list({ limit: 10 })).toEqual([written, old]);
  });

  it('keeps, from format 2, that the user marked a message sent; format 1 lines have no mark', async () => {
    const dir = await makeDataDir();
    const marked: SentRecord = { ...record('marked', '2026-01-07T11:00:00.000Z'), markedSent: true };
    const confirmed = record('confirmed', '2026-01-07T10:00:00.000Z');
    const old = record('old', '2026-01-07T09:00:00.000Z');
    await fsp.writeFile(path.join(dir, '2026-01-07.jsonl'), `${JSON.stringify({ version: 1, ...old })}\n`);
    const log = createSentLog(dir);
    await log.write(confirmed);
    await log.write(marked);
    await log.close();
    const lines = (await fsp.readFile(path.join(dir, '2026-01-07.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((line) => JSON.parse(line) as unknown)).toEqual([
      { version: 1, ...old },
      { version: 2, ...confirmed },
      { version: 2, ...marked },
    ]);
    expect(await createSentLog(dir).list({ limit: 10 })).toEqual([marked, confirmed, old]);
  });

  it('refuses a day holding a line from a newer Outbox, leaves it as it is, and restores around it', async () => {
    const dir = await makeDataDir();
    const file = path.join(dir, '2026-01-08.jsonl');
    const newer = {
      ...record('newer', '2026-01-08T10:00:00.000Z'),
      version: SENT_RECORD_FORMAT.version + 1,
      labels: ['x'],
    };
    await fsp.writeFile(file, `${JSON.stringify(newer)}\n`);
    const before = await fsp.readFile(file);
    const log = createSentLog(dir);
    await expect(log.list({ limit: 10 })).rejects.toThrow(NewerFormatError);
    await expect(log.get('newer')).rejects.toThrow(/newer version of Outbox/);
    expect((await fsp.readFile(file)).equals(before)).toBe(true);
    // Restoring after a crash only needs the ids: the newer line is not written twice.
    await log.restore([record('newer', '2026-01-08T10:00:00.000Z')]);
    await log.close();
    expect((await fsp.readFile(file)).equals(before)).toBe(true);
  });
});
