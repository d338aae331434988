import type { CallName } from '../../preload/contract/channels.ts';
import { AppError } from '../errors/app-error.ts';
import type { CallHandlers } from '../ipc/ipc-router.ts';
import { createBridgeLimits, rateLimited, type BridgeLimits } from '../security/bridge-limits.ts';
import type { RateLimiter } from '../security/rate-limit.ts';
import type { AccountsService } from './accounts-service.ts';
import { providerPresets } from './provider-presets.ts';

type AccountsCall = Extract<CallName, `accounts:${string}`>;

/** On the bridge `null` removes an optional field; the store removes a key whose value is undefined. */
function withRemovals<T extends object>(patch: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(patch).map(([key, value]) => [key, value ?? undefined])) as {
    [K in keyof T]: Exclude<T[K], null>;
  };
}
export type AccountsHandlers = Pick<CallHandlers, AccountsCall>;

/**
 * The `accounts:*` bridge calls. Inputs arrive parsed by the router; no handler returns a secret.
 * A connection test reaches any host and port an account names and reports each step, so the window
 * may run only a few (`connectionTests`): else a compromised page has a port scanner. A sign-in
 * opens the browser at a URL main builds and listens on loopback, so it counts against the same
 * limit: a page may not open browser tabs in a loop. An address lookup asks DNS, fetches
 * autoconfig files and probes ports of a domain the page names, so it has a bucket of its own
 * (`addressLookups`). Accounts added from the window are capped (`accounts`): each is written to the
 * settings file and may hold keychain items.
 */
export function createAccountsHandlers(
  service: AccountsService,
  openBrowser: (url: string) => Promise<void>,
  limits: Pick<BridgeLimits, 'connectionTests' | 'addressLookups' | 'accounts'> = createBridgeLimits(),
): AccountsHandlers {
  const admitTo = <K extends string>(limiter: RateLimiter<K>, cost: Record<K, number>, what: string) => {
    const admitted = limiter.take(cost);
    if (!admitted.ok) throw rateLimited(what, admitted.waitMs);
  };
  const admit = (what: string) => {
    admitTo(limits.connectionTests, { tests: 1 }, what);
  };
  return {
    'accounts:list': () => service.list(),
    'accounts:create': (input) => {
      const count = service.list().length;
      if (count >= limits.accounts) {
        throw new AppError(
          'accounts_quota_exceeded',
          `There are already ${count} accounts. Remove one to add another.`,
        );
      }
      return service.create(input);
    },
    'accounts:update': ({ id, patch }) => service.update(id, withRemovals(patch)),
    'accounts:delete': async (request) => {
      await service.remove(request);
      return null;
    },
    'accounts:reorder': ({ ids }) => service.reorder(ids),
    'accounts:setDefault': ({ id }) => service.setDefault(id),
    'accounts:setPassword': ({ id, secret }) => service.setPassword(id, secret),
    'accounts:clearPassword': ({ id }) => service.clearPassword(id),
    'accounts:setDkimKey': ({ id, secret }) => service.setDkimKey(id, secret),
    'accounts:signIn': ({ id }) => {
      admit('sign-ins');
      return service.signIn(id, { openBrowser });
    },
    'accounts:cancelSignIn': ({ id }) => {
      service.cancelSignIn(id);
      return null;
    },
    'accounts:test': ({ id }) => {
      admit('connection tests');
      return service.test(id);
    },
    'accounts:pinCertificate': ({ id, fingerprint }) => service.pinCertificate(id, fingerprint),
    'accounts:presets': () => providerPresets(),
    'accounts:discover': ({ address }) => {
      admitTo(limits.addressLookups, { lookups: 1 }, 'address lookups');
      return service.discover(address);
    },
    'accounts:checkSenderDomain': ({ id }) => service.checkSenderDomain(id),
    'accounts:pause': ({ id }) => service.setPaused(id, true),
    'accounts:resume': ({ id }) => service.setPaused(id, false),
  };
}
