import type { ErrorInfo, ErrorCode } from '../../../preload/contract/errors.ts';

/** What each code means to a person; main's own message follows it with the specifics. */
const WORDS: Record<ErrorCode, string> = {
  invalid_input: 'Something here is not filled in correctly.',
  internal: 'Something went wrong inside Outbox.',
  forbidden_sender: 'This window may not talk to Outbox.',
  not_found: 'It no longer exists.',
  invalid_state: 'That is not possible in its current state.',
  invalid_address: 'This is not a valid email address.',
  no_recipients: 'Add at least one recipient.',
  too_many_recipients: 'Too many recipients for one message.',
  header_injection: 'Line breaks are not allowed here.',
  attachment_missing: 'An attached file no longer exists.',
  attachment_unreadable: 'An attached file cannot be read.',
  attachment_not_a_file: 'Only files can be attached, not folders.',
  message_too_large: 'The message is larger than the server accepts.',
  smtputf8_unsupported: 'The server cannot handle non-ASCII addresses.',
  unknown_account: 'That account does not exist any more.',
  disk_full: 'The disk is full.',
  queue_corrupt: 'The outbox file was damaged and has been set aside.',
  message_damaged: 'This message was damaged on disk and has been set aside.',
  storage_failed: 'Outbox could not save its data.',
  auth_failed: 'The server did not accept the username or password.',
  auth_required: 'The server requires a login.',
  tls_failed: 'A secure connection could not be established.',
  certificate_untrusted: 'The server’s certificate is not trusted.',
  starttls_unavailable: 'The server does not offer STARTTLS.',
  wrong_tls_mode: 'The security mode does not match this port.',
  connection_refused: 'The server refused the connection.',
  connection_failed: 'The server could not be reached.',
  dns_failed: 'The server name could not be found.',
  timeout: 'The server took too long to answer.',
  offline: 'You are offline.',
  recipient_rejected: 'The server refused a recipient.',
  server_rejected: 'The server refused the message.',
  server_deferred: 'The server asked to try again later.',
  keychain_unavailable: 'The system keychain is not available.',
  keychain_locked: 'The system keychain is locked.',
  keychain_write_failed: 'The secret could not be saved in the system keychain.',
  duplicate_label: 'Another account already has this name.',
  invalid_host: 'This is not a valid server name.',
  invalid_port: 'This is not a valid port.',
  invalid_dkim_key: 'This is not a valid DKIM private key.',
  plaintext_not_confirmed: 'Confirm that this account may send without encryption.',
  line_too_long: 'A line of the message is too long to send.',
  eightbitmime_unsupported: 'The server cannot handle this 8-bit message.',
  duplicate_header: 'The message has a header field twice that may appear only once.',
  text_not_utf8: 'The text is not in UTF-8; say which character set it is in.',
  rate_limited: 'Too many requests in a short time.',
  drafts_quota_exceeded: 'There is no room for more drafts.',
  accounts_quota_exceeded: 'There is no room for more accounts.',
  account_missing: 'The account this message was to go from no longer exists.',
  oauth_cancelled: 'Sign-in was cancelled; nothing was changed.',
  oauth_timeout: 'Sign-in took too long and was stopped.',
  oauth_failed: 'Signing in with the provider failed.',
  oauth_unreachable: 'The sign-in provider could not be reached; Outbox will try again.',
  oauth_not_configured: 'Sign-in with this provider is not set up.',
  oauth_signin_required: 'This account needs you to sign in again.',
  oauth_host_mismatch: "This server is not one the sign-in provider's tokens are for.",
  basic_auth_unsupported: 'The server no longer accepts a password for this account.',
  smtp_auth_disabled: 'Sending from other programs is turned off for this mailbox.',
  autoconfig_invalid: 'The server settings published for this address could not be used.',
  server_unconfirmed:
    "This server was found outside your address's domain; confirm it before it gets your password.",
  handoff_invalid: 'The message another program handed to Outbox could not be read.',
  system_setup_failed: 'Your system refused to set this up.',
  schedule_missed: 'This scheduled message was held: it would have gone later than you allowed.',
};

export function errorWords(code: ErrorCode): string {
  return WORDS[code];
}

/**
 * Whether an error is about a given input field. Main names fields by their path in the request
 * (`to.1`, `patch.host`), so a nested path or a `patch.` prefix still belongs to the field.
 */
export function isAboutField(error: ErrorInfo | undefined, field: string): boolean {
  if (!error?.field) return false;
  const path = error.field.replace(/^patch\./, '');
  return path === field || path.startsWith(`${field}.`);
}
