import type { AuthMethod, OAuthProviderKey, SecurityMode } from '../../preload/contract/accounts.ts';
import { addressParts, serverHost } from '../../preload/contract/address.ts';
import type { DiscoveredServer, OAuthProviderOf, OutgoingServerEntry } from './discovery-ports.ts';

/** The parts of the address a template may name. */
export interface AddressFields {
  readonly address: string;
  readonly local: string;
  readonly domain: string;
}

const PLACEHOLDER = /%(EMAILADDRESS|EMAILLOCALPART|EMAILDOMAIN)%?/g;

/**
 * Thunderbird's placeholders filled in for an address, or undefined when a `%` is left over (an
 * unknown or misspelt placeholder). A missing closing `%` is forgiven: upstream's ISPDB has
 * `%EMAILADDRESS` in its Microsoft 365 file, and Thunderbird's own replacement reads it the same.
 */
export function fillPlaceholders(template: string, fields: AddressFields): string | undefined {
  // The address itself may hold a % (it is atext): only the template's own text is checked.
  if (template.replace(PLACEHOLDER, '').includes('%')) return undefined;
  return template.replace(PLACEHOLDER, (_whole, name: string) =>
    name === 'EMAILADDRESS' ? fields.address : name === 'EMAILLOCALPART' ? fields.local : fields.domain,
  );
}

/**
 * A server's host for an address domain: the hostname, or a template on %EMAILDOMAIN% (upstream
 * has `mail.%EMAILDOMAIN%`) filled in, as a host (IDNA, lower case); undefined when it is not one.
 * Only the domain may choose a host: a local part can hold anything atext allows.
 */
export function hostFor(hostname: string, domain: string): string | undefined {
  return serverHost(hostname.replaceAll('%EMAILDOMAIN%', domain));
}

const SECURITY: Readonly<Record<OutgoingServerEntry['socketType'], SecurityMode>> = {
  SSL: 'tls',
  STARTTLS: 'starttls',
  plain: 'none',
};

/**
 * Thunderbird's authentication values as Outbox signs in. `plain` and `secure` are the spec's older
 * names for the password methods. NTLM, GSSAPI, TLS-client-cert and smtp-after-pop are not methods
 * Outbox has; OAuth2 is decided per host (see serversFor).
 */
const SIGN_IN: ReadonlyMap<string, AuthMethod> = new Map([
  ['password-cleartext', 'password'],
  ['plain', 'password'],
  ['password-encrypted', 'password'],
  ['secure', 'password'],
  ['none', 'none'],
  ['client-IP-address', 'none'],
]);

/** One Thunderbird method as Outbox's, or none. */
function signInOf(method: string, oauthProvider: OAuthProviderKey | undefined): AuthMethod[] {
  if (method === 'OAuth2') return oauthProvider === undefined ? [] : ['oauth2'];
  const known = SIGN_IN.get(method);
  return known === undefined ? [] : [known];
}

/** RFC 8314 §3: port 25 is for relaying between servers, not for a client's submission. */
const RELAY_PORT = 25;

/**
 * The servers a client configuration offers this address, preferred first and filled in:
 * placeholders replaced (an entry with an unknown one is dropped), socket type as Outbox's security,
 * authentication as Outbox's sign-in methods (OAuth2 only for hosts `oauthProviderOf` knows, i.e.
 * Outbox's own provider table; an entry with no method Outbox has is dropped). Port 25 is never
 * offered. Encrypted entries come first, in their order; a plain one is kept only when nothing
 * encrypted is left, since the account editor then asks for the explicit plaintext confirmation.
 * An address that is not one gives none.
 */
export function serversFor(
  entries: readonly OutgoingServerEntry[],
  address: string,
  oauthProviderOf: OAuthProviderOf,
): DiscoveredServer[] {
  const parts = addressParts(address);
  if (parts === undefined) return [];
  const fields: AddressFields = { address, ...parts };
  const servers = entries.flatMap((entry) => serverFor(entry, fields, oauthProviderOf) ?? []);
  const encrypted = servers.filter((server) => server.security !== 'none');
  return encrypted.length > 0 ? encrypted : servers;
}

function serverFor(
  entry: OutgoingServerEntry,
  fields: AddressFields,
  oauthProviderOf: OAuthProviderOf,
): DiscoveredServer | undefined {
  if (entry.port === RELAY_PORT) return undefined;
  const host = hostFor(entry.hostname, fields.domain);
  if (host === undefined) return undefined;
  const oauthProvider = oauthProviderOf(host);
  const signIn = [...new Set(entry.authentication.flatMap((method) => signInOf(method, oauthProvider)))];
  if (signIn.length === 0) return undefined;
  const needsName = signIn.some((method) => method !== 'none');
  // No username: Thunderbird takes the incoming server's, which is nearly always the address.
  const username = !needsName ? '' : fillPlaceholders(entry.username || '%EMAILADDRESS%', fields);
  if (username === undefined) return undefined;
  return {
    host,
    port: entry.port,
    security: SECURITY[entry.socketType],
    username,
    signIn,
    ...(signIn.includes('oauth2') && oauthProvider !== undefined ? { oauthProvider } : {}),
  };
}
