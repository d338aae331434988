import { expectPositionals, parseCommand } from '../cli-args.ts';
import { findAccount, openCore } from '../cli-core.ts';
import { print, type CliIo } from '../cli-io.ts';
import { EXIT } from '../exit-codes.ts';
import { readPassword } from './account-options.ts';
import { whileAppIsClosed } from './app-closed.ts';

const SET_PASSWORD_HELP = `Usage: outbox accounts set-password NAME

Reads the account's password from stdin (one line) and saves it in the system keychain only,
never on the command line, where other users could see it. The account then signs in with it.

Example:
  printf '%s\\n' "$APP_PASSWORD" | outbox accounts set-password Work
`;

export async function setPasswordCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('accounts set-password', args, {});
  if (values.help) {
    print(io, SET_PASSWORD_HELP);
    return EXIT.ok;
  }
  const [name = ''] = expectPositionals('accounts set-password', positionals, ['NAME']);
  const core = openCore(io);
  const account = findAccount(core.accounts, name);
  const password = await readPassword(io, '"accounts set-password"');
  await whileAppIsClosed(core, async () => {
    // An account that signed in with none signs in with this password from now on.
    if (account.auth !== 'password') await core.accounts.update(account.id, { auth: 'password' });
    await core.accounts.setPassword(account.id, password);
  });
  return EXIT.ok;
}
