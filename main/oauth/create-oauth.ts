import type { Credentials } from '../accounts/credentials.ts';
import { AccessTokenKeeper } from './access-token-keeper.ts';
import { AuthorizationServers } from './authorization-server.ts';
import { BrowserSignIn } from './browser-sign-in.ts';
import type { ClientIds } from './client-ids.ts';
import type { AccessTokens, OAuthSignIn } from './oauth-ports.ts';

export interface OAuth {
  readonly signIn: OAuthSignIn;
  readonly tokens: AccessTokens;
}

/**
 * The OAuth2 side of the core: the browser sign-in and the token keeper, sharing one cache of
 * providers' metadata, so a generic issuer is asked once per process.
 */
export function createOAuth(options: {
  readonly clientIds: ClientIds;
  readonly credentials: Pick<Credentials, 'read' | 'write'>;
}): OAuth {
  const servers = new AuthorizationServers();
  return {
    signIn: new BrowserSignIn({ clientIds: options.clientIds, servers }),
    tokens: new AccessTokenKeeper({
      credentials: options.credentials,
      clientIds: options.clientIds,
      servers,
    }),
  };
}
