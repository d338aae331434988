import {
  AuthorizationResponseError,
  OperationProcessingError,
  RESPONSE_IS_NOT_CONFORM,
  ResponseBodyError,
} from 'oauth4webapi';
import { AppError } from '../errors/app-error.ts';

/** Where in the protocol an error happened: the same provider answer means different things. */
export type OAuthStep = 'discovery' | 'authorization' | 'token' | 'refresh';

/** An OAuth error code (RFC 6749 §5.2: printable ASCII without quote or backslash); anything else is dropped. */
function safeCode(code: unknown): string {
  return typeof code === 'string' && /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,80}$/.test(code) ? code : 'unknown';
}

/** The user cancelled: on the provider's page, with Outbox's Cancel button, or Ctrl-C. */
export function signInCancelled(): AppError {
  return new AppError('oauth_cancelled', 'Sign-in was cancelled.');
}

/** Only fetch's own TypeError is kept as the cause (a socket error, no response in it). */
function unreachable(label: string, detail: string, cause: TypeError | undefined): AppError {
  const text = `The sign-in provider of "${label}" could not be reached (${detail}). Try again later.`;
  return new AppError('oauth_unreachable', text, cause === undefined ? {} : { cause });
}

/** fetch() rejects with a TypeError ("fetch failed", the socket error as its cause) or a timeout. */
function networkFailure(error: unknown): string | undefined {
  if (error instanceof DOMException && error.name === 'TimeoutError') return 'no answer in time';
  if (!(error instanceof TypeError) || error.message !== 'fetch failed') return undefined;
  const cause: unknown = error.cause;
  const code = cause instanceof Error && 'code' in cause ? safeCode(cause.code) : 'network error';
  return code;
}

function serverFailure(error: unknown): number | undefined {
  const response: unknown =
    error instanceof ResponseBodyError
      ? error.response
      : error instanceof OperationProcessingError && error.code === RESPONSE_IS_NOT_CONFORM
        ? error.cause
        : undefined;
  return response instanceof Response && response.status >= 500 ? response.status : undefined;
}

/**
 * Turns whatever oauth4webapi or fetch threw into one AppError. The one place these are read, so
 * every message is built here, from codes and fixed words only: never a token, code or verifier,
 * and not the provider's free-text description either (it may echo the request). oauth4webapi's
 * errors are not kept as the cause: theirs can hold a token response, and causes get logged.
 */
export function oauthAppError(error: unknown, step: OAuthStep, label: string): AppError {
  if (error instanceof AppError) return error;
  const network = networkFailure(error);
  if (network !== undefined)
    return unreachable(label, network, error instanceof TypeError ? error : undefined);
  const status = serverFailure(error);
  if (status !== undefined) return unreachable(label, `it answered HTTP ${status}`, undefined);

  if (error instanceof AuthorizationResponseError) {
    // RFC 6749 §4.1.2.1: the user (or the provider's policy) said no.
    if (error.error === 'access_denied') {
      return signInCancelled();
    }
    if (error.error === 'temporarily_unavailable' || error.error === 'server_error') {
      return unreachable(label, error.error, undefined);
    }
    return failed(`the provider refused the sign-in (${safeCode(error.error)})`, label);
  }
  if (error instanceof ResponseBodyError) {
    // RFC 6749 §5.2: a refused refresh token is revoked, expired, or its password changed.
    if (error.error === 'invalid_grant' && step === 'refresh') {
      return new AppError(
        'oauth_signin_required',
        `"${label}" needs you to sign in again: the provider no longer accepts its saved sign-in (it was revoked or expired).`,
        {},
      );
    }
    return failed(`the provider refused the request (${safeCode(error.error)})`, label);
  }
  if (error instanceof OperationProcessingError) {
    // oauth4webapi's messages name the parameter that failed its check, never the value.
    if (error.message.includes('"state"')) {
      return failed(
        'the answer did not belong to the sign-in Outbox started (its "state" did not match)',
        label,
      );
    }
    if (error.message.includes('"iss"')) {
      return failed(
        'the answer came from a different issuer than the one Outbox asked (RFC 9207 "iss")',
        label,
      );
    }
    return failed(`the provider's answer was not valid (${safeCode(error.code)})`, label);
  }
  return failed('an unexpected error happened', label);
}

function failed(reason: string, label: string): AppError {
  return new AppError('oauth_failed', `Sign-in for "${label}" failed: ${reason}.`);
}
