import path from 'node:path';
import { HEADER_UNSAFE } from '../../preload/contract/primitives.ts';
import { AppError } from '../errors/app-error.ts';
import type { ComposeRequest } from '../handoff/compose-request.ts';
import { saveHandedDraft } from '../handoff/handed-draft.ts';
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
                      [--attach PATH]…

Saves a new draft for you to finish and send in the Outbox app, opens it there if the app is
running, and prints the draft's id. Nothing is sent. File managers, scripts and the xdg-email
hook call this (see docs/handoff-compose.md).

  --to, --cc, --bcc  a recipient, "ann@example.org" or "Ann <ann@example.org>"; repeatable
  --subject TEXT     the subject
  --body TEXT        the plain-text body
  --attach PATH      attach a copy of a file; repeatable. Hidden files, files in hidden folders
                     (a name starting with ".") and files under /etc are left out, each with a
                     line on stderr: attach those in the app if you mean to.
`;

const OPTIONS = {
  to: { type: 'string', multiple: true },
  cc: { type: 'string', multiple: true },
  bcc: { type: 'string', multiple: true },
  subject: { type: 'string' },
  body: { type: 'string' },
  attach: { type: 'string', multiple: true },
} as const;

/** What `outbox compose` was asked for: a request as every door makes one, and where its files came from. */
export interface ComposeArguments {
  readonly request: ComposeRequest;
}

/** The same checks as the other doors: one mailbox per address, no line break in a header field. */
function checkRequest(request: ComposeRequest): void {
  for (const kind of ['to', 'cc', 'bcc'] as const) {
    for (const address of request[kind]) parseMailbox(address, `--${kind}`);
  }
  if (request.subject !== undefined && HEADER_UNSAFE.test(request.subject)) {
    throw new AppError('header_injection', '--subject must not contain line breaks or NUL characters.', {
      field: 'subject',
    });
  }
}

export function composeArguments(args: readonly string[]): ComposeArguments | 'help' {
  const { values, positionals } = parseCommand('compose', args, OPTIONS);
  if (values.help) return 'help';
  if (positionals.length > 0) {
    throw usageError(`"outbox compose" takes options only (see "outbox compose --help")`);
  }
  const request: ComposeRequest = {
    to: values.to ?? [],
    cc: values.cc ?? [],
    bcc: values.bcc ?? [],
    ...(values.subject === undefined ? {} : { subject: values.subject }),
    ...(values.body === undefined ? {} : { body: values.body }),
    attachments: (values.attach ?? []).map((file) => path.resolve(file)),
  };
  checkRequest(request);
  return { request };
}

/** Whether the app runs on this data folder: it holds the deliverer lock while it does. */
async function appIsRunning(dataDir: string): Promise<boolean> {
  return (await delivererLockHolder(queuePaths(dataDir).lock))?.role === 'app';
}

export async function composeCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const parsed = composeArguments(args);
  if (parsed === 'help') {
    print(io, COMPOSE_HELP);
    return EXIT.ok;
  }
  const { request } = parsed;
  const dataDir = dataLocation(io.env);
  prepareSettingsFolder(dataDir);
  const drafts = createDraftStore(path.join(dataDir, 'drafts'), {
    info: () => undefined,
    warn: (message, details) => io.stderr.write(logLines('warning', message, details)),
    error: (message, details) => io.stderr.write(logLines('error', message, details)),
  });
  const draft = await saveHandedDraft(
    { drafts, edits: queuePaths(dataDir).edits },
    request,
    request.attachments,
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
