import {
  AuthorizationResponseError,
  OperationProcessingError,
  RESPONSE_IS_NOT_CONFORM,
  ResponseBodyError,
} from 'oauth4webapi';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../../main/errors/app-error.ts';
import { oauthAppError, type OAuthStep } from '../../../main/oauth/oauth-errors.ts';

const SECRET = 'tok-3cr3t-never-shown';

function bodyError(error: string, status: number): ResponseBodyError {
  return new ResponseBodyError('server responded with an error in the response body', {
    cause: { error, error_description: `about ${SECRET}` },
    response: new Response(null, { status }),
  });
}

function redirectError(error: string): AuthorizationResponseError {
  return new AuthorizationResponseError('authorization response from the server is an error', {
    cause: new URLSearchParams({ error, error_description: SECRET, state: SECRET }),
  });
}

function fetchFailed(code: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(`connect ${code}`), { code }) });
}

const cases: readonly [string, unknown, OAuthStep, string, RegExp][] = [
  [
    'access_denied in the redirect',
    redirectError('access_denied'),
    'authorization',
    'oauth_cancelled',
    /^Sign-in was cancelled\.$/,
  ],
  [
    'another redirect error',
    redirectError('invalid_scope'),
    'authorization',
    'oauth_failed',
    /invalid_scope/,
  ],
  [
    'temporarily_unavailable in the redirect',
    redirectError('temporarily_unavailable'),
    'authorization',
    'oauth_unreachable',
    /temporarily_unavailable/,
  ],
  [
    'invalid_grant at refresh',
    bodyError('invalid_grant', 400),
    'refresh',
    'oauth_signin_required',
    /"Work" needs you to sign in again/,
  ],
  [
    'invalid_grant at the code exchange',
    bodyError('invalid_grant', 400),
    'token',
    'oauth_failed',
    /invalid_grant/,
  ],
  ['an error body with a 5xx', bodyError('server_error', 503), 'refresh', 'oauth_unreachable', /HTTP 503/],
  [
    'a 5xx without an error body',
    new OperationProcessingError('not conform', {
      code: RESPONSE_IS_NOT_CONFORM,
      cause: new Response(SECRET, { status: 502 }),
    }),
    'token',
    'oauth_unreachable',
    /HTTP 502/,
  ],
  [
    'a 4xx without an error body',
    new OperationProcessingError('not conform', {
      code: RESPONSE_IS_NOT_CONFORM,
      cause: new Response(SECRET, { status: 404 }),
    }),
    'discovery',
    'oauth_failed',
    /OAUTH_RESPONSE_IS_NOT_CONFORM/,
  ],
  [
    'a state mismatch',
    new OperationProcessingError('unexpected "state" response parameter value', {
      code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
      cause: { body: SECRET },
    }),
    'authorization',
    'oauth_failed',
    /"state" did not match/,
  ],
  [
    'an iss mismatch',
    new OperationProcessingError('unexpected "iss" (issuer) response parameter value', {
      code: 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED',
    }),
    'authorization',
    'oauth_failed',
    /different issuer/,
  ],
  ['a refused connection', fetchFailed('ECONNREFUSED'), 'refresh', 'oauth_unreachable', /ECONNREFUSED/],
  [
    'a request time-out',
    new DOMException('timed out', 'TimeoutError'),
    'token',
    'oauth_unreachable',
    /no answer in time/,
  ],
  ['anything else', new Error(SECRET), 'token', 'oauth_failed', /unexpected error/],
];

describe('oauthAppError', () => {
  it.each(cases)('maps %s', (_name, error, step, code, message) => {
    const mapped = oauthAppError(error, step, 'Work');
    expect(mapped.code).toBe(code);
    expect(mapped.message).toMatch(message);
    expect(mapped.message).not.toContain(SECRET);
    // The library's errors can carry a token response: they are never kept as the cause.
    expect(mapped.cause === undefined || mapped.cause instanceof TypeError).toBe(true);
  });

  it('passes an AppError through unchanged', () => {
    const original = new AppError('oauth_timeout', 'Sign-in timed out.');
    expect(oauthAppError(original, 'authorization', 'Work')).toBe(original);
  });
});
