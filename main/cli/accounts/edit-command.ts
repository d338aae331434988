import { patchOf } from '../../../preload/contract/primitives.ts';
import { accountInput, type Account, type AccountInputDraft } from '../../../preload/contract/accounts.ts';
import type { AccountPatch } from '../../accounts/account-store.ts';
import { domainOf } from '../../mail/address.ts';
import { expectPositionals, parseCommand } from '../cli-args.ts';
import { findAccount, openCore } from '../cli-core.ts';
import { print, type CliIo } from '../cli-io.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import {
  ACCOUNT_FIELD_OPTIONS,
  accountFields,
  dkimOptions,
  inputFailure,
  readKeyFile,
  readPassword,
} from './account-options.ts';
import { whileAppIsClosed } from './app-closed.ts';
import { OAUTH_OPTIONS, oauthSettingsOf } from './oauth-options.ts';
import { presetFor } from '../../accounts/provider-presets.ts';

const EDIT_HELP = `Usage: outbox accounts edit NAME [--label LABEL] [--from ADDRESS] [--name DISPLAY]
                            [--host HOST] [--port PORT] [--security tls|starttls|none [--allow-plaintext]]
                            [--user USER] [--password-stdin | --no-password] [--default]
                            [--alias ADDRESS]… [--dkim-selector S --dkim-key-file FILE [--dkim-domain D]]
                            [--oauth | --oauth-issuer URL] [--oauth-client-id ID] [--oauth-scope S]…

Changes what the options give and nothing else; they mean what they mean for "accounts add".
--alias replaces the account's aliases with those given.

--oauth (or --oauth-issuer) switches the account to OAuth2 sign-in, keeping its id and queued
mail, and forgets its password; then sign it in with "outbox accounts signin NAME".

The saved password was given for one server and user name: changing --host, --port, --security
or --user forgets it (say so with --password-stdin, or set it again with "accounts set-password").
`;

type AliasDraft = NonNullable<AccountInputDraft['aliases']>[number];

/** The account's aliases as given, keeping the signatures of those it already had. */
function withSignatures(given: readonly AliasDraft[], current: Account): AliasDraft[] {
  return given.map((alias) => {
    const kept = current.aliases.find((a) => a.address.toLowerCase() === alias.address.toLowerCase());
    return kept ? { ...kept, ...alias } : alias;
  });
}

export async function editCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('accounts edit', args, {
    ...ACCOUNT_FIELD_OPTIONS,
    ...OAUTH_OPTIONS,
  });
  if (values.help) {
    print(io, EDIT_HELP);
    return EXIT.ok;
  }
  const [name = ''] = expectPositionals('accounts edit', positionals, ['NAME']);
  const { aliases, ...fields } = accountFields(values);
  const dkim = dkimOptions(values);
  const core = openCore(io);
  const account = findAccount(core.accounts, name);
  const fromAddress = fields.fromAddress ?? account.fromAddress;
  const oauth = oauthSettingsOf(values, fromAddress, presetFor(fromAddress), fields.host ?? account.host);
  const parsed = patchOf(accountInput).safeParse({
    ...fields,
    ...(oauth ? { auth: 'oauth2', oauth } : {}),
    ...(aliases ? { aliases: withSignatures(aliases, account) } : {}),
    ...(dkim
      ? {
          dkim: {
            domain: dkim.domain ?? domainOf(fields.fromAddress ?? account.fromAddress),
            selector: dkim.selector,
          },
        }
      : {}),
  });
  if (!parsed.success) throw inputFailure(parsed.error);
  // Never null here (null removes a field on the bridge): the flags only set values.
  const patch = parsed.data as AccountPatch;
  if (Object.keys(patch).length === 0 && !values.default) {
    throw usageError('nothing to change (see "outbox accounts edit --help")');
  }
  const password = values['password-stdin'] ? await readPassword(io) : undefined;
  const dkimKey = dkim ? await readKeyFile(dkim.keyFile) : undefined;

  const edited = await whileAppIsClosed(core, async () => {
    let changed = await core.accounts.update(account.id, patch);
    if (dkimKey !== undefined) changed = await core.accounts.setDkimKey(account.id, dkimKey);
    if (password !== undefined) changed = await core.accounts.setPassword(account.id, password);
    if (values.default) changed = core.accounts.setDefault(account.id);
    return changed;
  });
  // The accounts service forgets it (preload/contract/account-rules.ts): say so, once.
  if (account.hasPassword && !edited.hasPassword) {
    io.stderr.write(
      oauth
        ? `outbox: "${edited.label}" no longer signs in with a password, which is forgotten\n`
        : `outbox: the password of "${edited.label}" was for the old server or user name and is forgotten: set it with "outbox accounts set-password"\n`,
    );
  }
  if (edited.auth === 'oauth2' && !edited.hasOAuthToken) {
    io.stderr.write(`outbox: sign "${edited.label}" in with "outbox accounts signin ${edited.id}"\n`);
  }
  return EXIT.ok;
}
