import type { Provider } from '../../preload/contract/accounts.ts';
import type { DiscoveredServer } from '../../preload/contract/discovery.ts';
import { presetFor, presetForExchange } from '../accounts/provider-presets.ts';
import type { Finding, SourceOutcome } from './discovery-ports.ts';
import type { LookupQuery } from './lookup-query.ts';

/** A preset as the one server a lookup offers, filled in for the address. */
export function presetServer(preset: Provider, query: LookupQuery): DiscoveredServer {
  return {
    host: preset.host,
    port: preset.port,
    security: preset.security,
    username: preset.usernameIsAddress ? query.address : query.localPart,
    signIn: [...preset.signIn],
    ...(preset.oauthProvider ? { oauthProvider: preset.oauthProvider } : {}),
  };
}

/** What Outbox's own table says of a preset; `via` and `confirm` come from the caller. */
export function presetFinding(
  preset: Provider,
  query: LookupQuery,
  how: Pick<Finding, 'source' | 'via' | 'confirm'>,
): Finding {
  return {
    ...how,
    servers: [presetServer(preset, query)],
    providerName: preset.name,
    presetKey: preset.key,
    ...(preset.note ? { note: preset.note } : {}),
  };
}

/** Source 1: the address's domain is one of Outbox's presets (Gmail, Outlook.com, …). */
export function fromProviderTable(query: LookupQuery): Finding | undefined {
  const preset = presetFor(query.address);
  return preset
    ? presetFinding(preset, query, { source: 'provider', via: "Outbox's own provider table", confirm: false })
    : undefined;
}

/** The preset whose mail exchanger this is (Google Workspace, Microsoft 365), for the MX source. */
export function providerOfExchange(exchange: string): Provider | undefined {
  return presetForExchange(exchange) ?? undefined;
}

/** Source 1 as the lookup runs it: found, or a line saying the domain is not a preset's. */
export function providerTableSource(query: LookupQuery): SourceOutcome {
  const finding = fromProviderTable(query);
  return finding
    ? {
        finding,
        attempt: {
          source: 'provider',
          outcome: 'found',
          detail: `${query.domain} is ${finding.providerName}.`,
        },
      }
    : {
        attempt: {
          source: 'provider',
          outcome: 'nothing',
          detail: `${query.domain} is not in Outbox's own provider table.`,
        },
      };
}
