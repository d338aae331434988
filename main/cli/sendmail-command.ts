import { parseCommand } from './cli-args.ts';
import { findAccount } from './cli-settings.ts';
import { print, readAll, readFailure, type CliIo } from './cli-io.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { openSendmailCore } from './sendmail-core.ts';

export const SENDMAIL_HELP = `Usage: outbox sendmail [-t] [-i|-oi] [-f FROM] [--account NAME|ID] [RECIPIENT]…

Reads a complete RFC 5322 message on stdin, queues it and returns at once, like sendmail.
The stored message is sent byte for byte (line endings become CRLF); Bcc and Resent-Bcc headers
are removed, their addresses still receive the message. Message-ID, Date and From are added when
missing. Mail between local user names, as cron sends it (From: root, to root), is sent through the
account: a From without a domain becomes the account's address and keeps its name, a recipient
without one becomes the address for local mail (a setting; default: the default account's address).

  -t                 also send to the To, Cc and Bcc addresses in the message (to the Resent-To,
                     Resent-Cc and Resent-Bcc ones instead, when it has any)
  -f FROM            the envelope sender (MAIL FROM); default, or a user name: the account's address;
                     -f '<>' (or '') sends MAIL FROM:<>, as bounces and auto-replies do
  -F NAME            the sender's name, for a From that is added or that has no domain
  -i, -oi            accepted for compatibility: a line with a single "." never ends the input
  --account NAME|ID  the account to send through; default: the account whose address or alias
                     is in From, else the default account
  -B TYPE, -oX       accepted and ignored, as other sendmail replacements do

Examples:
  git send-email --sendmail-cmd="outbox sendmail" --to dev@example.org 000*.patch
  printf 'Subject: backup\\n\\ndone\\n' | outbox sendmail admin@example.org
`;

const OPTIONS = {
  t: { type: 'boolean', short: 't' },
  i: { type: 'boolean', short: 'i' },
  f: { type: 'string', short: 'f' },
  o: { type: 'string', short: 'o', multiple: true },
  F: { type: 'string', short: 'F' },
  B: { type: 'string', short: 'B' },
  account: { type: 'string' },
} as const;

export async function sendmailCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('sendmail', args, OPTIONS);
  if (values.help) {
    print(io, SENDMAIL_HELP);
    return EXIT.ok;
  }
  const core = openSendmailCore(io);
  // An explicit --account must exist; without one the message's From picks the account.
  const explicit = values.account === undefined ? undefined : findAccount(core.accounts, values.account);
  const defaultAccount = findAccount(core.accounts, undefined);
  const fallback = explicit ?? defaultAccount;
  let bytes: Buffer;
  try {
    bytes = await readAll(io.stdin);
  } catch (error) {
    throw new CliError(EXIT.noInput, `cannot read the message from stdin: ${readFailure(error)}`);
  }
  await core.open();
  try {
    // Silent on success, as sendmail is: cron and git send-email show whatever it prints.
    await core.enqueueRaw({
      bytes,
      accountId: explicit?.id,
      defaultAccountId: fallback.id,
      recipients: positionals,
      recipientsFromHeaders: values.t === true,
      envelopeFrom: values.f,
      fullName: values.F,
      localMailAddress: core.settings.get().localMailAddress || defaultAccount.fromAddress,
    });
    return EXIT.ok;
  } finally {
    // Seals this process's queue segment, so the deliverer can reclaim it.
    await core.stop();
  }
}
