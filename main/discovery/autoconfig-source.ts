import type { DiscoverySource } from '../../preload/contract/discovery.ts';
import { AppError } from '../errors/app-error.ts';
import { providerServing } from '../oauth/oauth-providers.ts';
import { MAX_CLIENT_CONFIG_BYTES, parseClientConfig } from './client-config.ts';
import type { RemoteSource } from './discover.ts';
import type { DiscoveryNetwork, Finding, OAuthProviderOf, SourceOutcome } from './discovery-ports.ts';
import { fetchConfig, type ConfigFetch } from './https-config-fetch.ts';
import { withinDomain, type LookupQuery } from './lookup-query.ts';
import type { DomainLookup } from './mx-source.ts';
import { serversFor } from './outgoing-server.ts';

type Network = Pick<DiscoveryNetwork, 'route' | 'extraCa'>;

/** Thunderbird's live ISPDB (https://github.com/thunderbird/autoconfig), asked only when the setting allows. */
export const LIVE_ISPDB_BASE = 'https://autoconfig.thunderbird.net/v1.1/';

/** What one configuration file gave: a finding, or the sentence saying why not. */
type FileOutcome =
  | { readonly kind: 'found'; readonly finding: Finding; readonly url: URL }
  | { readonly kind: 'absent' | 'refused'; readonly detail: string };

interface FileSource {
  readonly source: DiscoverySource;
  readonly via: string;
  /** Whether a server outside the address's domain must be confirmed (not for curated data). */
  readonly checkDomain: boolean;
}

/** Reads one file into a finding: parsed by the client-config parser, filled in for the address. */
async function readConfig(
  url: URL,
  query: LookupQuery,
  how: FileSource,
  network: Network,
  oauthProviderOf: OAuthProviderOf,
  signal: AbortSignal,
): Promise<FileOutcome> {
  const fetched: ConfigFetch = await fetchConfig(url, network, MAX_CLIENT_CONFIG_BYTES, signal);
  if (fetched.kind !== 'body') return fetched;
  let config;
  try {
    config = parseClientConfig(fetched.text);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { kind: 'refused', detail: `${url.host}: ${error.message}` };
  }
  const servers = serversFor(config.outgoing, query.address, oauthProviderOf);
  if (servers.length === 0) {
    return { kind: 'refused', detail: `The file at ${url.host} names no server Outbox can use.` };
  }
  return {
    kind: 'found',
    url,
    finding: {
      source: how.source,
      via: how.via,
      servers,
      ...(config.displayName ? { providerName: config.displayName } : {}),
      confirm: how.checkDomain && servers.some((server) => !withinDomain(server.host, query.domain)),
    },
  };
}

/** The first file of `urls` (asked in order) that gives a finding, or every reason none did. */
async function firstConfig(
  urls: readonly URL[],
  query: LookupQuery,
  how: FileSource,
  network: Network,
  oauthProviderOf: OAuthProviderOf,
  signal: AbortSignal,
): Promise<SourceOutcome> {
  const misses: Exclude<FileOutcome, { kind: 'found' }>[] = [];
  for (const url of urls) {
    signal.throwIfAborted();
    const outcome = await readConfig(url, query, how, network, oauthProviderOf, signal);
    if (outcome.kind === 'found') {
      const server = outcome.finding.servers[0];
      return {
        finding: outcome.finding,
        attempt: {
          source: how.source,
          outcome: 'found',
          detail: `${outcome.url.host}${outcome.url.pathname} names ${server ? `${server.host}:${server.port}` : 'a server'}.`,
        },
      };
    }
    misses.push(outcome);
  }
  signal.throwIfAborted();
  const refused = misses.some((miss) => miss.kind === 'refused');
  return {
    attempt: {
      source: how.source,
      outcome: refused ? 'failed' : 'nothing',
      detail: misses.map((miss) => miss.detail).join(' '),
    },
  };
}

/** The two places a domain keeps its own file (Thunderbird's order); the address only to its own domain. */
export function autoconfigUrls(query: LookupQuery): URL[] {
  const first = new URL(`https://autoconfig.${query.domain}/mail/config-v1.1.xml`);
  first.searchParams.set('emailaddress', query.address);
  return [first, new URL(`https://${query.domain}/.well-known/autoconfig/mail/config-v1.1.xml`)];
}

/**
 * Source 3: the domain's own autoconfig file over HTTPS. Whoever controls the domain's web server
 * (or its DNS) wrote it, so a server outside the domain must be confirmed by the user.
 */
export function autoconfigSource(
  network: Network,
  oauthProviderOf: OAuthProviderOf = providerServing,
): RemoteSource {
  return {
    source: 'autoconfig',
    run: (query, signal) =>
      firstConfig(
        autoconfigUrls(query),
        query,
        { source: 'autoconfig', via: `the autoconfig file of ${query.domain}`, checkDomain: true },
        network,
        oauthProviderOf,
        signal,
      ),
  };
}

/**
 * Source 2b: Thunderbird's live ISPDB, between the bundled copy and the domain's own file. It tells
 * Thunderbird's server which domain is being set up, so it is asked only when `enabled()` says the
 * user allowed it (read at each lookup). Curated like the bundled copy: nothing to confirm.
 */
export function liveIspdbSource(
  network: Network,
  enabled: () => boolean,
  oauthProviderOf: OAuthProviderOf = providerServing,
): RemoteSource {
  return {
    source: 'live-ispdb',
    run: async (query, signal) => {
      if (!enabled()) {
        return {
          attempt: {
            source: 'live-ispdb',
            outcome: 'skipped',
            detail: "Thunderbird's online ISP database is turned off in Settings.",
          },
        };
      }
      return firstConfig(
        [new URL(encodeURIComponent(query.domain), LIVE_ISPDB_BASE)],
        query,
        { source: 'live-ispdb', via: "Thunderbird's ISP database (online)", checkDomain: false },
        network,
        oauthProviderOf,
        signal,
      );
    },
  };
}

/**
 * For the MX source: the autoconfig file of the exchanger's domain (`autoconfig.<mx domain>`). The
 * address is not sent there: that host was named by DNS, not by the user. The MX source decides
 * what to confirm.
 */
export function exchangerAutoconfig(
  network: Network,
  oauthProviderOf: OAuthProviderOf = providerServing,
): DomainLookup {
  return async (query, domain, via, signal) => {
    const url = new URL(`https://autoconfig.${domain}/mail/config-v1.1.xml`);
    const how: FileSource = { source: 'mx', via, checkDomain: false };
    const outcome = await readConfig(url, query, how, network, oauthProviderOf, signal);
    return outcome.kind === 'found' ? outcome.finding : undefined;
  };
}
