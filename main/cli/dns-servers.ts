import { isIPv4, isIPv6 } from 'node:net';
import { usageError } from './exit-codes.ts';

/** The environment variable that points the CLI's own DNS questions at other servers. */
export const DNS_SERVERS_VARIABLE = 'OUTBOX_DNS_SERVERS';

/** `1.2.3.4`, `1.2.3.4:53`, `::1`, `[::1]` or `[::1]:53`, as `Resolver.setServers` takes them. */
function serverOf(entry: string): string | undefined {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) {
    const [, address = '', port] = bracketed;
    return isIPv6(address) && validPort(port) ? entry : undefined;
  }
  if (isIPv6(entry)) return entry;
  const [address = '', port, ...more] = entry.split(':');
  return more.length === 0 && isIPv4(address) && validPort(port) ? entry : undefined;
}

function validPort(port: string | undefined): boolean {
  if (port === undefined) return true;
  return /^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65_535;
}

/**
 * The DNS servers `OUTBOX_DNS_SERVERS` names (comma-separated), or undefined for the system's: for
 * a local resolver, split-horizon DNS and the tests. Node's resolver takes IP addresses only, so a
 * host name (or anything else) is a usage error naming the variable rather than a silent fallback.
 */
export function dnsServersFrom(env: NodeJS.ProcessEnv): string[] | undefined {
  const value = env[DNS_SERVERS_VARIABLE]?.trim();
  if (!value) return undefined;
  return value.split(',').map((raw) => {
    const entry = raw.trim();
    const server = serverOf(entry);
    if (server === undefined) {
      throw usageError(
        `${DNS_SERVERS_VARIABLE}: ${JSON.stringify(entry)} is not an IP address with an optional :PORT ` +
          '(e.g. 127.0.0.1:5353 or [::1]:53, separated by commas)',
      );
    }
    return server;
  });
}
