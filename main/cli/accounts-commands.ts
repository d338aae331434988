import { connectionReport, type Account } from '../../preload/contract/accounts.ts';
import { addCommand } from './accounts/add-command.ts';
import { whileAppIsClosed } from './accounts/app-closed.ts';
import { discoverCommand } from './accounts/discover-command.ts';
import { editCommand } from './accounts/edit-command.ts';
import { pinCommand } from './accounts/pin-command.ts';
import { testFailure } from './accounts/server-certificate.ts';
import { setPasswordCommand } from './accounts/set-password-command.ts';
import { signinCommand } from './accounts/signin-command.ts';
import { expectPositionals, parseCommand } from './cli-args.ts';
import { findAccount, openCore, type CliCore } from './cli-core.ts';
import { groupHelp, print, type CliIo } from './cli-io.ts';
import { ACCOUNTS_HELP } from './group-help.ts';
import { EXIT, usageError } from './exit-codes.ts';
import { accountEntry, accountsListJson, isSignedIn, printJson } from './json-output.ts';

/** How an account signs in, as the list shows it. */
function signInText(account: Account): string {
  if (account.auth !== 'oauth2') return account.auth;
  if (!isSignedIn(account)) return 'oauth2, needs sign-in';
  return account.signedInAs ? `oauth2, signed in as ${account.signedInAs}` : 'oauth2, signed in';
}

function listText(accounts: readonly Account[]): string {
  return accounts
    .map((a) =>
      [
        `${a.isDefault ? '*' : ' '} ${a.label}`,
        a.fromAddress,
        `${a.host}:${a.port}/${a.security}`,
        signInText(a),
        a.paused ? 'paused' : a.attention ? `needs attention: ${a.attention.message}` : 'ok',
        a.id,
      ].join('\t'),
    )
    .join('\n');
}

function list(io: CliIo, args: readonly string[]): number {
  const { values, positionals } = parseCommand('accounts list', args, { json: { type: 'boolean' } });
  if (values.help) {
    print(io, 'Usage: outbox accounts list [--json]\n\nThe accounts; * marks the default one.\n');
    return EXIT.ok;
  }
  expectPositionals('accounts list', positionals, []);
  const accounts = openCore(io).accounts.list();
  if (values.json) printJson(io, accountsListJson, { version: 1, accounts: accounts.map(accountEntry) });
  else if (accounts.length > 0) print(io, listText(accounts));
  return EXIT.ok;
}

async function test(io: CliIo, core: CliCore, account: Account, json: boolean): Promise<number> {
  const report = await core.accounts.test(account.id);
  if (json) {
    io.stdout.write(`${JSON.stringify(connectionReport.parse(report), null, 2)}\n`);
  } else {
    for (const step of report.steps) {
      print(io, `${step.status.padEnd(7)} ${step.step.padEnd(9)} ${step.detail}`);
      if (step.hint) print(io, `        ${step.hint}`);
    }
  }
  if (report.ok) return EXIT.ok;
  const { message, exitCode } = testFailure(report);
  io.stderr.write(`outbox: ${account.label}: ${message}\n`);
  return exitCode;
}

/** The commands that take one account and few options: test, remove, pause, resume. */
async function onAccount(io: CliIo, sub: string, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand(`accounts ${sub}`, args, {
    json: { type: 'boolean' },
    'move-to': { type: 'string' },
  });
  if (values.help) {
    print(io, ACCOUNTS_HELP);
    return EXIT.ok;
  }
  if (values.json && sub !== 'test') throw usageError(`"accounts ${sub}" has no --json output`);
  if (values['move-to'] !== undefined && sub !== 'remove')
    throw usageError('--move-to is only for "accounts remove"');
  const [name = ''] = expectPositionals(`accounts ${sub}`, positionals, ['NAME']);
  const core = openCore(io);
  const account = findAccount(core.accounts, name);
  if (sub === 'test') return test(io, core, account, values.json === true);
  const target = values['move-to'] === undefined ? undefined : findAccount(core.accounts, values['move-to']);
  await whileAppIsClosed(core, async () => {
    if (sub === 'remove') {
      await core.accounts.remove({
        id: account.id,
        queued: target ? { action: 'move', toAccountId: target.id } : { action: 'hold' },
      });
    } else {
      core.accounts.setPaused(account.id, sub === 'pause');
    }
  });
  return EXIT.ok;
}

export async function accountsCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add':
      return addCommand(io, rest);
    case 'discover':
      return discoverCommand(io, rest);
    case 'edit':
      return editCommand(io, rest);
    case 'set-password':
      return setPasswordCommand(io, rest);
    case 'signin':
      return signinCommand(io, rest);
    case 'pin':
      return pinCommand(io, rest);
    case 'list':
      return list(io, rest);
    case 'test':
    case 'remove':
    case 'pause':
    case 'resume':
      return onAccount(io, sub, rest);
    case '--help':
    case '-h':
    case undefined:
      return groupHelp(io, sub !== undefined, ACCOUNTS_HELP);
    default:
      throw usageError(`unknown command ${JSON.stringify(`accounts ${sub}`)} (see "outbox accounts --help")`);
  }
}
