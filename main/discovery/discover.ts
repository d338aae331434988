import type { Discovery, DiscoveryAttempt, DiscoverySource } from '../../preload/contract/discovery.ts';
import type { Finding, SourceOutcome } from './discovery-ports.ts';
import { lookupQuery, type LookupQuery } from './lookup-query.ts';

/** A source answered from what Outbox carries (its provider table, the bundled ISPDB): no network. */
export type LocalSource = (query: LookupQuery) => SourceOutcome;

/** A source that asks the network; it should stop when `signal` aborts (the lookup stops waiting anyway). */
export interface RemoteSource {
  readonly source: DiscoverySource;
  run(query: LookupQuery, signal: AbortSignal): Promise<SourceOutcome>;
}

export interface DiscoveryTimeouts {
  /** How long the DNS and HTTPS sources, asked together, may take. */
  readonly sourcesMs: number;
  /** How long probing may take, once they found nothing. */
  readonly probeMs: number;
}

/** A lookup that finds nothing says so within sourcesMs + probeMs (docs/account-setup.md states it). */
export const DEFAULT_DISCOVERY_TIMEOUTS: DiscoveryTimeouts = { sourcesMs: 6_000, probeMs: 6_000 };

export interface DiscoverySources {
  /** In order: the provider table, the bundled ISPDB. */
  readonly local: readonly LocalSource[];
  /** In order of trust; asked at the same time, the first in this order that finds wins. */
  readonly remote: () => readonly RemoteSource[];
  /** Probing smtp.<domain> and mail.<domain>, only when everything else found nothing. */
  readonly lastResort: readonly RemoteSource[];
  readonly timeouts: DiscoveryTimeouts;
}

class TimedOut extends Error {}

/** Settles with `task`, or rejects when `signal` aborts first (a DNS query cannot be cancelled). */
function untilAborted<T>(task: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason instanceof TimedOut ? signal.reason : new TimedOut());
    };
    if (signal.aborted) {
      onAbort();
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    task.then(resolve, reject).finally(() => {
      signal.removeEventListener('abort', onAbort);
    });
  });
}

async function ask(
  source: RemoteSource,
  query: LookupQuery,
  signal: AbortSignal,
  ms: number,
): Promise<SourceOutcome> {
  try {
    return await untilAborted(source.run(query, signal), signal);
  } catch (error) {
    if (error instanceof TimedOut || signal.aborted) {
      return {
        attempt: { source: source.source, outcome: 'timeout', detail: `No answer within ${ms / 1000} s.` },
      };
    }
    const reason = error instanceof Error ? error.message : String(error);
    return { attempt: { source: source.source, outcome: 'failed', detail: reason } };
  }
}

function phaseSignal(outer: AbortSignal | undefined, ms: number): { signal: AbortSignal; stop: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new TimedOut());
  }, ms);
  const onOuter = () => {
    controller.abort(outer?.reason);
  };
  outer?.addEventListener('abort', onOuter, { once: true });
  return {
    signal: controller.signal,
    stop: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuter);
      if (!controller.signal.aborted) controller.abort(new TimedOut());
    },
  };
}

/**
 * Runs sources side by side; the first in list order that finds wins, so a quick answer from a
 * less trusted source never beats a slower, more trusted one still on its way.
 */
async function firstInOrder(
  sources: readonly RemoteSource[],
  query: LookupQuery,
  outer: AbortSignal | undefined,
  ms: number,
  attempts: DiscoveryAttempt[],
): Promise<Finding | undefined> {
  if (sources.length === 0) return undefined;
  const phase = phaseSignal(outer, ms);
  const running = sources.map((source) => ask(source, query, phase.signal, ms));
  try {
    for (const [index, outcome] of running.entries()) {
      const { finding, attempt } = await outcome;
      attempts.push(attempt);
      if (finding) {
        for (const later of sources.slice(index + 1)) {
          attempts.push({
            source: later.source,
            outcome: 'skipped',
            detail: `Not needed: ${attempt.source} answered.`,
          });
        }
        return finding;
      }
    }
    return undefined;
  } finally {
    phase.stop();
  }
}

function foundResult(query: LookupQuery, finding: Finding, attempts: DiscoveryAttempt[]): Discovery {
  return {
    status: 'found',
    address: query.address,
    source: finding.source,
    via: finding.via,
    ...(finding.providerName ? { providerName: finding.providerName } : {}),
    ...(finding.presetKey ? { presetKey: finding.presetKey } : {}),
    ...(finding.note ? { note: finding.note } : {}),
    servers: [...finding.servers],
    confirm: finding.confirm,
    attempts,
  };
}

/**
 * Finds an address's outgoing server from the address alone (issue 16): what Outbox carries first,
 * then DNS and HTTPS sources together, then probing. Never throws for what the network does; an
 * address that is not one is refused with invalid_address.
 */
export class AccountDiscovery {
  readonly #sources: DiscoverySources;

  constructor(sources: DiscoverySources) {
    this.#sources = sources;
  }

  async discover(address: string, signal?: AbortSignal): Promise<Discovery> {
    const query = lookupQuery(address);
    const attempts: DiscoveryAttempt[] = [];
    for (const source of this.#sources.local) {
      const { finding, attempt } = source(query);
      attempts.push(attempt);
      if (finding) return foundResult(query, finding, attempts);
    }
    const { sourcesMs, probeMs } = this.#sources.timeouts;
    const remote = await firstInOrder(this.#sources.remote(), query, signal, sourcesMs, attempts);
    if (remote) return foundResult(query, remote, attempts);
    const probed = await firstInOrder(this.#sources.lastResort, query, signal, probeMs, attempts);
    if (probed) return foundResult(query, probed, attempts);
    signal?.throwIfAborted();
    return {
      status: 'not_found',
      address: query.address,
      message: `Could not find the settings for ${query.domain}; enter them by hand.`,
      attempts,
    };
  }
}
