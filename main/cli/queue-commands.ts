import type { QueueItem, SetAsideItem } from '../../preload/contract/outbox.ts';
import type { Outbox } from '../outbox/create-outbox.ts';
import type { QueueRow } from '../outbox/outbox-service.ts';
import { delivererLockHolder } from '../outbox/delivery/deliverer-lock.ts';
import { queuePaths } from '../outbox/store/queue-paths.ts';
import { expectPositionals, integerOption, parseCommand } from './cli-args.ts';
import { findAccount, openCore, type CliCore } from './cli-core.ts';
import { groupHelp, print, type CliIo } from './cli-io.ts';
import { QUEUE_HELP } from './group-help.ts';
import { queueListCommand } from './queue-list.ts';
import { printable } from './cli-log.ts';
import { AppError } from '../errors/app-error.ts';
import { CliError, EXIT, exitCodeFor, usageError } from './exit-codes.ts';
import { deliveredSince, flushReport, lockHolderText } from './flush-report.ts';
import {
  labelsOf,
  printJson,
  queueDamagedJson,
  queueMessage,
  queueShowJson,
  setAsideEntry,
} from './json-output.ts';

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
delivers, and stays until the attempts it started are finished. Prints how many were delivered
and what is left.

  --wait             when the app delivers, wait until it has tried every message that is due
  --timeout SECONDS  bounds the whole flush: after this long no new attempt starts (one under
                     way ends at its server's own timeout) and what is left is reported

Exit status, the first that applies: 78 when an account needs attention or a message waits for
an account that no longer exists; 76 when a message is unconfirmed (the server may have it);
75 when messages are still waiting (deferred by the server, offline, the time ran out, another
outbox process delivers, or the keychain cannot be reached from this process, as from cron: see
"Delivery" in docs/cli.md); otherwise 0. Held (paused) and failed messages stay, and are
reported. For 78 and 76, stderr says what to run.
`;

const POLL_MS = 250;

async function openQueue(io: CliIo) {
  const core = openCore(io);
  await core.outbox.open();
  return core;
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

/** Resolves true when `end` (a Date.now() time) passes first, false when `work` ends first. */
async function expires(work: Promise<void>, end: number): Promise<boolean> {
  if (end === Infinity) {
    await work;
    return false;
  }
  let timer: NodeJS.Timeout | undefined;
  const expiry = new Promise<true>((resolve) => {
    timer = setTimeout(
      () => {
        resolve(true);
      },
      Math.max(0, end - Date.now()),
    );
  });
  try {
    return await Promise.race([work.then(() => false), expiry]);
  } finally {
    clearTimeout(timer);
  }
}

/** When a flush must end (a Date.now() time), and when it was asked for: what it tried since counts. */
interface FlushWindow {
  readonly end: number;
  readonly since: number;
}

/**
 * Delivers until nothing due is left or `end` passes. Then no new attempt starts; one under way
 * ends at its own SMTP timeout and is recorded as usual (unconfirmed if the server had the whole
 * message), so nothing is lost or sent twice. True when the time ran out.
 */
async function deliverUntil(
  io: CliIo,
  outbox: Outbox,
  { end, since }: FlushWindow,
  stop: () => Promise<void>,
): Promise<boolean> {
  const flushing = outbox.service.flush(since);
  if (!(await expires(flushing, end))) return false;
  const underWay = outbox.service.rows().filter((row) => row.state === 'sending').length;
  io.stderr.write(
    `outbox: time is up (--timeout): no more attempts start${underWay > 0 ? `; waiting for the ${underWay} under way to end` : ''}\n`,
  );
  await stop();
  await flushing;
  return true;
}

/** Waits while another process delivers; if it quits meanwhile, this one takes over. True when the time ran out. */
async function waitForDeliverer(
  io: CliIo,
  outbox: Outbox,
  window: FlushWindow,
  stop: () => Promise<void>,
): Promise<boolean> {
  const { end } = window;
  for (;;) {
    // The app may quit while we wait: then this process holds the lock and delivers itself.
    if (outbox.isDeliverer()) return deliverUntil(io, outbox, window, stop);
    const now = Date.now();
    if (!outbox.service.hasDue(now)) return false;
    if (now > end) return true;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Calls `task` once, however often the returned function is called. */
function once(task: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => (done ??= task());
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
  const end = timeout === undefined ? Infinity : Date.now() + timeout * 1000;
  const since = new Date().toISOString();
  const core = openCore(io, { delivererRole: 'queue-flush' });
  const { outbox } = core;
  // What start() tries as it begins delivering counts as this flush's attempt (one per message).
  const requestedAt = Date.now();
  // start() takes the deliverer lock only if no other process (the app) holds it.
  await outbox.start();
  const stop = once(() => outbox.stop());
  try {
    let timedOut: boolean;
    if (outbox.isDeliverer()) {
      timedOut = await deliverUntil(io, outbox, { end, since: requestedAt }, stop);
    } else {
      // The deliverer's folder watcher sees these made due now; the facade's flush() would wait
      // for a delivery this process does not run.
      const accounts = new Set(core.accounts.list().map((account) => account.id));
      for (const row of outbox.service.rows()) {
        // Mail of a removed account stays as it is: retrying it is refused (it must move first).
        if (row.state === 'deferred' && accounts.has(row.accountId)) await outbox.service.retryNow(row.id);
      }
      const holder = await delivererLockHolder(queuePaths(core.dataDir).lock);
      const busy = lockHolderText(holder);
      if (!values.wait) {
        if (holder?.role === 'app') {
          print(io, 'The app is delivering; it was asked to send the waiting messages now.');
          return EXIT.ok;
        }
        throw new CliError(EXIT.tempFail, `${upperFirst(busy)}; try again when it ends`);
      }
      io.stderr.write(`outbox: ${busy}; waiting until every due message has been tried\n`);
      timedOut = await waitForDeliverer(io, outbox, { end, since: requestedAt }, stop);
    }
    // Attempts under way are recorded before anything is counted.
    await stop();
    await refreshTimer(io, outbox.service.rows());
    const report = flushReport(
      await deliveredSince((query) => outbox.sent.list(query), since),
      outbox.service.list(),
      core.accounts.list(),
    );
    print(io, report.summary);
    if (timedOut) io.stderr.write(`outbox: gave up after ${timeout ?? 0} s (--timeout)\n`);
    for (const hint of report.hints) io.stderr.write(`outbox: ${printable(hint)}\n`);
    return report.exitCode;
  } finally {
    await stop();
  }
}

/** The OS timer, if installed, fires at the next scheduled sends; a failure is said, not fatal. */
async function refreshTimer(io: CliIo, items: readonly QueueRow[]): Promise<void> {
  try {
    const { refreshInstalledTimer } = await import('../desktop/timer-refresh.ts');
    await refreshInstalledTimer({ platform: process.platform, env: io.env }, items);
  } catch (error) {
    io.stderr.write(
      `outbox: the delivery timer keeps its old times: ${printable(String(error instanceof Error ? error.message : error))}\n`,
    );
  }
}

const upperFirst = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

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

/** Commands on one message by id: what each says it does, and what it prints. */
const ONE_MESSAGE = {
  retry: {
    help: 'Makes a deferred, failed or held message due now.',
    run: async (core: CliCore, id: string) => {
      try {
        return `${id} ${(await core.outbox.service.retryNow(id)).state}`;
      } catch (error) {
        if (error instanceof AppError && error.code === 'account_missing') {
          throw new CliError(
            exitCodeFor(error.code),
            `${error.message} Run "outbox queue move ${id} --account NAME".`,
          );
        }
        throw error;
      }
    },
  },
  cancel: {
    help: 'Removes a message from the outbox without sending it.',
    run: async (core: CliCore, id: string) => {
      await core.outbox.service.cancel(id);
      return undefined;
    },
  },
  resend: {
    help:
      'Sends an unconfirmed message again, due now. The server may already have it (the connection\n' +
      'broke after it took the message), so recipients may get it twice.',
    run: async (core: CliCore, id: string) => `${id} ${(await core.outbox.service.resend(id)).state}`,
  },
  'mark-sent': {
    help:
      'Takes an unconfirmed message out of the outbox as sent, into the sent log (its recipients\n' +
      'stay "pending": no server confirmed them).',
    run: async (core: CliCore, id: string) => {
      await core.outbox.service.markSent(id);
      return `${id} sent`;
    },
  },
} satisfies Record<string, { help: string; run: (core: CliCore, id: string) => Promise<string | undefined> }>;

async function oneMessage(
  io: CliIo,
  sub: keyof typeof ONE_MESSAGE,
  args: readonly string[],
): Promise<number> {
  const command = ONE_MESSAGE[sub];
  const { values, positionals } = parseCommand(`queue ${sub}`, args, {});
  if (values.help) {
    print(io, `Usage: outbox queue ${sub} ID\n\n${command.help}\n`);
    return EXIT.ok;
  }
  const [id = ''] = expectPositionals(`queue ${sub}`, positionals, ['ID']);
  const core = await openQueue(io);
  try {
    const line = await command.run(core, id);
    if (line !== undefined) print(io, line);
    return EXIT.ok;
  } finally {
    // Seals this process's queue segment, so the deliverer can reclaim it.
    await core.outbox.stop();
  }
}

const MOVE_HELP = `Usage: outbox queue move ID --account NAME

Moves a waiting message (queued, scheduled, deferred, held or needing attention) to another
account, for instance when its own account was removed. Its From becomes that account's, as the
app does when it moves mail; it is due now (a scheduled one keeps its time). Prints its id and state.
`;

async function move(io: CliIo, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('queue move', args, { account: { type: 'string' } });
  if (values.help) {
    print(io, MOVE_HELP);
    return EXIT.ok;
  }
  const [id = ''] = expectPositionals('queue move', positionals, ['ID']);
  if (values.account === undefined) throw usageError('queue move needs --account NAME');
  const core = await openQueue(io);
  try {
    const target = findAccount(core.accounts, values.account);
    print(io, `${id} ${(await core.outbox.service.moveMessage(id, target.id)).state}`);
    return EXIT.ok;
  } finally {
    await core.outbox.stop();
  }
}

export async function queueCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list':
      return queueListCommand(io, rest);
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
    case 'cancel':
    case 'resend':
    case 'mark-sent':
      return oneMessage(io, sub, rest);
    case 'move':
      return move(io, rest);
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
