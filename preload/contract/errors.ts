import type { z } from 'zod';

/**
 * The only error shape that crosses the bridge: a stable code and a sentence a person understands.
 * Stacks, causes and SMTP internals stay in main.
 */
export const errorCodes = [
  // bridge and app
  'invalid_input',
  'internal',
  'forbidden_sender',
  'not_found',
  'invalid_state',
  // composing and queueing
  'invalid_address',
  'no_recipients',
  'too_many_recipients',
  'header_injection',
  'attachment_missing',
  'attachment_unreadable',
  'attachment_not_a_file',
  'message_too_large',
  'smtputf8_unsupported',
  'unknown_account',
  'disk_full',
  'queue_corrupt',
  'message_damaged',
  'storage_failed',
  'duplicate_header',
  'text_not_utf8',
  // delivery and connection
  'auth_failed',
  'auth_required',
  'tls_failed',
  'certificate_untrusted',
  'starttls_unavailable',
  'wrong_tls_mode',
  'connection_refused',
  'connection_failed',
  'dns_failed',
  'timeout',
  'offline',
  'recipient_rejected',
  'server_rejected',
  'server_deferred',
  // accounts and keychain
  'keychain_unavailable',
  'keychain_locked',
  'keychain_write_failed',
  'duplicate_label',
  'invalid_host',
  'invalid_port',
  'invalid_dkim_key',
  'plaintext_not_confirmed',
  // message content the server cannot take as it is (RFC 5321 §4.5.3.1.6, RFC 6152)
  'line_too_long',
  'eightbitmime_unsupported',
  // limits on what the window may ask for
  'rate_limited',
  'drafts_quota_exceeded',
  'accounts_quota_exceeded',
  // the outbox, again
  'account_missing',
  // OAuth2 sign-in (RFC 6749, RFC 8252)
  'oauth_cancelled',
  'oauth_timeout',
  'oauth_failed',
  'oauth_unreachable',
  'oauth_not_configured',
  'oauth_signin_required',
  'oauth_host_mismatch',
  // what Microsoft's servers answer a sign-in they no longer take
  'basic_auth_unsupported',
  'smtp_auth_disabled',
  // automatic account setup: a client configuration (Thunderbird's autoconfig format) that cannot be used
  'autoconfig_invalid',
  // account discovery: a server found through DNS or the domain's web server, outside its domain
  'server_unconfirmed',
  // a message handed over by another program (a mailto: URL, Thunderbird's -compose) that cannot be read
  'handoff_invalid',
  'system_setup_failed',
  'schedule_missed',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

/**
 * An error as people see it: on the wire, in the renderer, in CLI output. Stores keep their own
 * copy of this shape (with the code as a plain string), so renaming a code never breaks old data.
 */
export interface ErrorInfo {
  readonly code: ErrorCode;
  readonly message: string;
  /** The input field the error is about, when there is one (e.g. `to.1`, `attachments.0`). */
  readonly field?: string;
}

export type Result<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: ErrorInfo };

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (errorCodes as readonly string[]).includes(value);
}

/** The params a schema refinement sets so its issue becomes this code rather than invalid_input. */
export const HEADER_INJECTION_ISSUE = { code: 'header_injection' } as const;

function codeOf(issue: z.core.$ZodIssue): ErrorCode {
  const code = issue.code === 'custom' ? (issue.params as { code?: unknown } | undefined)?.code : undefined;
  return isErrorCode(code) ? code : 'invalid_input';
}

/**
 * The error a refused request answers with, the same from every door. An attack is named before a
 * mere mistake: a request with a line break in one field and a typo in another is header_injection.
 */
export function errorOfIssues(error: z.ZodError): ErrorInfo {
  const issue = error.issues.find((i) => codeOf(i) !== 'invalid_input') ?? error.issues[0];
  if (!issue) return { code: 'invalid_input', message: 'The request was not valid.' };
  const field = issue.path.map(String).join('.');
  return field
    ? { code: codeOf(issue), message: `${field}: ${issue.message}`, field }
    : { code: codeOf(issue), message: issue.message };
}
