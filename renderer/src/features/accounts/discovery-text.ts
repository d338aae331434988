import type { SecurityMode } from '../../../../preload/contract/accounts.ts';
import type { DiscoveredServer, Discovery } from '../../../../preload/contract/discovery.ts';

export type FoundDiscovery = Extract<Discovery, { status: 'found' }>;

const SECURITY_WORDS: Record<SecurityMode, string> = {
  tls: 'TLS',
  starttls: 'STARTTLS',
  none: 'no encryption',
};

/** "smtp.office365.com (port 587, STARTTLS)". */
export function serverText(server: DiscoveredServer): string {
  return `${server.host} (port ${server.port}, ${SECURITY_WORDS[server.security]})`;
}

/** The address's domain as typed, for sentences. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/** One line under the address saying where the settings came from. */
export function sourceLine(found: FoundDiscovery): string {
  const name = found.providerName ? `: ${found.providerName}` : '';
  const domain = domainOf(found.address);
  switch (found.source) {
    case 'provider':
      return `Settings from Outbox's provider table${name}`;
    case 'ispdb':
      return `Settings from Thunderbird's ISP database${name}`;
    case 'live-ispdb':
      return `Settings from Thunderbird's online ISP database${name}`;
    case 'autoconfig':
      return `Settings from ${domain}'s own configuration (autoconfig)${name}`;
    case 'probe':
      return `Settings found by trying ${found.servers[0]?.host ?? `the servers of ${domain}`}`;
    case 'mx':
    case 'srv':
      return `Settings found through ${found.via}${name}`;
  }
}

/**
 * Why an off-domain answer from DNS or the domain's web server needs a yes: whoever can change
 * those answers could send the password elsewhere (issue 16, "Trust").
 */
export function confirmationText(found: FoundDiscovery, server: DiscoveredServer): readonly string[] {
  const domain = domainOf(found.address);
  return [
    `Found through ${found.via}: ${serverText(server)}.`,
    `This server is outside ${domain}. Use it only if you expect ${domain}'s mail to go through ${
      found.providerName ?? server.host
    } — any password you enter goes to it.`,
  ];
}
