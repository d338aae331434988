import { expectPositionals, parseCommand } from '../cli-args.ts';
import { findAccount, openCore } from '../cli-core.ts';
import { print, type CliIo } from '../cli-io.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import { pinOption } from './account-options.ts';
import { whileAppIsClosed } from './app-closed.ts';
import { assertSignsIn, certificateLines, seenCertificate } from './server-certificate.ts';

const PIN_HELP = `Usage: outbox accounts pin NAME [--cert SHA256]

Connects to the account's server and shows its certificate. With --cert, trusts only that
certificate from now on if its SHA-256 fingerprint is the one given (any case, colons optional):
for a self-signed certificate, or after the server's certificate changed. Compare the fingerprint
with one you got another way. The connection test then runs again, sign-in included, and its
failure (a refused password, 78) is the exit status.
`;

export async function pinCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('accounts pin', args, { cert: { type: 'string' } });
  if (values.help) {
    print(io, PIN_HELP);
    return EXIT.ok;
  }
  const [name = ''] = expectPositionals('accounts pin', positionals, ['NAME']);
  const core = openCore(io);
  const account = findAccount(core.accounts, name);
  if (account.security === 'none') {
    throw usageError(`"${account.label}" connects without TLS: there is no certificate to pin`);
  }
  const wanted = values.cert === undefined ? undefined : pinOption('--cert', values.cert, account.security);
  if (wanted === undefined) {
    const { certificate } = await seenCertificate(core, account.id, 'accounts pin');
    print(io, certificateLines(certificate).join('\n'));
    return EXIT.ok;
  }
  await whileAppIsClosed(core, async () => {
    const { report, certificate } = await seenCertificate(core, account.id, '--cert');
    print(io, certificateLines(certificate).join('\n'));
    core.accounts.pinCertificate(account.id, wanted);
    print(io, `pinned: "${account.label}" trusts only this certificate`);
    await assertSignsIn(core, account.id, report, '--cert');
  });
  return EXIT.ok;
}
