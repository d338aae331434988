import type { ErrorCode } from '../../preload/contract/errors.ts';
import { AppError } from '../errors/app-error.ts';

/** sysexits(3): what scripts, cron and git send-email understand. */
export const EXIT = {
  ok: 0,
  usage: 64,
  dataErr: 65,
  noInput: 66,
  noUser: 67,
  unavailable: 69,
  software: 70,
  tempFail: 75,
  /** EX_NOPERM: an OAuth2 sign-in was refused or cancelled. */
  noPerm: 77,
  config: 78,
  /** EX_PROTOCOL: the server broke off after taking a message, so whether it was delivered is unknown. */
  protocol: 76,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An expected failure of a command: one line for stderr and its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: ExitCode;

  constructor(exitCode: ExitCode, message: string) {
    super(message);
    this.exitCode = exitCode;
  }
}

export const usageError = (message: string) => new CliError(EXIT.usage, message);

/** The exit code for each of the core's error codes. */
const BY_CODE: Record<ErrorCode, ExitCode> = {
  invalid_input: EXIT.dataErr,
  internal: EXIT.software,
  forbidden_sender: EXIT.software,
  not_found: EXIT.noInput,
  invalid_state: EXIT.usage,
  invalid_address: EXIT.dataErr,
  no_recipients: EXIT.usage,
  too_many_recipients: EXIT.dataErr,
  header_injection: EXIT.dataErr,
  attachment_missing: EXIT.dataErr,
  attachment_unreadable: EXIT.dataErr,
  attachment_not_a_file: EXIT.dataErr,
  message_too_large: EXIT.dataErr,
  smtputf8_unsupported: EXIT.dataErr,
  unknown_account: EXIT.noUser,
  disk_full: EXIT.tempFail,
  queue_corrupt: EXIT.tempFail,
  message_damaged: EXIT.dataErr,
  storage_failed: EXIT.config,
  auth_failed: EXIT.config,
  auth_required: EXIT.config,
  tls_failed: EXIT.unavailable,
  certificate_untrusted: EXIT.config,
  starttls_unavailable: EXIT.config,
  wrong_tls_mode: EXIT.config,
  connection_refused: EXIT.unavailable,
  connection_failed: EXIT.tempFail,
  dns_failed: EXIT.unavailable,
  timeout: EXIT.tempFail,
  offline: EXIT.tempFail,
  recipient_rejected: EXIT.noUser,
  server_rejected: EXIT.unavailable,
  server_deferred: EXIT.tempFail,
  keychain_unavailable: EXIT.unavailable,
  keychain_locked: EXIT.tempFail,
  keychain_write_failed: EXIT.unavailable,
  duplicate_label: EXIT.usage,
  invalid_host: EXIT.usage,
  invalid_port: EXIT.usage,
  invalid_dkim_key: EXIT.dataErr,
  plaintext_not_confirmed: EXIT.usage,
  line_too_long: EXIT.dataErr,
  eightbitmime_unsupported: EXIT.dataErr,
  duplicate_header: EXIT.dataErr,
  text_not_utf8: EXIT.dataErr,
  // Sign-in refused or abandoned is "cannot log in" (77, EX_NOPERM); a provider out of reach is temporary.
  oauth_cancelled: EXIT.noPerm,
  oauth_timeout: EXIT.tempFail,
  oauth_failed: EXIT.noPerm,
  oauth_unreachable: EXIT.tempFail,
  oauth_not_configured: EXIT.config,
  oauth_signin_required: EXIT.config,
  oauth_host_mismatch: EXIT.usage,
  basic_auth_unsupported: EXIT.config,
  smtp_auth_disabled: EXIT.config,
  // Bridge-only limits: the CLI is never refused by them.
  rate_limited: EXIT.tempFail,
  drafts_quota_exceeded: EXIT.dataErr,
  accounts_quota_exceeded: EXIT.dataErr,
  account_missing: EXIT.config,
  autoconfig_invalid: EXIT.dataErr,
  // A found server the user has not confirmed is a setting to check, as a refused sign-in is.
  server_unconfirmed: EXIT.config,
  handoff_invalid: EXIT.dataErr,
  // systemctl, launchctl or schtasks refused: the user's session or system needs looking at.
  system_setup_failed: EXIT.unavailable,
  // Held for the user, not broken: the message itself is fine.
  schedule_missed: EXIT.dataErr,
};

export function exitCodeFor(code: ErrorCode): ExitCode {
  return BY_CODE[code];
}

/**
 * Some core messages quote input as it came (`"a<CR><LF>b"`): escaped as JSON shows them, so each
 * error stays one line on stderr and cannot pass for a second one.
 */
const oneLine = (text: string) => text.replace(/[\r\n]/g, (c) => JSON.stringify(c).slice(1, -1));

/** One line for stderr and the exit code, for anything a command threw. */
export function describeFailure(error: unknown): { message: string; exitCode: ExitCode } {
  if (error instanceof CliError) return { message: oneLine(error.message), exitCode: error.exitCode };
  if (error instanceof AppError) {
    const field = error.field && !error.message.includes(error.field) ? ` (${error.field})` : '';
    return { message: oneLine(`${error.message}${field}`), exitCode: exitCodeFor(error.code) };
  }
  const text = error instanceof Error ? error.message : String(error);
  return { message: `internal error: ${oneLine(text.split('\n')[0] ?? '')}`, exitCode: EXIT.software };
}
