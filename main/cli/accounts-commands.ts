import fsp from 'node:fs/promises';
import {
  accountInput,
  connectionReport,
  pinCertificate,
  securityMode,
  type Account,
  type ConnectionReport,
  type SecurityMode,
} from '../../preload/contract/accounts.ts';
import { dkimPublicKey } from '../accounts/dkim.ts';
import { presetFor } from '../accounts/provider-presets.ts';
import { domainOf, parseMailbox } from '../mail/address.ts';
import { tryAcquireDelivererLock } from '../outbox/delivery/deliverer-lock.ts';
import { queuePaths } from '../outbox/store/queue-paths.ts';
import { normaliseFingerprint } from '../smtp/transport-options.ts';
import { expectPositionals, integerOption, parseCommand } from './cli-args.ts';
import { findAccount, openCore, type CliCore } from './cli-core.ts';
import { groupHelp, print, readAll, type CliIo } from './cli-io.ts';
import { CliError, EXIT, exitCodeFor, usageError, type ExitCode } from './exit-codes.ts';
import { accountEntry, accountsListJson, printJson } from './json-output.ts';

export const ACCOUNTS_HELP = `Usage: outbox accounts <command>

  list [--json]        the accounts, the default one marked with *
  add …                add an account (see "outbox accounts add --help")
  test NAME [--json]   connect, sign in and report each step
  remove NAME [--move-to NAME]  delete an account; its queued mail is held, or moved
  pause NAME           hold the account's mail until "resume"
  resume NAME          deliver the account's mail again

NAME is an account's label, id or address.
`;

const ADD_HELP = `Usage: outbox accounts add --label LABEL --from ADDRESS [--name DISPLAY]
                           [--host HOST --port PORT --security tls|starttls|none [--allow-plaintext]]
                           [--user USER] [--password-stdin] [--pin-cert SHA256] [--default]
                           [--alias ADDRESS]… [--dkim-selector S --dkim-key-file FILE [--dkim-domain D]]

Adds an account and prints its id. For a known provider (Gmail, Outlook, Fastmail, …) --from is
enough: host, port and security come from the provider's preset.

  --password-stdin   read the password from stdin (one line); it goes only to the system keychain
  --user USER        the sign-in name when it is not the address
  --allow-plaintext  confirm sending without encryption (required with --security none)
  --pin-cert SHA256  connect once and trust only the server certificate with this fingerprint
  --no-password      the server needs no sign-in (without this or --password-stdin, enter
                     the password in the app before sending)
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
  label: { type: 'string' },
  from: { type: 'string' },
  name: { type: 'string' },
  host: { type: 'string' },
  port: { type: 'string' },
  security: { type: 'string' },
  'allow-plaintext': { type: 'boolean' },
  user: { type: 'string' },
  'password-stdin': { type: 'boolean' },
  'no-password': { type: 'boolean' },
  'pin-cert': { type: 'string' },
  default: { type: 'boolean' },
  alias: { type: 'string', multiple: true },
  'dkim-selector': { type: 'string' },
  'dkim-domain': { type: 'string' },
  'dkim-key-file': { type: 'string' },
} as const;

/**
 * Runs an account change only while no other process delivers from this data folder. The running
 * app keeps the accounts it loaded and would write them back over the change; holding the
 * deliverer lock meanwhile also keeps an app that starts now from delivering with stale accounts.
 */
async function whileAppIsClosed<T>(core: CliCore, change: () => Promise<T>): Promise<T> {
  await core.outbox.open();
  const lock = await tryAcquireDelivererLock(queuePaths(core.dataDir).lock, 'accounts');
  if (!lock) {
    throw new CliError(
      EXIT.tempFail,
      'Outbox is running (the app, or a queue flush): change accounts in the app, or try again once it has quit',
    );
  }
  try {
    return await change();
  } finally {
    // A change may have moved or held queued messages: seal this process's segment first.
    await core.outbox.stop();
    await lock.release();
  }
}

/** The password line from stdin: only the line ending is dropped, spaces may be part of it. */
async function readPassword(io: CliIo): Promise<string> {
  const password = (await readAll(io.stdin)).toString('utf8').replace(/\r?\n$/, '');
  if (password === '' || /[\r\n]/.test(password)) {
    throw usageError('--password-stdin expects exactly one non-empty line on stdin');
  }
  return password;
}

/** "Name <address>" or a bare address, checked as the compose form checks a From. */
function aliasOf(text: string): { address: string; displayName: string } {
  try {
    const { name, address } = parseMailbox(text, '--alias');
    return { address, displayName: name };
  } catch (error) {
    throw new CliError(EXIT.dataErr, error instanceof Error ? error.message : String(error));
  }
}

function dkimOptions(values: {
  'dkim-selector'?: string | undefined;
  'dkim-domain'?: string | undefined;
  'dkim-key-file'?: string | undefined;
}): { selector: string; domain: string | undefined; keyFile: string } | undefined {
  const selector = values['dkim-selector'];
  const keyFile = values['dkim-key-file'];
  if (selector === undefined && keyFile === undefined) {
    if (values['dkim-domain'] !== undefined)
      throw usageError('--dkim-domain needs --dkim-selector and --dkim-key-file');
    return undefined;
  }
  if (selector === undefined || keyFile === undefined) {
    throw usageError('DKIM signing needs both --dkim-selector and --dkim-key-file');
  }
  return { selector, domain: values['dkim-domain'], keyFile };
}

/** The key in `file`, checked before anything is saved. */
async function readKeyFile(file: string): Promise<string> {
  let pem: string;
  try {
    pem = await fsp.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new CliError(EXIT.noInput, `--dkim-key-file: cannot read ${file} (${String(code ?? error)})`);
  }
  try {
    dkimPublicKey(pem);
  } catch (error) {
    throw new CliError(
      EXIT.dataErr,
      `--dkim-key-file: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return pem;
}

/** The --pin-cert fingerprint, checked before anything is saved or connected to. */
function pinOption(fingerprint: string, security: SecurityMode): string {
  if (security === 'none') throw usageError('--pin-cert needs --security tls or starttls');
  // As the accounts service compares them: any case, colons optional.
  const parsed = pinCertificate.shape.fingerprint.safeParse(normaliseFingerprint(fingerprint));
  if (!parsed.success) {
    throw usageError(
      `--pin-cert: ${JSON.stringify(fingerprint)} is not a SHA-256 fingerprint like AB:CD:… (32 bytes in hex)`,
    );
  }
  return parsed.data;
}

async function add(io: CliIo, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('accounts add', args, ADD_OPTIONS);
  if (values.help) {
    print(io, ADD_HELP);
    return EXIT.ok;
  }
  expectPositionals('accounts add', positionals, []);
  if (values.label === undefined || values.from === undefined)
    throw usageError('--label and --from are required');
  if (values['password-stdin'] && values['no-password']) {
    throw usageError('give --password-stdin or --no-password, not both');
  }
  const preset = presetFor(values.from);
  const host = values.host ?? preset?.host;
  const port = integerOption('port', values.port) ?? preset?.port;
  const security = values.security ?? preset?.security;
  if (host === undefined || port === undefined || security === undefined) {
    throw usageError(`no preset for ${values.from}: give --host, --port and --security`);
  }
  const mode = securityMode.safeParse(security);
  if (!mode.success) {
    throw usageError(`--security must be tls, starttls or none, not ${JSON.stringify(security)}`);
  }
  const pin = values['pin-cert'] === undefined ? undefined : pinOption(values['pin-cert'], mode.data);
  const dkim = dkimOptions(values);
  const input = accountInput.safeParse({
    label: values.label,
    fromAddress: values.from,
    displayName: values.name ?? '',
    host,
    port,
    security: mode.data,
    allowPlaintext: values['allow-plaintext'] === true,
    auth: values['no-password'] ? 'none' : 'password',
    username: values.user ?? '',
    aliases: (values.alias ?? []).map(aliasOf),
    ...(dkim ? { dkim: { domain: dkim.domain ?? domainOf(values.from), selector: dkim.selector } } : {}),
  });
  if (!input.success) {
    const issue = input.error.issues[0];
    const message = `${issue?.path.join('.') ?? 'input'}: ${issue?.message ?? 'invalid'}`;
    // An empty --label is a missing argument; anything else is what a value holds: a line break
    // (header injection), a length (65, as the app's invalid_input).
    throw new CliError(issue?.code === 'too_small' ? EXIT.usage : EXIT.dataErr, message);
  }
  // Read before anything is saved, so a missing password leaves no half-made account.
  const password = values['password-stdin'] ? await readPassword(io) : undefined;
  const dkimKey = dkim ? await readKeyFile(dkim.keyFile) : undefined;

  const core = openCore(io);
  const account = await whileAppIsClosed(core, async () => {
    const created = core.accounts.create(input.data);
    try {
      if (password !== undefined) await core.accounts.setPassword(created.id, password);
      if (dkimKey !== undefined) await core.accounts.setDkimKey(created.id, dkimKey);
      if (pin !== undefined) {
        const report = await core.accounts.test(created.id);
        // No certificate to compare (refused, unknown host, …): the failed step says why.
        if (!report.certificate) {
          const { message, exitCode } = testFailure(report);
          throw new CliError(exitCode, `--pin-cert: ${message}`);
        }
        core.accounts.pinCertificate(created.id, pin);
      }
      if (values.default) core.accounts.setDefault(created.id);
    } catch (error) {
      const rollback = () => core.accounts.remove({ id: created.id, queued: { action: 'hold' } });
      // remove() checks the keychain for secrets a failed write may have left, and warns when it
      // cannot; when this command wrote none, there is nothing to warn about.
      await (password === undefined && dkimKey === undefined ? core.withoutWarnings(rollback) : rollback());
      throw error;
    }
    return created;
  });
  print(io, account.id);
  return EXIT.ok;
}

function listText(accounts: readonly Account[]): string {
  return accounts
    .map((a) =>
      [
        `${a.isDefault ? '*' : ' '} ${a.label}`,
        a.fromAddress,
        `${a.host}:${a.port}/${a.security}`,
        a.paused ? 'paused' : a.attention ? `needs attention: ${a.attention.message}` : 'ok',
        a.id,
      ].join('\t'),
    )
    .join('\n');
}

/** What failed a connection test: the failed step's error and its exit code (69 without one). */
function testFailure(report: ConnectionReport): { message: string; exitCode: ExitCode } {
  const failed = report.steps.find((s) => s.status === 'failed');
  return {
    message: failed?.error?.message ?? failed?.detail ?? 'the connection test failed',
    exitCode: failed?.error ? exitCodeFor(failed.error.code) : EXIT.unavailable,
  };
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

export async function accountsCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'add':
      return add(io, rest);
    case 'list': {
      const { values, positionals } = parseCommand('accounts list', rest, { json: { type: 'boolean' } });
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
    case 'test':
    case 'remove':
    case 'pause':
    case 'resume': {
      const { values, positionals } = parseCommand(`accounts ${sub}`, rest, {
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
      const target =
        values['move-to'] === undefined ? undefined : findAccount(core.accounts, values['move-to']);
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
    case '--help':
    case '-h':
    case undefined:
      return groupHelp(io, sub !== undefined, ACCOUNTS_HELP);
    default:
      throw usageError(`unknown command ${JSON.stringify(`accounts ${sub}`)} (see "outbox accounts --help")`);
  }
}
