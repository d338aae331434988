import { describe, expect, it } from 'vitest';
import { dnsServersFrom } from '../../../main/cli/dns-servers.ts';
import { CliError, describeFailure } from '../../../main/cli/exit-codes.ts';

/** The exit code the CLI gives what `task` throws. */
function exitCodeOf(task: () => unknown): number | undefined {
  try {
    task();
    return undefined;
  } catch (error) {
    return describeFailure(error).exitCode;
  }
}

const servers = (value: string | undefined) => dnsServersFrom({ OUTBOX_DNS_SERVERS: value });

describe('OUTBOX_DNS_SERVERS', () => {
  it('unset or empty: the system resolver', () => {
    expect(servers(undefined)).toBeUndefined();
    expect(servers('  ')).toBeUndefined();
  });

  it('takes IPv4 and IPv6 addresses, with or without a port, as Resolver.setServers does', () => {
    expect(servers('127.0.0.1:5353, 192.0.2.1,::1,[2001:db8::1],[::1]:53')).toEqual([
      '127.0.0.1:5353',
      '192.0.2.1',
      '::1',
      '[2001:db8::1]',
      '[::1]:53',
    ]);
  });

  it.each([
    'dns.example',
    '127.0.0.1:0',
    '127.0.0.1:65536',
    '127.0.0.1:',
    '1.2.3',
    '[::1]:x',
    '127.0.0.1,',
    '::1:53:x',
  ])('refuses %j with a usage error (64) naming the variable', (value) => {
    expect(() => servers(value)).toThrow(/^OUTBOX_DNS_SERVERS: /);
    expect(() => servers(value)).toThrow(CliError);
    expect(exitCodeOf(() => servers(value))).toBe(64);
  });
});
