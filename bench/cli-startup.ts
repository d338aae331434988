// The `outbox` command's start-up for `npm run bench` (issue 17), each figure beside its peer in the
// same run: `outbox sendmail` queueing one small message vs msmtp delivering the same message to
// Postfix's smtp-sink; `outbox --help` and `outbox queue list` on an empty queue vs `node -e 0`.
// Every run is a fresh process under /usr/bin/time (its peak RSS); the sides take turns, in
// alternating order, and each figure is the median of ROUNDS. Needs msmtp
// (`apt-get install --no-install-recommends msmtp`); without it that comparison is left out.
// The installed app's executable (scripts/build-sea.ts, built here when stale) runs the same
// commands beside them: the whole CLI in one script inside it. Run alone:
// node_modules/.bin/node bench/cli-startup.ts (after `npm run build`: the installed command runs
// the compiled bundle, out/cli/).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { startSmtpSink } from './smtp-sink.ts';
import { printSection, type BenchSection, type BenchRow } from './bench-report.ts';

const ROUNDS = 30;
const NODE = path.resolve(import.meta.dirname, '..', 'node_modules', '.bin', 'node');
const BIN = path.resolve(import.meta.dirname, '..', 'bin', 'outbox.js');
const BUNDLE = path.resolve(import.meta.dirname, '..', 'out', 'cli', 'outbox.mjs');
const ROOT = path.resolve(import.meta.dirname, '..');
/** The installed app's command folder (docs/installed-cli.md), as scripts/build-sea.ts lays it out. */
const SEA_CLI = path.join(ROOT, 'out', 'sea', 'cli');
const SEA_EXE = process.platform === 'win32' ? 'outbox.exe' : 'outbox';
const MSMTP = '/usr/bin/msmtp';
const MESSAGE = 'From: me@example.org\nTo: ann@example.net\nSubject: start-up\n\nOne small message.\n';
/** The issue's goals: ratios to the peer, and sendmail's peak memory. */
const SENDMAIL_RATIO = 1.5;
const SENDMAIL_RSS_MB = 50;
const STARTUP_RATIO = 2;

interface Run {
  readonly ms: number;
  readonly rssMb: number;
}

/** One process under /usr/bin/time: wall time as the caller sees it, and its peak RSS. */
async function timed(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  input = '',
): Promise<Run> {
  const report = path.join(tmpdir(), `outbox-bench-time-${process.pid}`);
  const start = process.hrtime.bigint();
  const child = spawn('/usr/bin/time', ['-o', report, '-f', '%M', file, ...args], {
    env,
    stdio: ['pipe', 'ignore', 'inherit'],
  });
  child.stdin.end(input);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${String(code)}`);
  const kilobytes = Number((await fsp.readFile(report, 'utf8')).trim().split('\n').pop());
  return { ms, rssMb: kilobytes / 1024 };
}

const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

function ratioRow(
  metric: string,
  ours: readonly Run[],
  peer: readonly Run[],
  peerName: string,
  goal: number,
): BenchRow {
  const [a, b] = [median(ours.map((r) => r.ms)), median(peer.map((r) => r.ms))];
  return {
    metric,
    value: `${a.toFixed(0)} ms vs ${peerName} ${b.toFixed(0)} ms: ${(a / b).toFixed(2)}×`,
    goal: `≤ ${goal}×`,
    met: a / b <= goal,
  };
}

export async function cliStartupBench(): Promise<BenchSection> {
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-sea.ts'), '--if-stale'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = await fsp.mkdtemp(path.join(tmpdir(), 'outbox-bench-cli-'));
  // Run from a copy, as an installer writes it: the file postject has just written maps into
  // ~15-20 MB more RSS here, an effect of its pages' state in the page cache (the same file read
  // back after a cache drop peaks as the copy does).
  const installedDir = path.join(base, 'installed');
  await fsp.cp(SEA_CLI, installedDir, { recursive: true });
  const INSTALLED = path.join(installedDir, 'bin', SEA_EXE);
  const sink = await startSmtpSink(64);
  try {
    const busy = path.join(base, 'busy');
    const empty = path.join(base, 'empty');
    const env = (home: string) => ({ ...process.env, OUTBOX_HOME: home });
    for (const home of [busy, empty]) {
      // An account whose server is never reached (discard): what sendmail queues stays queued.
      const add = ['accounts', 'add', '--label', 'Work', '--from', 'me@example.org', '--host', '127.0.0.1'];
      await timed(
        NODE,
        [BIN, ...add, '--port', '9', '--security', 'none', '--allow-plaintext', '--no-password'],
        env(home),
      );
    }
    const msmtp = existsSync(MSMTP);
    const msmtpArgs = [
      '-C',
      '/dev/null',
      '--host=127.0.0.1',
      `--port=${sink.port}`,
      '--auth=off',
      '--tls=off',
    ];
    const sides: Record<string, () => Promise<Run>> = {
      sendmail: () => timed(NODE, [BIN, 'sendmail', 'ann@example.net'], env(busy), MESSAGE),
      help: () => timed(NODE, [BIN, '--help'], env(empty)),
      list: () => timed(NODE, [BIN, 'queue', 'list'], env(empty)),
      node: () => timed(NODE, ['-e', '0'], process.env),
      installedSendmail: () => timed(INSTALLED, ['sendmail', 'ann@example.net'], env(busy), MESSAGE),
      installedHelp: () => timed(INSTALLED, ['--help'], env(empty)),
      ...(msmtp
        ? {
            msmtp: () =>
              timed(MSMTP, [...msmtpArgs, '--from=me@example.org', 'ann@example.net'], process.env, MESSAGE),
          }
        : {}),
    };
    const names = Object.keys(sides);
    const runs = Object.fromEntries(names.map((name) => [name, [] as Run[]]));
    // One unmeasured run each: the compile cache and the page cache are warm for every side alike.
    for (const name of names) await sides[name]?.();
    const loadBefore = loadavg()[0] ?? 0;
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? names : [...names].reverse();
      for (const name of order) runs[name]?.push(await (sides[name] as () => Promise<Run>)());
    }
    const loadAfter = loadavg()[0] ?? 0;
    const of = (name: string) => runs[name] ?? [];
    const rssOf = (name: string) => median(of(name).map((r) => r.rssMb));
    const rows: BenchRow[] = [
      ...(msmtp
        ? [
            ratioRow(
              '`outbox sendmail`, one small message queued, median',
              of('sendmail'),
              of('msmtp'),
              'msmtp delivering it',
              SENDMAIL_RATIO,
            ),
          ]
        : []),
      {
        metric: '`outbox sendmail` peak RSS, median',
        value: `${rssOf('sendmail').toFixed(1)} MB${msmtp ? ` (msmtp ${rssOf('msmtp').toFixed(1)} MB)` : ''}`,
        goal: `≤ ${SENDMAIL_RSS_MB} MB`,
        met: rssOf('sendmail') <= SENDMAIL_RSS_MB,
      },
      ratioRow('`outbox --help`, median', of('help'), of('node'), '`node -e 0`', STARTUP_RATIO),
      ratioRow(
        '`outbox queue list`, empty queue, median',
        of('list'),
        of('node'),
        '`node -e 0`',
        STARTUP_RATIO,
      ),
      {
        metric: '`outbox --help` / `queue list` / `node -e 0` peak RSS, median',
        value: `${rssOf('help').toFixed(1)} / ${rssOf('list').toFixed(1)} / ${rssOf('node').toFixed(1)} MB`,
      },
      ...(msmtp
        ? [
            ratioRow(
              "the installed app's `outbox sendmail` (single executable), median",
              of('installedSendmail'),
              of('msmtp'),
              'msmtp delivering it',
              SENDMAIL_RATIO,
            ),
          ]
        : []),
      {
        metric: "the installed app's `outbox sendmail` peak RSS, median",
        value: `${rssOf('installedSendmail').toFixed(1)} MB`,
        goal: `≤ ${SENDMAIL_RSS_MB} MB`,
        met: rssOf('installedSendmail') <= SENDMAIL_RSS_MB,
      },
      ratioRow(
        "the installed app's `outbox --help`, median",
        of('installedHelp'),
        of('node'),
        '`node -e 0`',
        STARTUP_RATIO,
      ),
      {
        metric: "the installed app's `outbox --help` peak RSS, median",
        value: `${rssOf('installedHelp').toFixed(1)} MB`,
      },
    ];
    return {
      title: 'Command line start-up',
      rows,
      notes: [
        `Each figure is the median of ${ROUNDS} runs, every side a fresh process under /usr/bin/time, the sides taking turns in alternating order after one unmeasured run each; load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after.`,
        `\`outbox\` is \`node bin/outbox.js\` on node_modules' Node ${process.versions.node}, running ${existsSync(BUNDLE) ? 'the compiled bundle (out/cli/)' : 'the TypeScript sources (no build)'} with V8's compile cache; msmtp delivers to Postfix's smtp-sink on loopback (no TLS, no sign-in), outbox only queues.`,
        "The installed app's `outbox` is the single executable scripts/build-sea.ts builds (Node 24 with the whole CLI in one script inside it, no compile cache: docs/installed-cli.md), run as a packaged app lays it out, from a copy written as an installer writes it.",
        ...(msmtp ? [] : ['msmtp is not installed: the sendmail comparison was left out.']),
      ],
    };
  } finally {
    sink.stop();
    await fsp.rm(base, { recursive: true, force: true });
  }
}

if (import.meta.filename === process.argv[1]) printSection(await cliStartupBench());
