import { AppError } from '../errors/app-error.ts';
import { providerServing } from '../oauth/oauth-providers.ts';
import type { LocalSource } from './discover.ts';
import type { ClientConfig, Finding, OAuthProviderOf } from './discovery-ports.ts';
import type { Ispdb } from './ispdb.ts';
import type { LookupQuery } from './lookup-query.ts';
import type { DomainLookup } from './mx-source.ts';
import { serversFor } from './outgoing-server.ts';

const VIA = "Thunderbird's ISP database (bundled)";

/** The bundled ISPDB, read when a lookup first needs it (a CLI that only sends never does). */
export type IspdbLoader = () => Ispdb;

/** Curated data: a provider's servers are outside its customers' domains by nature, nothing to confirm. */
function finding(
  config: ClientConfig,
  query: LookupQuery,
  oauthProviderOf: OAuthProviderOf,
): Finding | undefined {
  const servers = serversFor(config.outgoing, query.address, oauthProviderOf);
  if (servers.length === 0) return undefined;
  return {
    source: 'ispdb',
    via: VIA,
    servers,
    ...(config.displayName ? { providerName: config.displayName } : {}),
    confirm: false,
  };
}

/** Source 2: the address's domain in the bundled copy of Thunderbird's ISPDB. */
export function ispdbSource(
  load: IspdbLoader,
  oauthProviderOf: OAuthProviderOf = providerServing,
): LocalSource {
  return (query) => {
    let config: ClientConfig | undefined;
    try {
      config = load().byDomain(query.domain);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return { attempt: { source: 'ispdb', outcome: 'failed', detail: error.message } };
    }
    const found = config ? finding(config, query, oauthProviderOf) : undefined;
    if (!found) {
      return {
        attempt: {
          source: 'ispdb',
          outcome: 'nothing',
          detail: `${query.domain} is not in ${VIA}${config ? ' with a server Outbox can use' : ''}.`,
        },
      };
    }
    return {
      finding: found,
      attempt: {
        source: 'ispdb',
        outcome: 'found',
        detail: `${query.domain} is ${found.providerName ?? config?.id ?? 'known'} in ${VIA}.`,
      },
    };
  };
}

/** For the MX source: the exchanger's domain in the bundled ISPDB (GMX's mail.gmx.net, say). */
export function ispdbDomainLookup(
  load: IspdbLoader,
  oauthProviderOf: OAuthProviderOf = providerServing,
): DomainLookup {
  return (query, domain) => {
    let config: ClientConfig | undefined;
    try {
      config = load().byDomain(domain);
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      config = undefined;
    }
    return Promise.resolve(config ? finding(config, query, oauthProviderOf) : undefined);
  };
}
