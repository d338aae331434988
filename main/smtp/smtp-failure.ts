import type { ErrorCode, ErrorInfo } from '../../preload/contract/errors.ts';
import { providerReply } from './provider-replies.ts';

/**
 * OpenSSL's words for a peer that does not speak TLS at all (a plain SMTP greeting, say). Here
 * rather than in tls-diagnosis.ts: classifying a stored failure (the account list) must not load
 * node:tls (issue 17).
 */
export const TLS_PROTOCOL_MISMATCH =
  /wrong version number|unknown protocol|packet length too long|http request|record layer/i;

/**
 * What the outbox does about a failure:
 * - `deferred`: try again later (4xx, timeouts, dropped or refused connections)
 * - `offline`: the network is gone; wait without spending an attempt
 * - `attention`: the account needs the user (credentials, certificate); stop sending through it
 * - `permanent`: the server refused for good (5xx); fail the message or recipient now
 * - `local`: this computer failed (the stored message could not be read, or its hand-over could
 *   not be recorded), so nothing was sent; try again later without blaming the server
 * - `process`: this process cannot sign in now (the keychain cannot be reached from it, as under
 *   cron); no server was asked, so the account waits a while without spending an attempt, and
 *   nothing is recorded against the account: another process, or a later one, may reach it
 */
export type FailureClass = 'deferred' | 'offline' | 'attention' | 'permanent' | 'local' | 'process';

export interface SmtpFailure {
  readonly class: FailureClass;
  readonly code: ErrorCode;
  /** A sentence for people, with the server's own words when it gave any. */
  readonly message: string;
  readonly responseCode?: number;
  readonly response?: string;
}

/** The fields nodemailer and Node put on errors that this module reads. */
export interface SmtpErrorLike {
  readonly code?: unknown;
  readonly responseCode?: unknown;
  readonly response?: unknown;
  readonly command?: unknown;
  readonly message?: unknown;
  /** nodemailer keeps Node's own code here when it wraps a socket or TLS error as `ESOCKET`. */
  readonly originalCode?: unknown;
  /** The name Node failed to look up (`getaddrinfo ENOTFOUND <hostname>`). */
  readonly hostname?: unknown;
  /** OpenSSL's short phrase for a TLS failure (`wrong version number`). */
  readonly reason?: unknown;
}

/**
 * Offline or one host's problem? Only evidence that this machine reaches nothing may mean offline,
 * because offline stops every account until the network is back:
 *
 * | socket code                | means                                   | class     |
 * | -------------------------- | --------------------------------------- | --------- |
 * | ENETUNREACH, ENETDOWN      | no route to any network, interface down | offline   |
 * | EHOSTUNREACH               | no route (the gateway is gone)          | offline   |
 * | EAI_AGAIN, other EDNS      | the resolver itself cannot answer       | offline   |
 * | ENOTFOUND, EAI_NONAME      | the resolver answered: no such name     | deferred  |
 *
 * A name that does not exist (RFC 1035 NXDOMAIN) is an answer, so the network works: a mistyped
 * host defers its own account (counted, backed off, in the end failed) and says so.
 */
const OFFLINE_SOCKET_CODES = new Set(['ENETUNREACH', 'ENETDOWN', 'EHOSTUNREACH', 'EAI_AGAIN']);
const NAME_NOT_FOUND_CODES = new Set(['ENOTFOUND', 'EAI_NONAME']);

/** The account's secret cannot be read from this process now: not the account's fault. */
const PROCESS_CODES = new Set<ErrorCode>(['keychain_unavailable', 'keychain_locked']);
/** The OAuth2 provider could not be reached to refresh the token: try again later, as for a server. */
const RETRIED_SIGN_IN_CODES = new Set<ErrorCode>(['oauth_unreachable']);

/** Said of every failure to encrypt, as the connection test says it: the user picks another mode. */
export const ENCRYPTION_UNAVAILABLE = 'Encryption was not available';
const TLS_CERT_CODES =
  /^(ERR_TLS_CERT|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_PIN_MISMATCH)/;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** nodemailer's own codes, put over Node's. */
const WRAPPER_CODES = new Set(['ESOCKET', 'ECONNECTION', 'EDNS']);

/** Node's socket code hides under nodemailer's (`ESOCKET`) in `cause` or in the message. */
function socketCode(error: SmtpErrorLike & { cause?: unknown }): string | undefined {
  const codes = [error.code, error.originalCode, (error.cause as SmtpErrorLike | undefined)?.code].filter(
    (c): c is string => typeof c === 'string',
  );
  const fromMessage =
    typeof error.message === 'string'
      ? /\b(E[A-Z_]{4,}|[A-Z_]*CERT[A-Z_]*)\b/.exec(error.message)?.[1]
      : undefined;
  return [...codes, fromMessage].find((c) => c !== undefined && !WRAPPER_CODES.has(c));
}

function fromReply(responseCode: number, response: string, command: string | undefined): SmtpFailure {
  const reply = { responseCode, response };
  // A known provider's refusal needs the user, whatever its code (Microsoft's 5.7.30 is a 550).
  const known = providerReply(response);
  if (known) return { class: 'attention', ...known, ...reply };
  if (responseCode === 535 || responseCode === 534) {
    return {
      class: 'attention',
      code: 'auth_failed',
      message: `The server refused the user name or password: ${response}`,
      ...reply,
    };
  }
  if (responseCode === 530) {
    return {
      class: 'attention',
      code: 'auth_required',
      message: `The server requires signing in: ${response}`,
      ...reply,
    };
  }
  if (responseCode === 552 || (responseCode === 554 && /size|too (big|large)/i.test(response))) {
    return {
      class: 'permanent',
      code: 'message_too_large',
      message: `The message is too large for the server: ${response}`,
      ...reply,
    };
  }
  if (responseCode >= 500) {
    const code: ErrorCode = command?.startsWith('RCPT') ? 'recipient_rejected' : 'server_rejected';
    return { class: 'permanent', code, message: `The server refused: ${response}`, ...reply };
  }
  return {
    class: 'deferred',
    code: 'server_deferred',
    message: `The server asked to try later: ${response}`,
    ...reply,
  };
}

/**
 * RFC 3207 §4: a server that does not answer STARTTLS with 220 has not started TLS, whatever its
 * code says (454 "try later", 502 "not implemented"). An account set to STARTTLS never goes on in
 * clear, and waiting does not make it offer TLS: the user must choose.
 */
export function starttlsRefused(response: string): SmtpFailure {
  return {
    class: 'attention',
    code: 'starttls_unavailable',
    message: `${ENCRYPTION_UNAVAILABLE}: the server refused STARTTLS (${response}), so nothing was sent. Check the security setting, or use TLS (usually port 465).`,
  };
}

/** TLS met a server that does not speak it: plain SMTP on a TLS account's port (OpenSSL's "wrong version number"). */
function notTls(detail: string): SmtpFailure {
  const reason = TLS_PROTOCOL_MISMATCH.exec(detail)?.[0] ?? 'no TLS';
  return {
    class: 'attention',
    code: 'wrong_tls_mode',
    message: `${ENCRYPTION_UNAVAILABLE}: the server did not answer in TLS (${reason}), so nothing was sent. Check the port and security setting: TLS is usually port 465, STARTTLS port 587.`,
  };
}

function nameNotFound(hostname: string | undefined, detail: string): SmtpFailure {
  const name = hostname ? `"${hostname}"` : 'of the server';
  return {
    class: 'deferred',
    code: 'dns_failed',
    message: `The host name ${name} could not be found (${detail}): check the host name in the account settings.`,
  };
}

/**
 * What delivery does when the account's sign-in could not be had (an AppError's code and
 * sentence): a keychain this process cannot reach is a condition of the process; an OAuth2
 * provider out of reach is like a server out of reach, so the attempt is counted and retried;
 * anything else (no password saved, a DKIM key gone, a sign-in the provider no longer takes)
 * needs the user.
 */
export function classifySignInError(error: ErrorInfo): SmtpFailure {
  const failureClass: FailureClass = PROCESS_CODES.has(error.code)
    ? 'process'
    : RETRIED_SIGN_IN_CODES.has(error.code)
      ? 'deferred'
      : 'attention';
  return { class: failureClass, code: error.code, message: error.message };
}

/** One place that turns any SMTP, TLS or socket error into what the outbox should do about it. */
export function classifySmtpError(error: SmtpErrorLike): SmtpFailure {
  const responseCode = typeof error.responseCode === 'number' ? error.responseCode : undefined;
  const response = text(error.response);
  const command = text(error.command);
  if (responseCode !== undefined && responseCode !== 220 && response && command === 'STARTTLS') {
    return { ...starttlsRefused(response), responseCode, response };
  }
  if (responseCode !== undefined && responseCode >= 400 && response) {
    return fromReply(responseCode, response, command);
  }

  const code = text(error.code);
  const detail = text(error.message) ?? 'unknown error';
  const socket = socketCode(error);

  // nodemailer's own check against the SIZE the server advertised: refused before any upload.
  if (code === 'EMESSAGE' && /larger than allowed/i.test(detail)) {
    return { class: 'permanent', code: 'message_too_large', message: `The message is too large: ${detail}` };
  }
  if (code === 'EAUTH' || code === 'ENOAUTH') {
    return { class: 'attention', code: 'auth_failed', message: `Signing in failed: ${detail}` };
  }
  if (socket && TLS_CERT_CODES.test(socket)) {
    return {
      class: 'attention',
      code: 'certificate_untrusted',
      message: `The server's certificate is not trusted (${socket}).`,
    };
  }
  if (TLS_PROTOCOL_MISMATCH.test(`${socket ?? ''} ${detail} ${text(error.reason) ?? ''}`)) {
    return notTls(`${detail} ${text(error.reason) ?? ''}`);
  }
  if (code === 'ETLS') {
    if (/STARTTLS/i.test(detail)) {
      return {
        class: 'attention',
        code: 'starttls_unavailable',
        message: `${ENCRYPTION_UNAVAILABLE}: the server does not offer STARTTLS, so nothing was sent.`,
      };
    }
    return { class: 'attention', code: 'tls_failed', message: `The secure connection failed: ${detail}` };
  }
  if (socket !== undefined && NAME_NOT_FOUND_CODES.has(socket)) {
    return nameNotFound(text(error.hostname), socket);
  }
  if (code === 'EDNS' || (socket !== undefined && OFFLINE_SOCKET_CODES.has(socket))) {
    return { class: 'offline', code: 'offline', message: `The server could not be reached: ${detail}` };
  }
  if (code === 'ETIMEDOUT' || socket === 'ETIMEDOUT') {
    return { class: 'deferred', code: 'timeout', message: `The server did not answer in time: ${detail}` };
  }
  if (socket === 'ECONNREFUSED') {
    return {
      class: 'deferred',
      code: 'connection_refused',
      message: `The server refused the connection: ${detail}`,
    };
  }
  return { class: 'deferred', code: 'connection_failed', message: `The connection failed: ${detail}` };
}
