import type { QueueItem, SetAsideItem } from '../../preload/contract/outbox.ts';
import type { Outbox } from '../outbox/create-outbox.ts';
import { expectPositionals, integerOption, parseCommand } from './cli-args.ts';
import { openCore } from './cli-core.ts';
import { flushReport } from './flush-report.ts';
import { groupHelp, print, type CliIo } from './cli-io.ts';
import { printable } from './cli-log.ts';
import { CliError, EXIT, usageError } from './exit-codes.ts';
import {
  labelsOf,
  printJson,
  queueDamagedJson,
  queueListJson,
  queueMessage,
  queueShowJson,
  setAsideEntry,
} from './json-output.ts';

export const QUEUE_HELP = `Usage: outbox queue <command>

  list [--json]               the messages in the outbox
  show ID [--json]            one message, with each recipient's state and the server's last reply
  flush [--wait] [--timeout S]  deliver now (see "outbox queue flush --help")
  retry ID                    try a deferred, failed or held message again now
  cancel ID                   remove a message from the outbox without sending it
  damaged [--json]            what was set aside as unreadable or damaged, and where it is kept
  restore KEY                 bring a set-aside message back into the outbox (KEY from "damaged")
`;

const DAMAGED_HELP = `Usage: outbox queue damaged [--json]

What the outbox set aside rather than send or lose: messages whose file was missing, cut short or
did not match its checksum, and damaged stretches of the queue log. One line each, oldest first
(tab-separated: key, set aside at, restorable or damaged, id, recipients, subject, reason, file).
Nothing here is ever deleted by Outbox; "outbox queue restore KEY" brings back what can be read.
`;

const RESTORE_HELP = `Usage: outbox queue restore KEY

Brings a set-aside message (KEY from "outbox queue damaged") back into the outbox under a new id,
queued and due now (an unconfirmed or failed one keeps its state), and prints its id and state.
Its folder is removed once it is queued again. A message whose bytes are missing or do not match
is refused (exit 65) and its files stay where they are.
`;

const FLUSH_HELP = `Usage: outbox queue flush [--wait] [--timeout SECONDS]

Delivers waiting messages now, deferred ones included. Only one process delivers at a time:
when the app is running it delivers, and flush asks it to try now; otherwise this command
delivers, and stays until the attempts it started are finished.

  --wait             when the app delivers, wait until it has tried every message that is due
  --timeout SECONDS  give up waiting after this long (exit 75)

Exit status: 0 when nothing due is left waiting; 78 when an account needs attention (its sign-in,
certificate or security setting; one line each on stderr); 75 when messages are still waiting
(deferred by the server, offline, or the keychain cannot be reached from this process, as from
cron: see "Delivery" in docs/cli.md). Held (paused) and failed messages stay, and are reported.
`;

const POLL_MS = 250;

/** Still to be tried now: neither finished, nor held back, nor waiting for a later time. */
function isDue(item: QueueItem, now: number): boolean {
  if (item.state === 'queued' || item.state === 'sending') return true;
  return item.state === 'deferred' && Date.parse(item.nextAttemptAt ?? '') <= now;
}

async function openQueue(io: CliIo) {
  const core = openCore(io);
  await core.outbox.open();
  return core;
}

function listLine(item: QueueItem, labels: ReadonlyMap<string, string>): string {
  const to = item.recipients.map((r) => r.address).join(',');
  const next = item.nextAttemptAt ?? '-';
  return [
    item.id,
    item.state,
    labels.get(item.accountId) ?? item.accountId,
    String(item.attempts),
    next,
    to,
    item.subject,
  ].join('\t');
}

function showText(item: QueueItem, labels: ReadonlyMap<string, string>): string {
  const lines = [
    `id:         ${item.id}`,
    `message-id: ${item.messageId}`,
    `account:    ${labels.get(item.accountId) ?? item.accountId}`,
    `state:      ${item.state}`,
    `from:       ${item.from}`,
    `subject:    ${item.subject}`,
    `attempts:   ${item.attempts}`,
    `next try:   ${item.nextAttemptAt ?? '-'}`,
    ...(item.lastError ? [`last error: ${item.lastError.message}`] : []),
    ...(item.lastReply ? [`last reply: ${item.lastReply}`] : []),
    'recipients:',
    ...item.recipients.map((r) => `  ${r.kind}: ${r.address} ${r.state}${r.reply ? ` (${r.reply})` : ''}`),
  ];
  return lines.join('\n');
}

async function waitForDeliverer(
  outbox: Outbox,
  timeoutMs: number | undefined,
  requestedAt: number,
): Promise<void> {
  const end = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
  for (;;) {
    // The app may quit while we wait: then this process holds the lock and delivers itself.
    if (outbox.isDeliverer()) {
      await outbox.service.flush(requestedAt);
      return;
    }
    const now = Date.now();
    if (!outbox.service.list().some((item) => isDue(item, now))) return;
    if (now > end) throw new CliError(EXIT.tempFail, 'timed out waiting for the app to deliver the queue');
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

async function flush(io: CliIo, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('queue flush', args, {
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
  });
  if (values.help) {
    print(io, FLUSH_HELP);
    return EXIT.ok;
  }
  expectPositionals('queue flush', positionals, []);
  const timeout = integerOption('timeout', values.timeout);
  const core = openCore(io);
  const { outbox } = core;
  // What start() tries as it begins delivering counts as this flush's attempt (one per message).
  const requestedAt = Date.now();
  // start() takes the deliverer lock only if no other process (the app) holds it.
  await outbox.start();
  try {
    const before = new Set(outbox.service.list().map((item) => item.id));
    if (outbox.isDeliverer()) {
      await outbox.service.flush(requestedAt);
    } else {
      // The app's folder watcher sees these made due now; the facade's flush() would wait for a
      // delivery this process does not run.
      for (const item of outbox.service.list()) {
        if (item.state === 'deferred') await outbox.service.retryNow(item.id);
      }
      if (!values.wait) {
        print(io, 'The app is delivering; it was asked to send the waiting messages now.');
        return EXIT.ok;
      }
      io.stderr.write('outbox: the app is delivering; waiting for it to try every due message\n');
      await waitForDeliverer(outbox, timeout === undefined ? undefined : timeout * 1000, requestedAt);
    }
    const left = outbox.service.list();
    const delivered = [...before].filter((id) => !left.some((item) => item.id === id)).length;
    const counts = new Map<string, number>();
    for (const item of left) counts.set(item.state, (counts.get(item.state) ?? 0) + 1);
    const rest = [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
    print(
      io,
      `Delivered ${delivered}; ${left.length === 0 ? 'the outbox is empty' : `still in the outbox: ${rest}`}.`,
    );
    const report = flushReport(left, core.accounts.list());
    for (const reason of report.reasons) io.stderr.write(`outbox: ${printable(reason)}\n`);
    return report.exitCode;
  } finally {
    await outbox.stop();
  }
}

function damagedLine(item: SetAsideItem): string {
  return [
    item.key,
    item.setAsideAt,
    item.restorable ? 'restorable' : 'damaged',
    item.id ?? '-',
    item.recipients?.join(',') ?? '-',
    item.subject ?? '-',
    item.reason,
    item.file,
  ]
    .map(printable)
    .join('\t');
}

async function damaged(io: CliIo, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('queue damaged', args, { json: { type: 'boolean' } });
  if (values.help) {
    print(io, DAMAGED_HELP);
    return EXIT.ok;
  }
  expectPositionals('queue damaged', positionals, []);
  const core = await openQueue(io);
  const items = await core.outbox.service.setAsideItems();
  if (values.json) printJson(io, queueDamagedJson, { version: 1, items: items.map(setAsideEntry) });
  else for (const item of items) print(io, damagedLine(item));
  return EXIT.ok;
}

async function restore(io: CliIo, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('queue restore', args, {});
  if (values.help) {
    print(io, RESTORE_HELP);
    return EXIT.ok;
  }
  const [key = ''] = expectPositionals('queue restore', positionals, ['KEY']);
  const core = await openQueue(io);
  try {
    const item = await core.outbox.service.restore(key);
    print(io, `${item.id} ${item.state}`);
    return EXIT.ok;
  } finally {
    // Seals this process's queue segment, so the deliverer can reclaim it.
    await core.outbox.stop();
  }
}

export async function queueCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list': {
      const { values, positionals } = parseCommand('queue list', rest, { json: { type: 'boolean' } });
      if (values.help) {
        print(io, 'Usage: outbox queue list [--json]\n\nThe messages in the outbox, oldest first.\n');
        return EXIT.ok;
      }
      expectPositionals('queue list', positionals, []);
      const core = await openQueue(io);
      const labels = labelsOf(core.accounts.list());
      const items = core.outbox.service.list();
      if (values.json) {
        printJson(io, queueListJson, {
          version: 1,
          messages: items.map((item) => queueMessage(item, labels)),
        });
      } else {
        for (const item of items) print(io, listLine(item, labels));
      }
      return EXIT.ok;
    }
    case 'show': {
      const { values, positionals } = parseCommand('queue show', rest, { json: { type: 'boolean' } });
      if (values.help) {
        print(io, 'Usage: outbox queue show ID [--json]\n\nOne message in the outbox.\n');
        return EXIT.ok;
      }
      const [id = ''] = expectPositionals('queue show', positionals, ['ID']);
      const core = await openQueue(io);
      const labels = labelsOf(core.accounts.list());
      const item = core.outbox.service.get(id);
      if (values.json) printJson(io, queueShowJson, { version: 1, message: queueMessage(item, labels) });
      else print(io, showText(item, labels));
      return EXIT.ok;
    }
    case 'retry':
    case 'cancel': {
      const { values, positionals } = parseCommand(`queue ${sub}`, rest, {});
      if (values.help) {
        print(
          io,
          sub === 'retry'
            ? 'Usage: outbox queue retry ID\n\nMakes a deferred, failed or held message due now.\n'
            : 'Usage: outbox queue cancel ID\n\nRemoves a message from the outbox without sending it.\n',
        );
        return EXIT.ok;
      }
      const [id = ''] = expectPositionals(`queue ${sub}`, positionals, ['ID']);
      const core = await openQueue(io);
      try {
        if (sub === 'retry') print(io, `${id} ${(await core.outbox.service.retryNow(id)).state}`);
        else await core.outbox.service.cancel(id);
        return EXIT.ok;
      } finally {
        // Seals this process's queue segment, so the deliverer can reclaim it.
        await core.outbox.stop();
      }
    }
    case 'flush':
      return flush(io, rest);
    case 'damaged':
      return damaged(io, rest);
    case 'restore':
      return restore(io, rest);
    case '--help':
    case '-h':
    case undefined:
      return groupHelp(io, sub !== undefined, QUEUE_HELP);
    default:
      throw usageError(`unknown command ${JSON.stringify(`queue ${sub}`)} (see "outbox queue --help")`);
  }
}
