import { autoconfigSource, exchangerAutoconfig, liveIspdbSource } from './autoconfig-source.ts';
import {
  AccountDiscovery,
  DEFAULT_DISCOVERY_TIMEOUTS,
  type DiscoveryTimeouts,
  type RemoteSource,
} from './discover.ts';
import type { DiscoveryNetwork } from './discovery-ports.ts';
import { ispdbDomainLookup, ispdbSource, type IspdbLoader } from './ispdb-source.ts';
import { fromMx } from './mx-source.ts';
import { probeSources } from './probe-source.ts';
import { providerTableSource } from './provider-table.ts';
import { srvSource } from './srv-source.ts';

export interface DiscoveryOptions {
  readonly network: DiscoveryNetwork;
  readonly timeouts?: DiscoveryTimeouts;
  /** Whether Thunderbird's live ISPDB may be asked (setting `liveIspdbLookup`), read at each lookup. */
  readonly liveIspdbLookup?: () => boolean;
  /** The bundled ISPDB (ispdb.ts), loaded at the first lookup that needs it. */
  readonly ispdb: IspdbLoader;
}

/** The lookup with every source joined, in the order. */
export function createDiscovery(options: DiscoveryOptions): AccountDiscovery {
  const { network } = options;
  const timeouts = options.timeouts ?? DEFAULT_DISCOVERY_TIMEOUTS;
  const domainLookups = [ispdbDomainLookup(options.ispdb), exchangerAutoconfig(network)];
  const mx: RemoteSource = {
    source: 'mx',
    run: (query, signal) => fromMx(query, { dns: network.dns, domainLookups }, signal),
  };
  const live = liveIspdbSource(network, options.liveIspdbLookup ?? (() => false));
  const remote = [live, autoconfigSource(network), mx, srvSource(network.dns)];
  return new AccountDiscovery({
    local: [providerTableSource, ispdbSource(options.ispdb)],
    remote: () => remote,
    lastResort: probeSources(network, timeouts.probeMs),
    timeouts,
  });
}
