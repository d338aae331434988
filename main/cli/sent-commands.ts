import { expectPositionals, integerOption, parseCommand } from './cli-args.ts';
import { openCore } from './cli-core.ts';
import { print, type CliIo } from './cli-io.ts';
import { EXIT, usageError } from './exit-codes.ts';
import { labelsOf, printJson, sentListJson, sentMessage } from './json-output.ts';

const SENT_HELP = `Usage: outbox sent list [--json] [--limit N]

Messages delivered from this data folder, newest first (default: the last 50).
`;

export async function sentCommand(io: CliIo, args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h') {
    print(io, SENT_HELP);
    return EXIT.ok;
  }
  if (sub !== 'list')
    throw usageError(`unknown command ${JSON.stringify(`sent ${sub ?? ''}`)} (see "outbox sent --help")`);
  const { values, positionals } = parseCommand('sent list', rest, {
    json: { type: 'boolean' },
    limit: { type: 'string' },
  });
  if (values.help) {
    print(io, SENT_HELP);
    return EXIT.ok;
  }
  expectPositionals('sent list', positionals, []);
  const limit = integerOption('limit', values.limit) ?? 50;
  if (limit < 1 || limit > 1000) throw usageError('--limit must be from 1 to 1000');
  const core = openCore(io);
  const labels = labelsOf(core.accounts.list());
  const records = await core.outbox.sent.list({ limit });
  if (values.json) {
    printJson(io, sentListJson, { version: 1, messages: records.map((r) => sentMessage(r, labels)) });
  } else {
    for (const r of records) {
      const to = r.recipients.map((x) => `${x.address}:${x.state}`).join(',');
      print(io, [r.sentAt, labels.get(r.accountId) ?? r.accountId, to, r.subject].join('\t'));
    }
  }
  return EXIT.ok;
}
