import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Account } from '../../preload/contract/accounts.ts';
import { lateLimitMinutes, type ComposeInput } from '../../preload/contract/compose.ts';
import { parseMailbox } from '../mail/address.ts';
import { accountSendingAs } from '../mail/sending-identity.ts';
import { parseCommand, expectPositionals } from './cli-args.ts';
import { findAccount, openCore } from './cli-core.ts';
import { print, readAll, type CliIo } from './cli-io.ts';
import { CliError, EXIT, usageError } from './exit-codes.ts';
import { decodeText } from './text-input.ts';

export const SEND_HELP = `Usage: outbox send [--account NAME|ID] [--from ADDR] --to ADDR [--to ADDR]… [--cc ADDR]… [--bcc ADDR]…
                   --subject TEXT (--text TEXT | --text-file FILE) [--html-file FILE]
                   [--charset NAME] [--attach PATH]… [--at TIME [--late-limit TIME]]
                   [--in-reply-to ID]

Queues a message and prints its queue id. It is delivered by the app, or by "outbox queue flush".

  --account NAME|ID  the account's label, id or address (default: the account that sends as
                     --from, else the default account)
  --from ADDR        send as one of the account's aliases (or its own address), "Name <addr>" or addr
  --to, --cc, --bcc  a recipient, "ann@example.org" or "Ann <ann@example.org>"; repeatable
  --subject TEXT     the subject
  --text TEXT        the plain-text body
  --text-file FILE   read the plain-text body from FILE ("-" for stdin)
  --html-file FILE   read an HTML body from FILE
  --charset NAME     the character set of those files (default: they must be UTF-8), e.g.
                     iso-8859-15, windows-1252, shift_jis; the message is sent as UTF-8
  --attach PATH      attach a file; repeatable
  --at TIME          send later, at an ISO 8601 time: 2026-12-01T08:00 (local time), or with
                     seconds and an offset, 2026-12-01T08:00:00+01:00 or 2026-12-01T07:00Z;
                     or a time from now: +30m, +2h, +1d
  --late-limit TIME  with --at: if Outbox could not send it by then (the computer was off), hold
                     it rather than send it more than TIME late: 30m, 2h, 1d (whole minutes,
                     hours or days)
  --in-reply-to ID   a reply to the message with Message-ID ID, "<id@host>": sets In-Reply-To
                     and References so mail programs thread it
`;

const OPTIONS = {
  account: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string', multiple: true },
  cc: { type: 'string', multiple: true },
  bcc: { type: 'string', multiple: true },
  subject: { type: 'string' },
  text: { type: 'string' },
  'text-file': { type: 'string' },
  'html-file': { type: 'string' },
  charset: { type: 'string' },
  attach: { type: 'string', multiple: true },
  at: { type: 'string' },
  'late-limit': { type: 'string' },
  'in-reply-to': { type: 'string' },
} as const;

/** ISO 8601 with a full date and time; seconds, a fraction of them and an offset are optional. */
const ISO_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?)(Z|[+-]\d{2}:\d{2})?$/;

/**
 * The account to send through: --account when given; else the one that sends as --from (its own
 * address or an alias), as sendmail picks by the message's From; else the default account.
 */
function accountFor(
  accounts: readonly Account[],
  wanted: string | undefined,
  from: string | undefined,
): Account {
  const list = { list: () => accounts };
  if (wanted !== undefined || from === undefined) return findAccount(list, wanted);
  // One that does not parse is refused here as the outbox would refuse it (invalid_address, from).
  const { address } = parseMailbox(from, 'from');
  const fallback = findAccount(list, undefined);
  return accountSendingAs(accounts, address, fallback.id) ?? fallback;
}

/** A time from now, whole minutes, hours or days: a script or a cron line that never goes stale. */
const FROM_NOW = /^\+(\d{1,6})([mhd])$/;
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * The --at time as an ISO instant. Only the ISO form or a time from now: Date.parse alone takes
 * "Dec 24 08:00" as 2001 and "1" as a year, and a time in the past would send at once, which --at
 * never means.
 */
function sendAtOption(value: string): string {
  const at = fromNow(value) ?? isoTime(value);
  if (at.getTime() <= Date.now()) {
    throw usageError(
      `--at: ${JSON.stringify(value)} is in the past (${at.toISOString()}); leave --at out to send now`,
    );
  }
  return at.toISOString();
}

function fromNow(value: string): Date | undefined {
  const [, amount, unit = ''] = FROM_NOW.exec(value) ?? [];
  const unitMs = UNIT_MS[unit];
  return amount === undefined || unitMs === undefined
    ? undefined
    : new Date(Date.now() + Number(amount) * unitMs);
}

function isoTime(value: string): Date {
  const [, date, time, offset = ''] = ISO_TIME.exec(value) ?? [];
  const wall = `${date}T${time}`;
  // Without an offset this is local time, as ECMAScript reads the ISO form.
  const at = new Date(`${wall}${offset}`);
  // Date rolls 2026-02-30 over to March 2: the date and time must also read back as written.
  if (
    date === undefined ||
    Number.isNaN(at.getTime()) ||
    !new Date(`${wall}Z`).toISOString().startsWith(wall)
  ) {
    throw usageError(
      `--at: ${JSON.stringify(value)} is not a date and time like 2026-12-24T08:00 (local time), 2026-12-24T08:00:00+01:00 or 2026-12-24T07:00Z, nor a time from now like +2h`,
    );
  }
  return at;
}

const LATE_LIMIT = /^(\d{1,6})([mhd])$/;
const UNIT_MINUTES: Readonly<Record<string, number>> = { m: 1, h: 60, d: 1440 };

/** --late-limit in minutes, within what the contract takes. */
function lateLimitOption(value: string): number {
  const [, amount, unit = ''] = LATE_LIMIT.exec(value) ?? [];
  const minutes = amount === undefined ? undefined : Number(amount) * (UNIT_MINUTES[unit] ?? Number.NaN);
  if (minutes === undefined || !lateLimitMinutes.safeParse(minutes).success) {
    throw usageError(
      `--late-limit: ${JSON.stringify(value)} is not a time like 30m, 2h or 1d between a minute and a year`,
    );
  }
  return minutes;
}

async function readBody(
  io: CliIo,
  option: string,
  file: string,
  charset: string | undefined,
): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = file === '-' ? await readAll(io.stdin) : await fsp.readFile(file);
  } catch {
    throw new CliError(EXIT.noInput, `cannot read ${file}`);
  }
  return decodeText(bytes, `${option} ${file}`, charset);
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
  const sendAt = values.at === undefined ? undefined : sendAtOption(values.at);
  const lateLimit = values['late-limit'];
  if (lateLimit !== undefined && sendAt === undefined) throw usageError('--late-limit needs --at');
  const lateMinutes = lateLimit === undefined ? undefined : lateLimitOption(lateLimit);
  const { charset } = values;
  const textFile = values['text-file'];
  const htmlFile = values['html-file'];
  const text = textFile === undefined ? values.text : await readBody(io, '--text-file', textFile, charset);
  const html = htmlFile === undefined ? undefined : await readBody(io, '--html-file', htmlFile, charset);

  const core = openCore(io);
  const account = accountFor(core.accounts.list(), values.account, values.from);
  const request: ComposeInput = {
    accountId: account.id,
    // Checked against the account's own address and aliases as the app's From menu is.
    ...(values.from === undefined ? {} : { from: values.from }),
    to: values.to ?? [],
    cc: values.cc ?? [],
    bcc: values.bcc ?? [],
    subject: values.subject,
    ...(text === undefined ? {} : { text }),
    ...(html === undefined ? {} : { html }),
    attachments: (values.attach ?? []).map((file) => ({ path: path.resolve(file) })),
    ...(sendAt === undefined ? {} : { sendAt }),
    ...(lateMinutes === undefined ? {} : { lateLimitMinutes: lateMinutes }),
    // Checked by the contract's header rule, as the window's is.
    ...(values['in-reply-to'] === undefined ? {} : { inReplyTo: values['in-reply-to'] }),
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
