import { accountInput, type OAuthSettings } from '../../../preload/contract/accounts.ts';
import type { DiscoveredServer, Discovery } from '../../../preload/contract/discovery.ts';
import { presetFor } from '../../accounts/provider-presets.ts';
import { AppError } from '../../errors/app-error.ts';
import { domainOf } from '../../mail/address.ts';
import { expectPositionals, parseCommand } from '../cli-args.ts';
import { openCore, type CliCore } from '../cli-core.ts';
import { print, type CliIo } from '../cli-io.ts';
import { printable } from '../cli-log.ts';
import { EXIT, usageError } from '../exit-codes.ts';
import {
  ACCOUNT_FIELD_OPTIONS,
  accountFields,
  dkimOptions,
  inputFailure,
  pinOption,
  readKeyFile,
  readPassword,
} from './account-options.ts';
import { whileAppIsClosed } from './app-closed.ts';
import { serverSummary, viaWords } from './discovery-words.ts';
import { OAUTH_OPTIONS, oauthSettingsOf } from './oauth-options.ts';
import { assertSignsIn, seenCertificate } from './server-certificate.ts';

const ADD_HELP = `Usage: outbox accounts add --label LABEL --from ADDRESS [--name DISPLAY]
                           [--host HOST --port PORT --security tls|starttls|none [--allow-plaintext]]
                           [--user USER] [--password-stdin] [--pin-cert SHA256] [--default]
                           [--alias ADDRESS]… [--dkim-selector S --dkim-key-file FILE [--dkim-domain D]]
                           [--oauth | --oauth-issuer URL] [--oauth-client-id ID] [--oauth-scope S]…
                           [--no-browser] [--trust-found-server]

Adds an account and prints its id. Without --host, Outbox looks the server up from the --from
address as "outbox accounts discover" does (its provider table, then DNS), says on stderr where
the settings came from, and uses the first server found; --port, --security and --user still
override what it found. Nothing found: give --host, --port and --security.

  --trust-found-server  use a found server outside the address's domain that DNS or the
                     domain's web server named (e.g. a custom domain's MX pointing at Microsoft
                     365); without it such a server is refused (exit 78) before anything is saved

  --oauth            sign in with the address's provider (Microsoft, Google) in your browser
                     instead of a password; the account is kept only if the sign-in succeeds
  --oauth-issuer URL sign in with this OpenID / OAuth2 provider (found by its issuer URL)
  --oauth-client-id ID  the client ID registered with the provider (your organisation's own)
  --oauth-scope S    a scope to ask for, instead of the provider's own; repeat for more
  --no-browser       do not open a browser: only print the sign-in address on stderr

  --password-stdin   read the password from stdin (one line); it goes only to the system keychain
  --user USER        the sign-in name when it is not the address
  --allow-plaintext  confirm sending without encryption (required with --security none)
  --pin-cert SHA256  connect once and trust only the server certificate with this fingerprint;
                     the account is saved only if the whole test then passes, sign-in included
  --no-password      the server needs no sign-in (without this or --password-stdin, enter
                     the password in the app, or with "outbox accounts set-password", before sending)
  --default          make it the default account
  --alias ADDRESS    another address this account may send as, e.g. "Sales <sales@example.com>";
                     repeat for more
  --dkim-selector S  sign outgoing mail with DKIM under this selector, with the private key (PEM)
  --dkim-key-file F  in F, which goes only to the system keychain; --dkim-domain D signs for D
                     instead of the --from address's domain

Example:
  printf '%s\\n' "$APP_PASSWORD" | outbox accounts add --label Work --from me@fastmail.com --password-stdin
`;

const ADD_OPTIONS = {
  ...ACCOUNT_FIELD_OPTIONS,
  ...OAUTH_OPTIONS,
  'pin-cert': { type: 'string' },
  'no-browser': { type: 'boolean' },
  'trust-found-server': { type: 'boolean' },
} as const;

/**
 * Whether undoing a half-made account should stay silent about leftover secrets it cannot check.
 * Only a secret write this command attempted can have left one, and not when the keychain could
 * not even be reached: then its own error is the one line worth printing.
 */
export function quietRollback(attemptedSecret: boolean, error: unknown): boolean {
  return !attemptedSecret || (error instanceof AppError && error.code === 'keychain_unavailable');
}

/** Everything after the account exists; `attempted` is set before the keychain is first written. */
interface Completion {
  /** Whether to sign in with OAuth2 in the browser, and whether to open it. */
  readonly signIn: { readonly openBrowser: boolean } | undefined;
  readonly password: string | undefined;
  readonly dkimKey: string | undefined;
  readonly pin: string | undefined;
  readonly makeDefault: boolean;
}

async function complete(io: CliIo, core: CliCore, id: string, steps: Completion, attempted: () => void) {
  if (steps.signIn !== undefined) {
    // Loaded only here: the other commands never need the terminal's sign-in.
    const { signInFromTerminal } = await import('./terminal-sign-in.ts');
    try {
      await signInFromTerminal(io, core, id, steps.signIn);
    } catch (error) {
      // A refused or abandoned sign-in stops before the keychain; anything else may have reached it.
      if (!(error instanceof AppError && error.code.startsWith('oauth_'))) attempted();
      throw error;
    }
  }
  if (steps.password !== undefined) {
    attempted();
    await core.accounts.setPassword(id, steps.password);
  }
  if (steps.dkimKey !== undefined) {
    attempted();
    await core.accounts.setDkimKey(id, steps.dkimKey);
  }
  if (steps.pin !== undefined) {
    const { report } = await seenCertificate(core, id, '--pin-cert');
    core.accounts.pinCertificate(id, steps.pin);
    await assertSignsIn(core, id, report, '--pin-cert');
  }
  if (steps.makeDefault) core.accounts.setDefault(id);
}

/** The settings the lookup found, and how to say where they came from. */
interface Looked {
  readonly server: DiscoveredServer;
  readonly found: Extract<Discovery, { status: 'found' }>;
}

/**
 * Without --host, the same lookup as "accounts discover". A server outside the address's domain that
 * DNS or the domain's web server named is used only when the user confirmed it: refused here,
 * before any password is read or anything saved.
 */
async function lookUp(core: CliCore, address: string, trusted: boolean): Promise<Looked> {
  const result = await core.accounts.discover(address);
  if (result.status === 'not_found') {
    throw usageError(`${printable(result.message).replace(/\.$/, '')}: give --host, --port and --security`);
  }
  const [server] = result.servers;
  if (server === undefined)
    throw usageError(`no server found for ${address}: give --host, --port and --security`);
  if (result.confirm && !trusted) {
    throw new AppError(
      'server_unconfirmed',
      `${serverSummary(server)} was found through ${viaWords(result)}, outside ${printable(domainOf(address))}: ` +
        "if it is your provider's server, add --trust-found-server; otherwise give --host, --port and --security",
    );
  }
  return { server, found: result };
}

export async function addCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('accounts add', args, ADD_OPTIONS);
  if (values.help) {
    print(io, ADD_HELP);
    return EXIT.ok;
  }
  expectPositionals('accounts add', positionals, []);
  if (values.label === undefined || values.from === undefined)
    throw usageError('--label and --from are required');
  const fields = accountFields(values);
  const trusted = values['trust-found-server'] === true;
  if (fields.host !== undefined && trusted)
    throw usageError('--trust-found-server is for settings Outbox looked up, not for --host');
  const dkim = dkimOptions(values);

  const core = openCore(io);
  // Giving --host skips the lookup: no DNS question leaves for an address whose server is known.
  const looked = fields.host === undefined ? await lookUp(core, values.from, trusted) : undefined;
  const host = fields.host ?? looked?.server.host;
  const port = fields.port ?? looked?.server.port;
  const security = fields.security ?? looked?.server.security;
  if (host === undefined || port === undefined || security === undefined) {
    throw usageError(`no server for ${values.from}: give --host, --port and --security`);
  }
  // OAuth2 only when asked for (--oauth), even where the found server prefers it: no browser
  // sign-in the user did not ask for.
  const oauth: OAuthSettings | undefined = oauthSettingsOf(values, values.from, presetFor(values.from), host);
  if (oauth === undefined && values['no-browser']) throw usageError('--no-browser is for an OAuth2 sign-in');
  const pin =
    values['pin-cert'] === undefined ? undefined : pinOption('--pin-cert', values['pin-cert'], security);
  const input = accountInput.safeParse({
    displayName: '',
    allowPlaintext: false,
    auth: 'password',
    username: looked?.server.username ?? '',
    aliases: [],
    ...fields,
    ...(oauth ? { auth: 'oauth2', oauth } : {}),
    host,
    port,
    security,
    ...(dkim ? { dkim: { domain: dkim.domain ?? domainOf(values.from), selector: dkim.selector } } : {}),
  });
  if (!input.success) throw inputFailure(input.error);
  if (looked) {
    io.stderr.write(
      `Settings for ${printable(values.from)} from ${viaWords(looked.found)}: ${serverSummary(input.data)}\n`,
    );
  }
  // Read before anything is saved, so a missing password leaves no half-made account.
  const password = values['password-stdin'] ? await readPassword(io) : undefined;
  const dkimKey = dkim ? await readKeyFile(dkim.keyFile) : undefined;

  // The account is made before its OAuth2 sign-in, whose grant is saved under the account's id, and
  // removed again if the sign-in fails or is cancelled: as for --pin-cert, the deliverer lock is
  // held meanwhile, so no app or flush ever delivers for (or writes over) the half-made account.
  const account = await whileAppIsClosed(core, async () => {
    const created = core.accounts.create(input.data);
    let attemptedSecret = false;
    try {
      await complete(
        io,
        core,
        created.id,
        {
          signIn: oauth ? { openBrowser: values['no-browser'] !== true } : undefined,
          password,
          dkimKey,
          pin,
          makeDefault: values.default === true,
        },
        () => (attemptedSecret = true),
      );
    } catch (error) {
      const rollback = () => core.accounts.remove({ id: created.id, queued: { action: 'hold' } });
      // remove() checks the keychain for secrets a failed write may have left, and warns when it
      // cannot; see quietRollback for when that means nothing.
      await (quietRollback(attemptedSecret, error) ? core.withoutWarnings(rollback) : rollback());
      throw error;
    }
    return created;
  });
  print(io, account.id);
  return EXIT.ok;
}
