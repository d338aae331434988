/**
 * Accounts of the test provider (test/support/oauth-provider.ts) and checks on OAuth errors.
 */
import { expect } from 'vitest';
import { AppError } from '../../main/errors/app-error.ts';
import type { OAuthAccount } from '../../main/oauth/oauth-ports.ts';
import type { TestOAuthProvider } from './oauth-provider.ts';

/** A generic-provider account signing in at the test provider. */
export function providerAccount(
  provider: TestOAuthProvider,
  email: string,
  id = `acct-${email}`,
): OAuthAccount {
  return {
    id,
    label: `Test ${email}`,
    fromAddress: email,
    username: email,
    oauth: {
      provider: 'generic',
      issuer: provider.issuer,
      clientId: provider.clientId,
      scopes: ['openid', 'email', 'offline_access', provider.smtpScope],
    },
  };
}

/** Awaits a rejection, checks it is the AppError with that code, and that it quotes none of the secrets. */
export async function expectOAuthError(
  promise: Promise<unknown>,
  code: string,
  secrets: readonly string[] = [],
): Promise<AppError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(AppError);
  const appError = error as AppError;
  expect({ code: appError.code, message: appError.message }).toMatchObject({ code });
  const text = `${appError.message} ${JSON.stringify(appError.toErrorInfo())} ${appError.cause instanceof Error ? appError.cause.message : ''}`;
  for (const secret of secrets) expect(text).not.toContain(secret);
  return appError;
}
