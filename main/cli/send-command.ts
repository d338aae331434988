import fsp from 'node:fs/promises';
import path from 'node:path';
import type { ComposeInput } from '../../preload/contract/compose.ts';
import { parseCommand, expectPositionals } from './cli-args.ts';
import { findAccount, openCore } from './cli-core.ts';
import { print, readAll, type CliIo } from './cli-io.ts';
import { CliError, EXIT, usageError } from './exit-codes.ts';

export const SEND_HELP = `Usage: outbox send [--account NAME|ID] --to ADDR [--to ADDR]… [--cc ADDR]… [--bcc ADDR]…
                   --subject TEXT (--text TEXT | --text-file FILE) [--html-file FILE]
                   [--attach PATH]… [--at TIME]

Queues a message and prints its queue id. It is delivered by the app, or by "outbox queue flush".

  --account NAME|ID  the account's label, id or address (default: the default account)
  --to, --cc, --bcc  a recipient, "ann@example.org" or "Ann <ann@example.org>"; repeatable
  --subject TEXT     the subject
  --text TEXT        the plain-text body
  --text-file FILE   read the plain-text body from FILE ("-" for stdin)
  --html-file FILE   read an HTML body from FILE
  --attach PATH      attach a file; repeatable
  --at TIME          send later, e.g. 2026-12-01T08:00:00+01:00
`;

const OPTIONS = {
  account: { type: 'string' },
  to: { type: 'string', multiple: true },
  cc: { type: 'string', multiple: true },
  bcc: { type: 'string', multiple: true },
  subject: { type: 'string' },
  text: { type: 'string' },
  'text-file': { type: 'string' },
  'html-file': { type: 'string' },
  attach: { type: 'string', multiple: true },
  at: { type: 'string' },
} as const;

async function readBody(io: CliIo, file: string): Promise<string> {
  try {
    return file === '-' ? (await readAll(io.stdin)).toString('utf8') : await fsp.readFile(file, 'utf8');
  } catch {
    throw new CliError(EXIT.noInput, `cannot read ${file}`);
  }
}

export async function sendCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('send', args, OPTIONS);
  if (values.help) {
    print(io, SEND_HELP);
    return EXIT.ok;
  }
  expectPositionals('send', positionals, []);
  if (values.subject === undefined) throw usageError('--subject is required (use --subject "" for none)');
  if (values.text !== undefined && values['text-file'] !== undefined) {
    throw usageError('give --text or --text-file, not both');
  }
  let sendAt: string | undefined;
  if (values.at !== undefined) {
    const at = Date.parse(values.at);
    if (Number.isNaN(at)) throw usageError(`--at: "${values.at}" is not a date and time`);
    sendAt = new Date(at).toISOString();
  }
  const text = values['text-file'] === undefined ? values.text : await readBody(io, values['text-file']);
  const html = values['html-file'] === undefined ? undefined : await readBody(io, values['html-file']);

  const core = openCore(io);
  const account = findAccount(core.accounts, values.account);
  const request: ComposeInput = {
    accountId: account.id,
    to: values.to ?? [],
    cc: values.cc ?? [],
    bcc: values.bcc ?? [],
    subject: values.subject,
    ...(text === undefined ? {} : { text }),
    ...(html === undefined ? {} : { html }),
    attachments: (values.attach ?? []).map((file) => ({ path: path.resolve(file) })),
    ...(sendAt === undefined ? {} : { sendAt }),
  };
  await core.outbox.open();
  try {
    const item = await core.outbox.service.enqueue(request);
    print(io, item.id);
    return EXIT.ok;
  } finally {
    // Seals this process's queue segment, so the deliverer can reclaim it.
    await core.outbox.stop();
  }
}
