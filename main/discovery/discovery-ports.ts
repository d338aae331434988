import type { AuthMethod, OAuthProviderKey } from '../../preload/contract/accounts.ts';
import type {
  DiscoveredServer,
  DiscoveryAttempt,
  DiscoverySource,
} from '../../preload/contract/discovery.ts';

/**
 * One `outgoingServer type="smtp"` of a Thunderbird client configuration
 * (https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat), as written: the user
 * name still holds its placeholders (%EMAILADDRESS%, %EMAILLOCALPART%, %EMAILDOMAIN%), the
 * hostname may be a template on %EMAILDOMAIN% (`mail.%EMAILDOMAIN%`: serversFor fills both in) and
 * the authentication values are Thunderbird's, in preference order.
 */
export interface OutgoingServerEntry {
  readonly hostname: string;
  readonly port: number;
  readonly socketType: 'SSL' | 'STARTTLS' | 'plain';
  readonly username: string;
  readonly authentication: readonly string[];
}

/** A provider as a client configuration (or the bundled ISPDB) describes it. */
export interface ClientConfig {
  /** `emailProvider id`, e.g. "gmx.net". */
  readonly id: string;
  readonly displayName?: string;
  /** The address domains it serves, lower case. */
  readonly domains: readonly string[];
  /** Its outgoing SMTP servers, preferred first. */
  readonly outgoing: readonly OutgoingServerEntry[];
}

/** The DNS questions a lookup asks; discovery-dns.ts answers them with node:dns (test: dns2 on 127.0.0.1). */
export interface DiscoveryDns {
  /** `signal`: stop asking when the lookup stops waiting, so no query outlives it. */
  resolveMx(domain: string, signal?: AbortSignal): Promise<{ exchange: string; priority: number }[]>;
  resolveSrv(
    name: string,
    signal?: AbortSignal,
  ): Promise<{ name: string; port: number; priority: number; weight: number }[]>;
}

/**
 * Where a connection to `host:port` really goes. The app: the named host itself. Tests: their
 * servers on 127.0.0.1, while TLS still checks the certificate against the named host.
 */
export type Route = (host: string, port: number) => { readonly host: string; readonly port: number };

export interface DiscoveryNetwork {
  readonly dns: DiscoveryDns;
  readonly route: Route;
  /** CAs trusted for autoconfig over HTTPS besides the system's (a test's own CA); none in the app. */
  readonly extraCa?: readonly string[];
}

/** OAuth2 is offered only for hosts in Outbox's own provider table (main/oauth/oauth-providers.ts). */
export type OAuthProviderOf = (host: string) => OAuthProviderKey | undefined;

/** What one source found: the servers filled in for the address, and how to say where they came from. */
export interface Finding {
  readonly source: DiscoverySource;
  /** "the MX record of example.org", "Thunderbird's ISP database (bundled)". */
  readonly via: string;
  readonly servers: readonly DiscoveredServer[];
  readonly providerName?: string;
  readonly presetKey?: string;
  readonly note?: string;
  /** The server is outside the address's domain and the answer came from DNS or the domain's web server. */
  readonly confirm: boolean;
}

/** One source's answer: a finding or none, and the line that says what happened. */
export interface SourceOutcome {
  readonly finding?: Finding;
  readonly attempt: DiscoveryAttempt;
}

export type { AuthMethod, DiscoveredServer };
