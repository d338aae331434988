import fsp from 'node:fs/promises';
import type { z } from 'zod';
import {
  pinCertificate,
  securityMode,
  type AccountInputDraft,
  type SecurityMode,
} from '../../../preload/contract/accounts.ts';
import { errorOfIssues } from '../../../preload/contract/errors.ts';
import { dkimPublicKey } from '../../accounts/dkim.ts';
import { parseMailbox } from '../../mail/address.ts';
import { normaliseFingerprint } from '../../smtp/transport-options.ts';
import { integerOption } from '../cli-args.ts';
import { readAll, type CliIo } from '../cli-io.ts';
import { CliError, EXIT, exitCodeFor, usageError } from '../exit-codes.ts';

/** The flags that set an account's fields: `accounts add` and `accounts edit` take the same ones. */
export const ACCOUNT_FIELD_OPTIONS = {
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
  default: { type: 'boolean' },
  alias: { type: 'string', multiple: true },
  'dkim-selector': { type: 'string' },
  'dkim-domain': { type: 'string' },
  'dkim-key-file': { type: 'string' },
} as const;

/** The parsed values of ACCOUNT_FIELD_OPTIONS. */
export interface AccountFieldValues {
  readonly label?: string | undefined;
  readonly from?: string | undefined;
  readonly name?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: string | undefined;
  readonly security?: string | undefined;
  readonly 'allow-plaintext'?: boolean | undefined;
  readonly user?: string | undefined;
  readonly 'password-stdin'?: boolean | undefined;
  readonly 'no-password'?: boolean | undefined;
  readonly alias?: string[] | undefined;
  readonly 'dkim-selector'?: string | undefined;
  readonly 'dkim-domain'?: string | undefined;
  readonly 'dkim-key-file'?: string | undefined;
}

/** The fields the flags give, and only those: an edit changes nothing it was not told to. */
export function accountFields(values: AccountFieldValues): Partial<AccountInputDraft> {
  if (values['password-stdin'] && values['no-password']) {
    throw usageError('give --password-stdin or --no-password, not both');
  }
  const port = integerOption('port', values.port);
  return {
    ...(values.label === undefined ? {} : { label: values.label }),
    ...(values.from === undefined ? {} : { fromAddress: values.from }),
    ...(values.name === undefined ? {} : { displayName: values.name }),
    ...(values.host === undefined ? {} : { host: values.host }),
    ...(port === undefined ? {} : { port }),
    ...(values.security === undefined ? {} : { security: securityOption(values.security) }),
    ...(values['allow-plaintext'] ? { allowPlaintext: true } : {}),
    ...(values.user === undefined ? {} : { username: values.user }),
    ...(values['no-password'] ? { auth: 'none' } : values['password-stdin'] ? { auth: 'password' } : {}),
    ...(values.alias === undefined ? {} : { aliases: values.alias.map(aliasOf) }),
  };
}

export function securityOption(security: string): SecurityMode {
  const mode = securityMode.safeParse(security);
  if (!mode.success) {
    throw usageError(`--security must be tls, starttls or none, not ${JSON.stringify(security)}`);
  }
  return mode.data;
}

/** A refused account: the contract's code and sentence, as the app would answer. */
export function inputFailure(error: z.ZodError): CliError {
  const { code, message } = errorOfIssues(error);
  // An empty --label is a missing argument (64); anything else is what a value holds.
  const missing = code === 'invalid_input' && error.issues[0]?.code === 'too_small';
  return new CliError(missing ? EXIT.usage : exitCodeFor(code), message);
}

/** The password line from stdin: only the line ending is dropped, spaces may be part of it. */
export async function readPassword(io: CliIo, source = '--password-stdin'): Promise<string> {
  const password = (await readAll(io.stdin)).toString('utf8').replace(/\r?\n$/, '');
  if (password === '' || /[\r\n]/.test(password)) {
    throw usageError(`${source} expects exactly one non-empty line on stdin`);
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

export function dkimOptions(
  values: AccountFieldValues,
): { selector: string; domain: string | undefined; keyFile: string } | undefined {
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
export async function readKeyFile(file: string): Promise<string> {
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

/** A fingerprint option (`--pin-cert`, `--cert`), checked before anything is saved or connected to. */
export function pinOption(flag: string, fingerprint: string, security: SecurityMode): string {
  if (security === 'none') throw usageError(`${flag} needs --security tls or starttls`);
  // As the accounts service compares them: any case, colons optional.
  const parsed = pinCertificate.shape.fingerprint.safeParse(normaliseFingerprint(fingerprint));
  if (!parsed.success) {
    throw usageError(
      `${flag}: ${JSON.stringify(fingerprint)} is not a SHA-256 fingerprint like AB:CD:… (32 bytes in hex)`,
    );
  }
  return parsed.data;
}
