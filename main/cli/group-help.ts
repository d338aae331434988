// The command groups' help, apart from their commands: `outbox queue --help` answers without
// loading the queue, the accounts or anything else (issue 17).

export const QUEUE_HELP = `Usage: outbox queue <command>

  list [--json]               the messages in the outbox
  show ID [--json]            one message, with each recipient's state and the server's last reply
  flush [--wait] [--timeout S]  deliver now (see "outbox queue flush --help")
  retry ID                    try a deferred, failed or held message again now
  cancel ID                   remove a message from the outbox without sending it
  resend ID                   send an unconfirmed message again (it may arrive twice)
  mark-sent ID                take an unconfirmed message out as sent, into the sent log
  move ID --account NAME      move a waiting message to another account
  damaged [--json]            what was set aside as unreadable or damaged, and where it is kept
  restore KEY                 bring a set-aside message back into the outbox (KEY from "damaged")
`;

export const ACCOUNTS_HELP = `Usage: outbox accounts <command>

  list [--json]        the accounts, the default one marked with *
  add …                add an account (see "outbox accounts add --help")
  discover ADDRESS [--json]  find the outgoing server for an address; adds nothing
  edit NAME …          change an account (see "outbox accounts edit --help")
  set-password NAME    save the account's password, read from stdin
  signin NAME [--no-browser]  sign an OAuth2 account in (again) in your browser
  test NAME [--json]   connect, sign in and report each step
  pin NAME [--cert SHA256]  show the server's certificate; with --cert, trust only it
  remove NAME [--move-to NAME]  delete an account; its queued mail is held, or moved
  pause NAME           hold the account's mail until "resume"
  resume NAME          deliver the account's mail again

NAME is an account's label, id or address.
`;

/** Whether a group's arguments ask only for its help (or name no subcommand: the help, as usage). */
export function onlyGroupHelp(args: readonly string[]): boolean {
  const [sub] = args;
  return sub === undefined || sub === '--help' || sub === '-h';
}
