import { Resolver } from 'node:dns/promises';
import type { DiscoveryDns } from './discovery-ports.ts';

/**
 * The lookup's DNS: one c-ares channel per question, so that a question can be cancelled when the
 * lookup stops waiting (Resolver.cancel ends every query of its channel, and other lookups or the
 * sender-domain check must not lose theirs). A cancelled query leaves no socket or timer behind.
 */
export function discoveryDns(servers?: readonly string[]): DiscoveryDns {
  const ask = async <T>(question: (resolver: Resolver) => Promise<T>, signal?: AbortSignal): Promise<T> => {
    signal?.throwIfAborted();
    const resolver = new Resolver({ timeout: 2_000, tries: 2 });
    if (servers && servers.length > 0) resolver.setServers([...servers]);
    const cancel = () => {
      resolver.cancel();
    };
    signal?.addEventListener('abort', cancel, { once: true });
    try {
      return await question(resolver);
    } finally {
      signal?.removeEventListener('abort', cancel);
    }
  };
  return {
    resolveMx: (domain, signal) => ask((resolver) => resolver.resolveMx(domain), signal),
    resolveSrv: (name, signal) => ask((resolver) => resolver.resolveSrv(name), signal),
  };
}
