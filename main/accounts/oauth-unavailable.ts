import { AppError } from '../errors/app-error.ts';
import type { AccessTokens, OAuthSignIn } from '../oauth/oauth-ports.ts';

function notConfigured(): AppError {
  return new AppError('oauth_not_configured', 'Signing in with OAuth2 is not available in this build.');
}

/**
 * What a build without OAuth2 wired in has: every sign-in and token refused with
 * oauth_not_configured, so an OAuth2 account waits for the user rather than pretending to sign in.
 */
export class OAuthUnavailable implements OAuthSignIn, AccessTokens {
  run(): Promise<never> {
    return Promise.reject(notConfigured());
  }

  get(): Promise<never> {
    return Promise.reject(notConfigured());
  }

  remember(): void {
    // Nothing was issued, so nothing is held.
  }

  forget(): void {
    // Nothing is held.
  }
}
