import fsp from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { simpleParser, type AddressObject } from 'mailparser';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeFileSystem } from '../../../../main/files/atomic-file.ts';
import { composeMessage, parseComposeRequest } from '../../../../main/outbox/message/compose-message.ts';
import { queuePaths } from '../../../../main/outbox/store/queue-paths.ts';
import { createQueueStore, type QueueStore } from '../../../../main/outbox/store/queue-store.ts';
import { AppError } from '../../../../main/errors/app-error.ts';
import type { ErrorCode } from '../../../../preload/contract/errors.ts';
import { createTestAccounts } from '../../../support/test-accounts.ts';
import { makeDataDir, plainEndpoint } from '../../../support/outbox-fixture.ts';

const accounts = createTestAccounts([
  { id: 'work', fromAddress: 'me@example.org', displayName: 'Me', endpoint: plainEndpoint(9) },
]);
const EXPECTED_REFUSALS: ErrorCode[] = [
  'invalid_address',
  'header_injection',
  'invalid_input',
  'no_recipients',
];
const HEADERS = new Set([
  'from',
  'to',
  'cc',
  'subject',
  'message-id',
  'date',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'content-disposition',
]);

// Names and subjects: any text, including quotes, commas, angle brackets, encoded-word look-alikes,
// blank or padded text, and now and then a line break or NUL that must be refused.
const hostile = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '=?utf-8?q?Bcc=3A_x?=',
    'a,b',
    '"quoted" <x@y.z>',
    'Bcc: eve@example.com',
    'x\r\nBcc: eve@example.com',
    'nul\0',
    ' ',
    '  padded\t',
  ),
);
const local = fc
  .stringMatching(/^[a-z0-9][a-z0-9._+-]{0,15}$/)
  .filter((s) => !s.includes('..') && !s.endsWith('.'));
const domain = fc.constantFrom('example.net', 'mail.example.org', 'bücher.example', 'sub.domain.example');
const mailbox = fc.record({ name: hostile, local, domain });
type Mailbox = { name: string; local: string; domain: string };
const asText = (m: Mailbox) =>
  m.name ? `"${m.name.replace(/["\\]/g, '')}" <${m.local}@${m.domain}>` : `${m.local}@${m.domain}`;

/** mailparser shows IDN domains in Unicode; compare in their ASCII form. */
const ascii = (address = '') => {
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at)}@${new URL(`http://${address.slice(at + 1)}`).hostname}`;
};

function values(field: AddressObject | AddressObject[] | undefined) {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list.flatMap((a) => a.value);
}

describe('compose (property)', () => {
  let store: QueueStore;
  let files: string;
  beforeAll(async () => {
    store = createQueueStore(queuePaths(await makeDataDir()), {
      fs: nodeFileSystem,
      onQuarantine: () => undefined,
    });
    await store.init();
    files = await makeDataDir();
  });

  it('either enqueues exactly what was asked for or refuses with a typed error; never an extra header or recipient', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          to: fc.array(mailbox, { maxLength: 3 }),
          cc: fc.array(mailbox, { maxLength: 2 }),
          bcc: fc.array(mailbox, { maxLength: 2 }),
          subject: hostile,
          text: fc.string({ maxLength: 200 }),
          attachments: fc.array(
            fc.record({
              name: fc.stringMatching(/^\w[\w ()-]{0,18}\.bin$/),
              body: fc.uint8Array({ maxLength: 300 }),
            }),
            {
              maxLength: 2,
            },
          ),
        }),
        async (input) => {
          const attachments = await Promise.all(
            input.attachments.map(async (a, i) => {
              const dir = await fsp.mkdtemp(path.join(files, `a${i}-`));
              const file = path.join(dir, a.name);
              await fsp.writeFile(file, a.body);
              return { path: file, body: Buffer.from(a.body) };
            }),
          );
          const request = {
            accountId: 'work',
            to: input.to.map(asText),
            cc: input.cc.map(asText),
            bcc: input.bcc.map(asText),
            subject: input.subject,
            text: input.text,
            attachments: attachments.map((a) => ({ path: a.path })),
          };
          let record;
          try {
            record = await composeMessage(parseComposeRequest(request), {
              accounts,
              store,
              now: Date.now(),
              undoSeconds: 0,
            });
          } catch (error) {
            expect(error).toBeInstanceOf(AppError);
            expect(EXPECTED_REFUSALS).toContain((error as AppError).code);
            return;
          }
          const parsed = await simpleParser(store.openBytes(record.id));
          for (const key of parsed.headers.keys()) expect(HEADERS).toContain(key);
          expect(parsed.subject ?? '').toBe(input.subject.trim());
          expect(record.subject).toBe(input.subject.trim());
          const expected = (list: Mailbox[]) =>
            list.map((m) => `${m.local}@${new URL(`http://${m.domain}`).hostname}`);
          expect(values(parsed.to).map((v) => ascii(v.address))).toEqual(expected(input.to));
          expect(values(parsed.cc).map((v) => ascii(v.address))).toEqual(expected(input.cc));
          expect(values(parsed.to).map((v) => v.name)).toEqual(
            input.to.map((m) => m.name.replace(/["\\]/g, '').trim()),
          );
          const envelope = new Set(record.recipients.map((r) => r.address));
          expect(envelope).toEqual(
            new Set([...expected(input.to), ...expected(input.cc), ...expected(input.bcc)]),
          );
          expect(parsed.attachments.map((a) => a.content)).toEqual(attachments.map((a) => a.body));
          await store.remove(record.id);
        },
      ),
      { numRuns: 150 },
    );
  });
});
