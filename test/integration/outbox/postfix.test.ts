import { createHash, randomBytes } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestAccounts } from '../../support/test-accounts.ts';
import { makeDataDir, plainEndpoint, startTestOutbox } from '../../support/outbox-fixture.ts';
import { startPostfix, type TestPostfix } from '../../support/postfix.ts';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('delivery to Postfix', () => {
  let postfix: TestPostfix;
  beforeAll(async () => {
    postfix = await startPostfix();
  });
  afterAll(async () => {
    await postfix.stop();
  });

  it('delivers a 20 MB attachment and non-ASCII headers byte-identical', async () => {
    const files = await makeDataDir();
    const attachment = randomBytes(20 * 1024 * 1024);
    const file = path.join(files, 'résumé 日本.bin');
    await fsp.writeFile(file, attachment);
    const accounts = createTestAccounts([
      {
        id: 'work',
        fromAddress: 'zoe@example.org',
        displayName: 'Zoë Ñúñez',
        endpoint: plainEndpoint(postfix.port),
      },
    ]);
    const outbox = await startTestOutbox({ accounts });
    const subject =
      'Grüße – 日本語の件名 ✓ with a long enough subject to need folding across several encoded words';
    const item = await outbox.outbox.service.enqueue({
      accountId: 'work',
      to: ['Åsa Ström <asa@example.net>'],
      cc: ['李雷 <li@example.net>'],
      subject,
      text: 'Hej! Här är filen. 🙂',
      attachments: [{ path: file }],
    });
    // The original may go away once queued: the bytes are in the queue.
    await fsp.rm(file);
    await outbox.outbox.service.settled();
    await outbox.stop();
    expect(outbox.outbox.service.list()).toEqual([]);

    // One copy per recipient, both in the one Maildir.
    const names = await eventually(async () => {
      const found = await fsp.readdir(postfix.maildir).catch(() => []);
      return found.length === 2 ? found : undefined;
    });
    for (const name of names) {
      const parsed = await simpleParser(await fsp.readFile(path.join(postfix.maildir, name)));
      expect(parsed.messageId).toBe(item.messageId);
      expect(parsed.subject).toBe(subject);
      expect(parsed.from?.value).toEqual([{ name: 'Zoë Ñúñez', address: 'zoe@example.org' }]);
      expect(parsed.to && !Array.isArray(parsed.to) ? parsed.to.value : []).toEqual([
        { name: 'Åsa Ström', address: 'asa@example.net' },
      ]);
      expect(parsed.text?.trim()).toBe('Hej! Här är filen. 🙂');
      expect(parsed.attachments.map((a) => a.filename)).toEqual(['résumé 日本.bin']);
      expect(sha256(parsed.attachments[0]?.content ?? Buffer.alloc(0))).toBe(sha256(attachment));
    }
  }, 120_000);
});
