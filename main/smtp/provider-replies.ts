import type { ErrorCode } from '../../preload/contract/errors.ts';

/** What a known provider's refusal means, when its reply code alone would say less or mislead. */
export interface ProviderReply {
  readonly code: ErrorCode;
  readonly message: string;
}

interface KnownReply extends ProviderReply {
  /** The RFC 3463 enhanced status code, which the provider documents. */
  readonly status: string;
  /** The provider's own words: the same status code also means other things (5.7.139 does). */
  readonly text: RegExp;
}

/** How to allow SMTP AUTH for a Microsoft 365 mailbox; only its admin can. */
const ENABLE_SMTP_AUTH =
  'Authenticated SMTP is turned off for this Microsoft 365 mailbox or its organisation: an admin must enable it ' +
  '(Microsoft 365 admin center › Users › Active users › the user › Mail › Manage email apps › Authenticated SMTP, ' +
  'or Set-CASMailbox -Identity <user> -SmtpClientAuthenticationDisabled $false). ' +
  'Signing in with Microsoft does not help until then. Its queued mail waits.';

/** Google never takes the account password over SMTP: an app password, or OAuth2. */
const GMAIL_CHOICES = 'use an app password (it needs 2-Step Verification), or Sign in with Google.';

/**
 * Refusals from Microsoft and Google whose fix is not "check the password". Microsoft documents
 * 5.7.30 and 5.7.139 for Exchange Online; Google links each of its replies to a help page (the
 * `p=` key), whose name is the stable part of its text.
 */
const KNOWN_REPLIES: readonly KnownReply[] = [
  {
    status: '5.7.30',
    text: /basic authentication is not supported/i,
    code: 'basic_auth_unsupported',
    message:
      'Microsoft no longer accepts a password for this account: switch it to Sign in with Microsoft. Its queued mail waits.',
  },
  {
    status: '5.7.139',
    text: /SmtpClientAuthentication is disabled/i,
    code: 'smtp_auth_disabled',
    message: ENABLE_SMTP_AUTH,
  },
  {
    status: '5.7.9',
    text: /application-specific password required|InvalidSecondFactor/i,
    code: 'auth_failed',
    message: `Google wants an app password here, not the account password: ${GMAIL_CHOICES}`,
  },
  {
    status: '5.7.8',
    text: /BadCredentials/,
    code: 'auth_failed',
    message: `Google refused the user name or password. Its account password is never accepted here: ${GMAIL_CHOICES}`,
  },
];

/** What the connection test (the window's and `outbox accounts test`) says to do about the refusals no password fixes. */
export const PROVIDER_REPLY_HINTS: Readonly<Partial<Record<ErrorCode, string>>> = {
  basic_auth_unsupported:
    'Switch the account to Sign in with Microsoft (OAuth2): its queued mail is kept, and goes once it is signed in.',
  smtp_auth_disabled:
    'Ask the Microsoft 365 admin to enable Authenticated SMTP for this mailbox; until then no sign-in sends mail through it.',
};

/** The enhanced status code (RFC 3463 §2: class.subject.detail) that follows the reply code. */
export function enhancedStatus(response: string): string | undefined {
  return /^\d{3}[ -]([245]\.\d{1,3}\.\d{1,3})(?=\s|$)/.exec(response.trimStart())?.[1];
}

/** A known provider's meaning for this reply, or undefined when it is not one of theirs. */
export function providerReply(response: string): ProviderReply | undefined {
  const status = enhancedStatus(response);
  const known = KNOWN_REPLIES.find((reply) => reply.status === status && reply.text.test(response));
  return known ? { code: known.code, message: known.message } : undefined;
}
