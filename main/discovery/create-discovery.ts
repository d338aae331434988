import {
  AccountDiscovery,
  DEFAULT_DISCOVERY_TIMEOUTS,
  type DiscoveryTimeouts,
  type RemoteSource,
} from './discover.ts';
import type { DiscoveryNetwork } from './discovery-ports.ts';
import { fromMx } from './mx-source.ts';
import { providerTableSource } from './provider-table.ts';

export interface DiscoveryOptions {
  readonly network: DiscoveryNetwork;
  readonly timeouts?: DiscoveryTimeouts;
}

/** The lookup with every source joined, in the order. */
export function createDiscovery(options: DiscoveryOptions): AccountDiscovery {
  const { network } = options;
  const mx: RemoteSource = {
    source: 'mx',
    run: (query, signal) => fromMx(query, { dns: network.dns, domainLookups: [] }, signal),
  };
  return new AccountDiscovery({
    local: [providerTableSource],
    remote: () => [mx],
    lastResort: [],
    timeouts: options.timeouts ?? DEFAULT_DISCOVERY_TIMEOUTS,
  });
}
