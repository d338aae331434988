import { expectPositionals, parseCommand } from '../cli-args.ts';
import { findAccount, openCore } from '../cli-core.ts';
import { print, type CliIo } from '../cli-io.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { accountSignInJson, accountEntry, printJson } from '../json-output.ts';
import { whileAppIsClosed } from './app-closed.ts';

const SIGNIN_HELP = `Usage: outbox accounts signin NAME [--no-browser] [--json]

Signs an OAuth2 account in again in your browser (after "needs sign-in": the provider refused its
saved sign-in). The browser opens at the provider's page, and the address is also printed on
stderr; Ctrl-C cancels and changes nothing. Its held mail goes at the next "outbox queue flush",
or when the app next runs.

  --no-browser  do not open a browser: only print the sign-in address on stderr
  --json        print the signed-in account as "accounts list --json" shows it

A password account switches with "outbox accounts edit NAME --oauth" first.
`;

/** How to name the account in a command to type: its label when the shell takes it as is, else its id. */
const nameToType = (account: { label: string; id: string }) =>
  /^[\w@.+-]+$/.test(account.label) ? account.label : account.id;

export async function signinCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('accounts signin', args, {
    'no-browser': { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help) {
    print(io, SIGNIN_HELP);
    return EXIT.ok;
  }
  const [name = ''] = expectPositionals('accounts signin', positionals, ['NAME']);
  const core = openCore(io);
  const account = findAccount(core.accounts, name);
  if (account.auth !== 'oauth2') {
    throw usageError(
      `"${account.label}" signs in with ${account.auth === 'none' ? 'no sign-in' : 'a password'}: switch it to OAuth2 with "outbox accounts edit ${nameToType(account)} --oauth" (it keeps its queued mail)`,
    );
  }
  // Loaded only here: the other commands never need the terminal's sign-in.
  const { signInFromTerminal } = await import('./terminal-sign-in.ts');
  const signedIn = await whileAppIsClosed(core, () =>
    signInFromTerminal(io, core, account.id, { openBrowser: values['no-browser'] !== true }),
  );
  if (values.json) printJson(io, accountSignInJson, { version: 1, account: accountEntry(signedIn) });
  return EXIT.ok;
}
