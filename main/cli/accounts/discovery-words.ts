import type { AuthMethod, SecurityMode } from '../../../preload/contract/accounts.ts';
import type { DiscoveredServer, Discovery } from '../../../preload/contract/discovery.ts';
import { domainOf } from '../../mail/address.ts';
import { printable } from '../cli-log.ts';

type Found = Extract<Discovery, { status: 'found' }>;

const SECURITY: Record<SecurityMode, string> = {
  tls: 'TLS',
  starttls: 'STARTTLS',
  none: 'no encryption',
};

const SIGN_IN: Record<AuthMethod, string> = {
  oauth2: 'OAuth2',
  password: 'password',
  'app-password': 'app password',
  none: 'no sign-in',
};

/** "smtp.office365.com:587 STARTTLS". Host names came from DNS or a web server: shown printable only. */
export function serverSummary(server: Pick<DiscoveredServer, 'host' | 'port' | 'security'>): string {
  return `${printable(server.host)}:${server.port} ${SECURITY[server.security]}`;
}

/** "OAuth2 (microsoft), password": how a found server signs in, preferred first. */
export function signInWords(server: DiscoveredServer): string {
  return server.signIn
    .map((method) =>
      method === 'oauth2' && server.oauthProvider ? `OAuth2 (${server.oauthProvider})` : SIGN_IN[method],
    )
    .join(', ');
}

/** Where the settings came from, as a person reads it ("the MX record of example.org (…)"). */
export function viaWords(found: Found): string {
  return printable(found.via);
}

/** What could have written the answer: the user weighs a DNS answer differently from a web server's. */
function channel(found: Found, domain: string): string {
  if (found.source === 'mx' || found.source === 'srv') return 'DNS';
  if (found.source === 'autoconfig') return `the web server of ${domain}`;
  return viaWords(found);
}

/**
 * The warning for a server outside the address's domain that DNS or the domain's web server named
 * (issue 16's trust rule): whoever can change that answer could send the password elsewhere.
 */
export function outsideDomainWarning(found: Found): string {
  const domain = printable(domainOf(found.address));
  const host = printable(found.servers[0]?.host ?? '');
  return (
    `${host} is outside ${domain} and was found through ${channel(found, domain)}: ` +
    "make sure it is your provider's server before trusting it with a password"
  );
}
