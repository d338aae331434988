import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { OAuthSettings } from '../../preload/contract/accounts.ts';
import { AppError } from '../errors/app-error.ts';

/**
 * The client IDs Outbox is built with (`build/oauth-clients.json`, see docs/oauth.md). A desktop
 * app is a public client (RFC 8252 §8.4): nothing here is secret, Google's "client secret"
 * included, which Google requires of installed apps while saying it is not confidential.
 */
const clientIdsFile = z.object({
  microsoft: z.object({ clientId: z.string().max(500) }).optional(),
  google: z
    .object({ clientId: z.string().max(500), clientSecret: z.string().max(500).optional() })
    .optional(),
});
export type ClientIds = z.infer<typeof clientIdsFile>;

/** The client an account signs in as: its own ID, or the one Outbox was built with. */
export interface OAuthClient {
  readonly clientId: string;
  readonly clientSecret?: string;
}

/**
 * Reads the build's client IDs; a missing file means none (accounts must then bring their own).
 * Synchronous: a file of a few hundred bytes, read once as the core is built.
 */
export function loadClientIds(file: string): ClientIds {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = clientIdsFile.safeParse(json);
  if (!parsed.success) {
    throw new AppError(
      'oauth_not_configured',
      `${file} is not a valid OAuth2 client list (see docs/oauth.md).`,
    );
  }
  return parsed.data;
}

/** The account's own client ID wins (organisations that registered their own app); else the build's. */
export function clientFor(settings: OAuthSettings, ids: ClientIds): OAuthClient {
  if (settings.clientId !== undefined) return { clientId: settings.clientId };
  const built = settings.provider === 'generic' ? undefined : ids[settings.provider];
  if (built === undefined || built.clientId === '') {
    const what =
      settings.provider === 'generic'
        ? 'an OAuth2 provider found by its issuer needs the client ID you registered with it'
        : `this copy of Outbox was built without a client ID for ${settings.provider === 'google' ? 'Google' : 'Microsoft'}; enter your organisation's own`;
    throw new AppError('oauth_not_configured', `No OAuth2 client ID: ${what} (see docs/oauth.md).`, {
      field: 'oauth.clientId',
    });
  }
  const secret = settings.provider === 'google' ? ids.google?.clientSecret : undefined;
  return secret ? { clientId: built.clientId, clientSecret: secret } : { clientId: built.clientId };
}
