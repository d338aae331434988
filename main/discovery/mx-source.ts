import { getDomain } from 'tldts';
import { recordsOrNone } from './dns-answers.ts';
import type { DiscoveryDns, Finding, SourceOutcome } from './discovery-ports.ts';
import { withinDomain, type LookupQuery } from './lookup-query.ts';
import { presetFinding, providerOfExchange } from './provider-table.ts';

/**
 * Looks a provider's domain up in the sources before MX (ISPDB, autoconfig), its servers filled in
 * for the query's address; undefined when none knows it.
 */
export type DomainLookup = (
  query: LookupQuery,
  domain: string,
  via: string,
  signal: AbortSignal,
) => Promise<Finding | undefined>;

export interface MxDeps {
  readonly dns: Pick<DiscoveryDns, 'resolveMx'>;
  /** Tried in order for the exchanger's registrable domain, then the level below it. */
  readonly domainLookups: readonly DomainLookup[];
}

/** The exchanger mail goes to first: the lowest preference value (RFC 5321 §5.1), the first of equals. */
export function bestExchange(records: readonly { exchange: string; priority: number }[]): string | undefined {
  let best: { exchange: string; priority: number } | undefined;
  for (const record of records) if (!best || record.priority < best.priority) best = record;
  return best?.exchange.toLowerCase().replace(/\.$/, '');
}

/**
 * The domains a provider's exchanger may be known by: its registrable domain (public suffix list),
 * then one label more, which tells Outlook.com (olc.protection.outlook.com) from Microsoft 365
 * (mail.protection.outlook.com) and GMX's mail.gmx.net hosts from gmx.net.
 */
export function exchangeDomains(exchange: string): string[] {
  const registrable = getDomain(exchange, { allowPrivateDomains: false });
  if (!registrable || registrable === exchange) return registrable ? [registrable] : [];
  const labels = exchange.slice(0, -registrable.length - 1).split('.');
  const nextLevel = `${labels[labels.length - 1]}.${registrable}`;
  return nextLevel === exchange ? [registrable] : [registrable, nextLevel];
}

/**
 * Source 4: the domain's best MX names the provider behind a custom domain (Google Workspace,
 * Microsoft 365, GMX…). The answer comes from DNS, so a server outside the address's domain must
 * be confirmed by the user.
 */
export async function fromMx(query: LookupQuery, deps: MxDeps, signal: AbortSignal): Promise<SourceOutcome> {
  const exchange = bestExchange(await recordsOrNone(deps.dns.resolveMx(query.domain, signal)));
  if (!exchange) {
    return { attempt: { source: 'mx', outcome: 'nothing', detail: `${query.domain} has no MX record.` } };
  }
  const via = `the MX record of ${query.domain} (${exchange})`;
  const confirmFor = (finding: Pick<Finding, 'servers'>) =>
    finding.servers.some((server) => !withinDomain(server.host, query.domain));
  const preset = providerOfExchange(exchange);
  if (preset) {
    const finding = presetFinding(preset, query, { source: 'mx', via, confirm: false });
    return found({ ...finding, confirm: confirmFor(finding) }, exchange);
  }
  for (const domain of exchangeDomains(exchange)) {
    for (const lookup of deps.domainLookups) {
      signal.throwIfAborted();
      const finding = await lookup(query, domain, via, signal);
      if (finding) return found({ ...finding, source: 'mx', via, confirm: confirmFor(finding) }, exchange);
    }
  }
  return {
    attempt: {
      source: 'mx',
      outcome: 'nothing',
      detail: `No provider is known for ${query.domain}'s mail exchanger ${exchange}.`,
    },
  };
}

function found(finding: Finding, exchange: string): SourceOutcome {
  const server = finding.servers[0];
  const what = server ? `${server.host}:${server.port}` : 'a server';
  return {
    finding,
    attempt: {
      source: 'mx',
      outcome: 'found',
      detail: `The mail exchanger ${exchange} is served by ${what}.`,
    },
  };
}
