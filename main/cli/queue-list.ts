import type { Writable } from 'node:stream';
import type { QueueItem } from '../../preload/contract/outbox.ts';
import { expectPositionals, parseCommand } from './cli-args.ts';
import { print, type CliIo } from './cli-io.ts';
import { EXIT } from './exit-codes.ts';
import { labelsOf, queueMessage, queueMessageJson } from './json-output.ts';
import { tuneForOnePass } from '../core/one-pass-heap.ts';
import { openListing } from './listing-core.ts';

type AccountLabels = ReadonlyMap<string, string>;

/** Output gathered into writes of about this size: one write per line would cost more than the lines. */
const CHUNK_CHARS = 64 * 1024;

/** `outbox queue list [--json]`: its own module, so listing loads none of the other queue commands. */
export async function queueListCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('queue list', args, { json: { type: 'boolean' } });
  if (values.help) {
    print(io, 'Usage: outbox queue list [--json]\n\nThe messages in the outbox, oldest first.\n');
    return EXIT.ok;
  }
  expectPositionals('queue list', positionals, []);
  tuneForOnePass();
  const listing = await openListing(io);
  try {
    await writeQueueList(io.stdout, listing.items(), labelsOf(listing.accounts), values.json === true);
  } finally {
    await listing.close();
  }
  return EXIT.ok;
}

/** One message as `queue list` prints it: tab-separated fields. */
export function listLine(item: QueueItem, labels: AccountLabels): string {
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

/**
 * Writes the listing as the items come (the outbox reads each from disk as it is reached), so a
 * queue of any length is never held whole. `--json` writes the same bytes `printJson` would for
 * `{ version: 1, messages }`. Stops early, without error, once `out` is closed (a reader like
 * `head` that has seen enough).
 */
export async function writeQueueList(
  out: Writable,
  items: Iterable<QueueItem>,
  labels: AccountLabels,
  json: boolean,
): Promise<void> {
  const writer = new ChunkedWriter(out);
  if (!json) {
    for (const item of items) if (!(await writer.add(`${listLine(item, labels)}\n`))) return;
    await writer.end();
    return;
  }
  let first = true;
  for (const item of items) {
    // Each element as JSON.stringify(whole, null, 2) indents it: two levels deep.
    const element = JSON.stringify(queueMessageJson.parse(queueMessage(item, labels)), null, 2);
    const text = `${first ? '{\n  "version": 1,\n  "messages": [\n' : ',\n'}${element.replace(/^/gm, '    ')}`;
    first = false;
    if (!(await writer.add(text))) return;
  }
  await writer.add(first ? '{\n  "version": 1,\n  "messages": []\n}\n' : '\n  ]\n}\n');
  await writer.end();
}

/** Gathers text into chunks and waits for the stream to drain; false once it is closed. */
class ChunkedWriter {
  private pending = '';
  private readonly out: Writable;

  constructor(out: Writable) {
    this.out = out;
  }

  async add(text: string): Promise<boolean> {
    this.pending += text;
    if (this.pending.length < CHUNK_CHARS) return !this.closed();
    return this.end();
  }

  /** Writes what is gathered; false once the stream is closed. */
  async end(): Promise<boolean> {
    if (this.closed()) return false;
    const text = this.pending;
    this.pending = '';
    if (text === '' || this.out.write(text)) return true;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('close', done);
        this.out.off('error', done);
        resolve();
      };
      this.out.on('drain', done).on('close', done).on('error', done);
    });
    return !this.closed();
  }

  private closed(): boolean {
    return this.out.destroyed || this.out.writableEnded;
  }
}
