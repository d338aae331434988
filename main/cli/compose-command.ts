import path from 'node:path';
import { MAX_RECIPIENTS, tooManyRecipients } from '../../preload/contract/compose.ts';
import { HEADER_UNSAFE } from '../../preload/contract/primitives.ts';
import { AppError } from '../errors/app-error.ts';
import type { ComposeRequest } from '../handoff/compose-request.ts';
import { saveHandedDraft } from '../handoff/handed-draft.ts';
import { parseMailto } from '../handoff/mailto.ts';
import { screenHandedFiles } from '../handoff/screened-files.ts';
import { writeOpenRequest } from '../handoff/open-requests.ts';
import { parseMailbox } from '../mail/address.ts';
import { createDraftStore } from '../drafts/draft-store.ts';
import { delivererLockHolder } from '../outbox/delivery/deliverer-lock.ts';
import { queuePaths } from '../outbox/store/queue-paths.ts';
import { prepareSettingsFolder } from '../settings/settings-file.ts';
import { parseCommand } from './cli-args.ts';
import { print, type CliIo } from './cli-io.ts';
import { logLines } from './cli-log.ts';
import { dataLocation } from './data-location.ts';
import { EXIT, usageError } from './exit-codes.ts';

export const COMPOSE_HELP = `Usage: outbox compose [--to ADDR]… [--cc ADDR]… [--bcc ADDR]… [--subject TEXT] [--body TEXT]
                      [--attach PATH]… [mailto:URL]

Saves a new draft for you to finish and send in the Outbox app, opens it there if the app is
running, and prints the draft's id. Nothing is sent. File managers, scripts and the xdg-email
hook call this (see docs/handoff-compose.md).

  --to, --cc, --bcc  a recipient, "ann@example.org" or "Ann <ann@example.org>"; repeatable
  --subject TEXT     the subject
  --body TEXT        the plain-text body
  --attach PATH      attach a copy of a file; repeatable. Hidden files, files in hidden folders
                     (a name starting with ".") and files under /etc are left out, each with a
                     line on stderr: attach those in the app if you mean to.
  mailto:URL         a mailto: URL (RFC 6068): its to, cc, bcc, subject, body and attach= files.
                     The options add to its recipients and files; --subject and --body replace its own.
`;

const OPTIONS = {
  to: { type: 'string', multiple: true },
  cc: { type: 'string', multiple: true },
  bcc: { type: 'string', multiple: true },
  subject: { type: 'string' },
  body: { type: 'string' },
  attach: { type: 'string', multiple: true },
} as const;

/** The same checks as `send` makes of its options: one mailbox per address, no line break in the subject. */
function checkOptions(request: ComposeRequest): void {
  for (const kind of ['to', 'cc', 'bcc'] as const) {
    for (const address of request[kind]) parseMailbox(address, `--${kind}`);
  }
  if (request.subject !== undefined && HEADER_UNSAFE.test(request.subject)) {
    throw new AppError('header_injection', '--subject must not contain line breaks or NUL characters.', {
      field: 'subject',
    });
  }
}

const NOTHING: ComposeRequest = { to: [], cc: [], bcc: [], attachments: [] };

/**
 * The URL's request with the options added: recipients and files after the URL's, --subject and
 * --body instead of its own (the person typing the command has the last word over what a program
 * put in the URL). The URL is the user's or a program's they run, so its attach= files count.
 */
export function mergedRequest(url: ComposeRequest, options: ComposeRequest): ComposeRequest {
  const merged: ComposeRequest = {
    to: [...url.to, ...options.to],
    cc: [...url.cc, ...options.cc],
    bcc: [...url.bcc, ...options.bcc],
    attachments: [...url.attachments, ...options.attachments],
    ...((options.subject ?? url.subject) === undefined ? {} : { subject: options.subject ?? url.subject }),
    ...((options.body ?? url.body) === undefined ? {} : { body: options.body ?? url.body }),
    ...(url.inReplyTo === undefined ? {} : { inReplyTo: url.inReplyTo }),
  };
  const count = merged.to.length + merged.cc.length + merged.bcc.length;
  if (count > MAX_RECIPIENTS) {
    throw new AppError('too_many_recipients', tooManyRecipients(count), { field: 'recipients' });
  }
  return merged;
}

/** The request the command line makes, checked; 'help' for --help. */
export function composeArguments(args: readonly string[]): ComposeRequest | 'help' {
  const { values, positionals } = parseCommand('compose', args, OPTIONS);
  if (values.help) return 'help';
  const [url, ...more] = positionals;
  if (more.length > 0 || (url !== undefined && !/^mailto:/i.test(url))) {
    throw usageError(
      '"outbox compose" takes options and at most one mailto: URL (see "outbox compose --help")',
    );
  }
  const options: ComposeRequest = {
    to: values.to ?? [],
    cc: values.cc ?? [],
    bcc: values.bcc ?? [],
    ...(values.subject === undefined ? {} : { subject: values.subject }),
    ...(values.body === undefined ? {} : { body: values.body }),
    attachments: (values.attach ?? []).map((file) => path.resolve(file)),
  };
  checkOptions(options);
  // attach= paths stay as written: xdg-email writes them absolute, and a relative one, which names
  // no file anyone chose, is left out by the screen. --attach is resolved: the user typed it here.
  return mergedRequest(url === undefined ? NOTHING : parseMailto(url, 'program'), options);
}

/** Whether the app runs on this data folder: it holds the deliverer lock while it does. */
async function appIsRunning(dataDir: string): Promise<boolean> {
  return (await delivererLockHolder(queuePaths(dataDir).lock))?.role === 'app';
}

export async function composeCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const request = composeArguments(args);
  if (request === 'help') {
    print(io, COMPOSE_HELP);
    return EXIT.ok;
  }
  const dataDir = dataLocation(io.env);
  prepareSettingsFolder(dataDir);
  const drafts = createDraftStore(path.join(dataDir, 'drafts'), {
    info: () => undefined,
    warn: (message, details) => io.stderr.write(logLines('warning', message, details)),
    error: (message, details) => io.stderr.write(logLines('error', message, details)),
  });
  const { kept, leftOut } = await screenHandedFiles(request.attachments);
  for (const file of leftOut) io.stderr.write(`outbox: ${file.message}\n`);
  const draft = await saveHandedDraft(
    { drafts, edits: queuePaths(dataDir).edits },
    request,
    kept,
    '--attach',
  );
  if (await appIsRunning(dataDir)) {
    await writeOpenRequest(dataDir, draft.id);
  } else {
    io.stderr.write('outbox: Outbox is not running: open Outbox, the draft is in Drafts.\n');
  }
  print(io, draft.id);
  return EXIT.ok;
}
