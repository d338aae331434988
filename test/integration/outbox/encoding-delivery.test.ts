import { generateKeyPairSync } from 'node:crypto';
import { simpleParser } from 'mailparser';
import { afterEach, describe, expect, it } from 'vitest';
import { dkimResults } from '../../support/dkim-check.ts';
import { createTestAccounts } from '../../support/test-accounts.ts';
import { startTestServer } from '../../support/smtp-test-server.ts';
import { plainEndpoint, startTestOutbox } from '../../support/outbox-fixture.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a message reworked for a 7-bit server', () => {
  it('is DKIM-signed as it goes out, after the rework', async () => {
    const server = await startTestServer({ strict: true, hide8BITMIME: true, hideSMTPUTF8: true });
    cleanups.push(() => server.close());
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const dkim = {
      domainName: 'example.org',
      keySelector: 'sel',
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    const accounts = createTestAccounts([
      {
        id: 'work',
        fromAddress: 'me@example.org',
        displayName: 'Me',
        endpoint: plainEndpoint(server.port, { dkim }),
      },
    ]);
    const outbox = await startTestOutbox({ accounts });
    cleanups.push(() => outbox.stop());

    const message =
      'From: Jürgen <me@example.org>\r\nTo: ann@example.net\r\nSubject: Grüße\r\nMIME-Version: 1.0\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nSchöne Grüße.\r\n';
    const item = await outbox.outbox.enqueueRaw({
      bytes: Buffer.from(message),
      recipients: [],
      recipientsFromHeaders: true,
    });
    await outbox.outbox.service.settled();
    expect(outbox.outbox.service.list().find((i) => i.id === item.id)).toBeUndefined();

    const raw = server.messages[0]?.raw ?? Buffer.alloc(0);
    expect(raw.some((b) => b >= 0x80)).toBe(false);
    const mail = await simpleParser(raw);
    expect([mail.subject, mail.text]).toEqual(['Grüße', 'Schöne Grüße.\n']);
    const signatures = await dkimResults(raw, { selector: 'sel', domain: 'example.org', publicKey });
    expect(signatures).toEqual([['example.org', 'pass']]);
  });
});
