// Run by the crash test with plain `node` (Node 24 strips the types): enqueues and delivers without
// pause until the test kills it with SIGKILL. Every line on stdout is written synchronously (a pipe).
import { appSettings } from '../../preload/contract/settings.ts';
import { silentLogger } from '../../main/errors/logger.ts';
import { createOutbox } from '../../main/outbox/create-outbox.ts';
import { createTestAccounts } from './test-accounts.ts';

const [dataDir, port] = process.argv.slice(2);
if (!dataDir || !port) throw new Error('usage: crash-child.ts DATA_DIR PORT');

const settings = appSettings.parse({ undoSeconds: 0 });
const outbox = createOutbox({
  dataDir,
  accounts: createTestAccounts([
    {
      id: 'crash',
      fromAddress: 'me@example.org',
      endpoint: { host: '127.0.0.1', port: Number(port), security: 'none', auth: { kind: 'none' } },
    },
  ]),
  // Settings never change here, so a constant stands in for the settings file (and keeps start-up fast).
  settings: { get: () => settings, update: () => settings, onChanged: () => () => undefined },
  platform: { isOnline: () => true, notify: () => undefined },
  emit: () => undefined,
  log: silentLogger,
  timeouts: { connectionMs: 2_000, greetingMs: 2_000, socketMs: 2_000 },
});
await outbox.start();
process.stdout.write(`READY ${outbox.isDeliverer() ? 'deliverer' : 'producer'}\n`);

for (let n = 0; ; n++) {
  // Mostly small messages, now and then one large enough to be killed in the middle of its upload.
  const size = Math.random() < 0.15 ? 200_000 + Math.floor(Math.random() * 300_000) : 500;
  const item = await outbox.service.enqueue({
    accountId: 'crash',
    to: ['ann@example.net', 'bob@example.net'],
    subject: `crash ${process.pid} ${n}`,
    text: 'x'.repeat(size),
  });
  process.stdout.write(`ENQ ${item.id} ${item.messageId}\n`);
  await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 20));
}
