import type { ErrorCode } from '../../preload/contract/errors.ts';

/**
 * What the outbox does about a failure:
 * - `deferred`: try again later (4xx, timeouts, dropped or refused connections)
 * - `offline`: the network is gone; wait without spending an attempt
 * - `attention`: the account needs the user (credentials, certificate); stop sending through it
 * - `permanent`: the server refused for good (5xx); fail the message or recipient now
 * - `local`: this computer failed (the stored message could not be read, or its hand-over could
 *   not be recorded), so nothing was sent; try again later without blaming the server
 */
export type FailureClass = 'deferred' | 'offline' | 'attention' | 'permanent' | 'local';

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
}

const OFFLINE_SOCKET_CODES = new Set(['ENETUNREACH', 'ENETDOWN', 'EHOSTUNREACH', 'EAI_AGAIN', 'ENOTFOUND']);
const TLS_CERT_CODES =
  /^(ERR_TLS_CERT|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_(GET|VERIFY)|ERR_TLS_CERT_PIN_MISMATCH)/;

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Node's socket code hides under nodemailer's (`ESOCKET`) in `cause` or in the message. */
function socketCode(error: SmtpErrorLike & { cause?: unknown }): string | undefined {
  const codes = [error.code, error.originalCode, (error.cause as SmtpErrorLike | undefined)?.code].filter(
    (c): c is string => typeof c === 'string',
  );
  const fromMessage =
    typeof error.message === 'string'
      ? /\b(E[A-Z_]{4,}|[A-Z_]*CERT[A-Z_]*)\b/.exec(error.message)?.[1]
      : undefined;
  return [...codes, fromMessage].find((c) => c !== undefined && c !== 'ESOCKET' && c !== 'ECONNECTION');
}

function fromReply(responseCode: number, response: string, command: string | undefined): SmtpFailure {
  const reply = { responseCode, response };
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

/** One place that turns any SMTP, TLS or socket error into what the outbox should do about it. */
export function classifySmtpError(error: SmtpErrorLike): SmtpFailure {
  const responseCode = typeof error.responseCode === 'number' ? error.responseCode : undefined;
  const response = text(error.response);
  if (responseCode !== undefined && responseCode >= 400 && response) {
    return fromReply(responseCode, response, text(error.command));
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
  if (code === 'ETLS') {
    if (/STARTTLS/i.test(detail)) {
      return {
        class: 'attention',
        code: 'starttls_unavailable',
        message: 'The server does not offer STARTTLS, so the password would travel unencrypted.',
      };
    }
    return { class: 'attention', code: 'tls_failed', message: `The secure connection failed: ${detail}` };
  }
  if (code === 'EDNS' || (socket !== undefined && OFFLINE_SOCKET_CODES.has(socket))) {
    return {
      class: 'offline',
      code: socket === 'ENOTFOUND' ? 'dns_failed' : 'offline',
      message: `The server could not be reached: ${detail}`,
    };
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
