// Run by the damage fuzzer with plain `node` (Node 24 strips the types): builds the data folder the
// fuzzer damages, in a process of its own so that every segment it leaves has a dead writer, as in
// a data folder of an app or a CLI that quit. Prints the queued messages as JSON.
import { accountInput } from '../../preload/contract/accounts.ts';
import { osKeychain } from '../../main/accounts/os-keychain.ts';
import { buildCore } from '../../main/app/build-core.ts';
import { openSettings } from '../../main/cli/data-location.ts';
import { silentLogger } from '../../main/errors/logger.ts';
import type { FuzzMessage } from './damage-verdict.ts';

const [dataDir, port] = process.argv.slice(2);
if (!dataDir || !port) throw new Error('usage: damage-fuzz-writer.ts DATA_DIR PORT');

/** Past the 256 KB over which a message's bytes get a file of their own. */
const FILE_BODY_CHARS = 300_000;

/**
 * One batch per outbox opened in turn: each writes a segment of its own and seals it when stopped.
 * The first is delivered once while the peer answers 451, so its messages are deferred.
 */
const BATCHES: readonly (readonly string[])[] = [
  ['deferred-inline', 'deferred-file'],
  ['queued-inline-a', 'queued-file'],
  ['queued-inline-b', 'queued-inline-c'],
];

const settings = openSettings(dataDir);
/** The CLI's wiring, as `outbox send` has it. */
const openCore = () =>
  buildCore({
    dataDir,
    store: settings,
    keychain: osKeychain,
    platform: { isOnline: () => true, notify: () => undefined },
    emit: () => undefined,
    log: silentLogger,
    settingsOverrides: { undoSeconds: 0, notifications: false },
  });

// No password: the keychain is never asked.
const account = openCore().accounts.service.create(
  accountInput.parse({
    label: 'Fuzz',
    fromAddress: 'fuzz@example.org',
    host: '127.0.0.1',
    port: Number(port),
    security: 'none',
    allowPlaintext: true,
    auth: 'none',
  }),
);

const messages: FuzzMessage[] = [];
for (const [index, batch] of BATCHES.entries()) {
  const { outbox } = openCore();
  if (index === 0) await outbox.start();
  else await outbox.open();
  for (const name of batch) {
    const large = name.endsWith('-file');
    const item = await outbox.service.enqueue({
      accountId: account.id,
      to: [`${name}@example.net`],
      subject: `Fuzz ${name}`,
      text: large ? `${name} `.repeat(Math.ceil(FILE_BODY_CHARS / (name.length + 1))) : `Hello from ${name}.`,
    });
    messages.push({
      id: item.id,
      messageId: item.messageId,
      subject: item.subject,
      to: item.recipients.map((r) => r.address),
      large,
    });
  }
  if (index === 0) await outbox.service.flush();
  await outbox.stop();
}
process.stdout.write(`${JSON.stringify(messages)}\n`);
