import type { Readable } from 'node:stream';
import { enableCompileCache } from './compile-cache.ts';
import { groupHelp, ignoreClosedPipe, processStdin, type CliIo } from './cli-io.ts';
import { describeFailure, usageError } from './exit-codes.ts';
import { ACCOUNTS_HELP, onlyGroupHelp, QUEUE_HELP } from './group-help.ts';

export const MAIN_HELP = `Usage: outbox <command> [options]

The Outbox app's queue from a terminal: the same accounts, keychain and outbox.

  send            queue a message built from options
  sendmail        queue an RFC 5322 message read on stdin (sendmail-compatible)
  queue           list, show, flush, retry or cancel queued messages
  accounts        list, add, discover, test, remove, pause or resume accounts
  sent            list delivered messages
  compose         save a draft to finish in the app (what mailto: and "send by mail" call)

"outbox <command> --help" describes each command. Data folder: the app's, or $OUTBOX_HOME.
Exit status follows sysexits(3); see docs/cli.md.
`;

/** Runs one command line; never throws: failures become one line on stderr and an exit code. */
export async function runCli(io: CliIo, argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  try {
    switch (command) {
      // Each command's module is loaded only when it runs: `outbox --help` or `sendmail` would
      // otherwise pay for every command's imports (issue 17).
      case 'send':
        return await (await import('./send-command.ts')).sendCommand(io, args);
      case 'sendmail':
        return await (await import('./sendmail-command.ts')).sendmailCommand(io, args);
      case 'queue':
        // As queueCommand answers, without loading it.
        if (onlyGroupHelp(args)) return groupHelp(io, args.length > 0, QUEUE_HELP);
        // The command scripts run most, without the other queue commands' imports (the whole core).
        if (args[0] === 'list')
          return await (await import('./queue-list.ts')).queueListCommand(io, args.slice(1));
        return await (await import('./queue-commands.ts')).queueCommand(io, args);
      case 'accounts':
        if (onlyGroupHelp(args)) return groupHelp(io, args.length > 0, ACCOUNTS_HELP);
        return await (await import('./accounts-commands.ts')).accountsCommand(io, args);
      case 'sent':
        return await (await import('./sent-commands.ts')).sentCommand(io, args);
      case 'compose':
        return await (await import('./compose-command.ts')).composeCommand(io, args);
      case '--help':
      case '-h':
      case 'help':
      case undefined:
        return groupHelp(io, command !== undefined, MAIN_HELP);
      default:
        throw usageError(`unknown command ${JSON.stringify(command)} (see "outbox --help")`);
    }
  } catch (error) {
    const { message, exitCode } = describeFailure(error);
    io.stderr.write(`outbox: ${message}\n`);
    return exitCode;
  }
}

/**
 * The last resort for a throw no command caught (from a timer or a callback, after the command
 * returned): one line and an exit code, as for any failure, never Node's stack trace.
 */
function exitOnStrayError(stderr: NodeJS.WritableStream): (error: unknown) => void {
  let reported = false;
  const report = (error: unknown) => {
    if (reported) return;
    reported = true;
    const { message, exitCode } = describeFailure(error);
    process.exitCode = exitCode;
    // exit(): the process is in an unknown state and may never end by itself; after the line is out.
    stderr.write(`outbox: ${message}\n`, () => process.exit(exitCode));
  };
  process.on('uncaughtException', report);
  process.on('unhandledRejection', report);
  return report;
}

/**
 * The process's streams, stdin made when a command first reads it: most commands never do, and
 * Node's stdin on a pipe loads node:net (~5 ms and 2.5 MB a run, issue 17).
 */
function processIo(): CliIo {
  let stdin: Readable | undefined;
  return {
    get stdin() {
      return (stdin ??= processStdin());
    },
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  };
}

/** The process entry: bin/outbox.js imports this, and the installed executable (sea-entry.ts). */
export async function main(): Promise<void> {
  enableCompileCache();
  const report = exitOnStrayError(process.stderr);
  ignoreClosedPipe(process.stdout, report);
  ignoreClosedPipe(process.stderr, report);
  const code = await runCli(processIo(), process.argv.slice(2));
  // exitCode, not exit(): stdout may still be flushing into a pipe.
  process.exitCode = code;
}
