import type { SecurityMode } from '../../preload/contract/accounts.ts';
import type { DiscoveredServer, DiscoveryDns, SourceOutcome } from './discovery-ports.ts';
import { recordsOrNone } from './dns-answers.ts';
import type { RemoteSource } from './discover.ts';
import { withinDomain, type LookupQuery } from './lookup-query.ts';

type SrvRecord = Awaited<ReturnType<DiscoveryDns['resolveSrv']>>[number];

/** RFC 8314 §5.1: implicit TLS (`_submissions`) is preferred over STARTTLS (`_submission`). */
const SERVICES: readonly { readonly label: string; readonly security: SecurityMode }[] = [
  { label: '_submissions._tcp', security: 'tls' },
  { label: '_submission._tcp', security: 'starttls' },
];

/** RFC 8314 §3: port 25 is for relaying between servers; a client never submits there. */
const RELAY_PORT = 25;

/**
 * The records a client may use, best first. RFC 2782: lowest priority first; among equal priority
 * a client picks at random, weighted. This result is shown to a person and must read the same each
 * time it is asked, so the heaviest comes first instead (ties by name): it is the one the weighted
 * draw picks most often. A target of "." says the service is not offered (RFC 2782), and so does a
 * port of 0 or 25 here.
 */
export function usableSrvRecords(records: readonly SrvRecord[]): SrvRecord[] {
  return records
    .map((record) => ({ ...record, name: record.name.toLowerCase().replace(/\.$/, '') }))
    .filter((record) => record.name !== '' && record.port > 0 && record.port !== RELAY_PORT)
    .sort((a, b) => a.priority - b.priority || b.weight - a.weight || a.name.localeCompare(b.name));
}

/** The servers the SRV records name for this address, `_submissions` ones first. */
export function srvServers(
  query: LookupQuery,
  answers: readonly (readonly SrvRecord[])[],
): DiscoveredServer[] {
  const servers: DiscoveredServer[] = [];
  SERVICES.forEach(({ security }, index) => {
    for (const record of usableSrvRecords(answers[index] ?? [])) {
      if (servers.some((server) => server.host === record.name && server.port === record.port)) continue;
      // RFC 6186 §3.1 has no user name form: the address is what submission servers expect.
      servers.push({
        host: record.name,
        port: record.port,
        security,
        username: query.address,
        signIn: ['password'],
      });
    }
  });
  return servers;
}

/**
 * Source 5 (RFC 6186 §3.1, RFC 8314 §5.1): `_submissions._tcp.<domain>`, then
 * `_submission._tcp.<domain>`, asked together. The answer comes from DNS, so a server outside the
 * address's domain must be confirmed by the user.
 */
export function srvSource(dns: Pick<DiscoveryDns, 'resolveSrv'>): RemoteSource {
  return {
    source: 'srv',
    run: async (query: LookupQuery, signal: AbortSignal): Promise<SourceOutcome> => {
      const names = SERVICES.map(({ label }) => `${label}.${query.domain}`);
      const settled = await Promise.allSettled(
        names.map((name) => recordsOrNone(dns.resolveSrv(name, signal))),
      );
      const answers = settled.map((result) => (result.status === 'fulfilled' ? result.value : []));
      const servers = srvServers(query, answers);
      const first = servers[0];
      if (!first) {
        const failure = settled.find((result) => result.status === 'rejected');
        if (failure) throw failure.reason;
        return {
          attempt: {
            source: 'srv',
            outcome: 'nothing',
            detail: `${query.domain} has no SRV record for mail submission.`,
          },
        };
      }
      return {
        finding: {
          source: 'srv',
          via: `the SRV records of ${query.domain}`,
          servers,
          confirm: servers.some((server) => !withinDomain(server.host, query.domain)),
        },
        attempt: {
          source: 'srv',
          outcome: 'found',
          detail: `${first.security === 'tls' ? names[0] : names[1]} names ${first.host}:${first.port}.`,
        },
      };
    },
  };
}
