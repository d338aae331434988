import type { Discovery, DiscoveryAttempt } from '../../../preload/contract/discovery.ts';
import { expectPositionals, parseCommand } from '../cli-args.ts';
import { openCore } from '../cli-core.ts';
import { print, type CliIo } from '../cli-io.ts';
import { printable } from '../cli-log.ts';
import { EXIT } from '../exit-codes.ts';
import { accountsDiscoverJson, discoveryEntry, printJson } from '../json-output.ts';
import { outsideDomainWarning, serverSummary, signInWords, viaWords } from './discovery-words.ts';

const DISCOVER_HELP = `Usage: outbox accounts discover ADDRESS [--json] [--verbose]

Looks up the outgoing server for ADDRESS as "accounts add" does without --host, and prints what
was found and where it came from. Adds nothing. Outbox's own provider table and its copy of
Thunderbird's ISP database answer first; then the domain's autoconfig file, MX and SRV records
(asked of the system's DNS servers, or $OUTBOX_DNS_SERVERS), and probing.

  --json         print one JSON document (see docs/cli.md), every source's answer included
  -v, --verbose  list on stderr what each source was asked and answered

Exit status: 0 found, 69 nothing found, 65 not an e-mail address.
`;

const DISCOVER_OPTIONS = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
} as const;

/** What each source answered, one line each, as "accounts test" lists its steps. */
function attemptLines(attempts: readonly DiscoveryAttempt[]): string {
  return attempts
    .map((a) => `${a.outcome.padEnd(8)} ${a.source.padEnd(10)} ${printable(a.detail)}\n`)
    .join('');
}

/** The found settings for a person: source, provider, each server, the provider's note, the warning. */
function foundText(found: Extract<Discovery, { status: 'found' }>): string {
  const lines = [`Address:   ${printable(found.address)}`, `Source:    ${viaWords(found)}`];
  if (found.providerName) lines.push(`Provider:  ${printable(found.providerName)}`);
  found.servers.forEach((server, index) => {
    const label = index === 0 ? 'Server:' : 'Or:';
    lines.push(
      `${label.padEnd(10)} ${serverSummary(server)}, user ${printable(server.username)}, ` +
        `sign-in: ${signInWords(server)}`,
    );
  });
  if (found.note) lines.push(`Note:      ${printable(found.note)}`);
  if (found.confirm) lines.push(`Check:     ${outsideDomainWarning(found)}.`);
  return lines.join('\n');
}

/**
 * `outbox accounts discover ADDRESS`: the lookup alone. Stdout has only the answer (text or JSON);
 * the trail of sources goes to stderr with --verbose, so a script's pipe stays clean.
 */
export async function discoverCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand('accounts discover', args, DISCOVER_OPTIONS);
  if (values.help) {
    print(io, DISCOVER_HELP);
    return EXIT.ok;
  }
  const [address = ''] = expectPositionals('accounts discover', positionals, ['ADDRESS']);
  const result = await openCore(io).accounts.discover(address);
  if (values.verbose) io.stderr.write(attemptLines(result.attempts));
  if (values.json) printJson(io, accountsDiscoverJson, discoveryEntry(result));
  else if (result.status === 'found') print(io, foundText(result));
  if (result.status === 'found') return EXIT.ok;
  io.stderr.write(`outbox: ${printable(result.message)}\n`);
  return EXIT.unavailable;
}
