// Deliverer start for `npm run bench`: a queue of N messages written by another process (the
// CLI's sealed segments), then the deliverer's start (lock, engine, compaction) vs a read-only open
// of the same queue, taking turns, each in a fresh process on a fresh copy of the folder.
// Run alone: node_modules/.bin/node bench/queue-start.ts [N…]. Each measurement runs in a fresh
// process (`--measure NAME DATA_DIR`) and prints its figures as JSON.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { silentLogger } from '../main/errors/logger.ts';
import { nodeFileSystem } from '../main/files/atomic-file.ts';
import { createOutbox } from '../main/outbox/create-outbox.ts';
import { queuePaths } from '../main/outbox/store/queue-paths.ts';
import { createQueueStore } from '../main/outbox/store/queue-store.ts';
import { appSettings } from '../preload/contract/settings.ts';
import { countingFs, type Written } from '../test/support/counting-fs.ts';
import { sampleRecord } from '../test/support/sample-record.ts';
import { createTestAccounts } from '../test/support/test-accounts.ts';
import { printSection, type BenchRow, type BenchSection } from './bench-report.ts';

const SIZES = [10_000, 100_000];
/** Rounds of `queue list` over the full queue, and of the empty-queue listing against `node -e 0`. */
const LIST_ROUNDS = 3;
const EMPTY_ROUNDS = 10;
/** Goals of issue 17: the core and `queue list` under this RSS with 100,000 queued… */
const GOAL_RSS_MB = 100;
/** …and an empty queue listed within this ratio of `node -e 0`, whatever it delivered before. */
const GOAL_EMPTY_RATIO = 2;
/** `sendmail` into a queue of 100,000 within this ratio of one into an empty queue. */
const GOAL_SENDMAIL_RATIO = 1.2;
const CLI = path.join(import.meta.dirname, '..', 'bin', 'outbox.js');
/** GNU time reports a child's peak RSS (%M, KB); without it the RSS column says n/a. */
const GNU_TIME = '/usr/bin/time';
/** Rounds of the two sides taking turns; the medians are reported. */
const ROUNDS = 5;
/** Enqueues in flight at once while filling (they share group-committed writes). */
const FILL_BATCH = 500;
/** A goal of issue 17: the deliverer starts at most this much slower than a read-only open. */
const GOAL_RATIO = 1.2;

interface Figures {
  readonly ms: number;
  /** Writes to files the process created (each a durable write: O_DSYNC, or followed by fsync). */
  readonly syncedWrites: number;
  readonly filesCreated: number;
  readonly maxRssMb: number;
  /** The process's RSS once loaded, before the outbox is created: what the core adds is above it. */
  readonly restRssMb: number;
}

const settings = appSettings.parse({ undoSeconds: 0 });

/**
 * The queue id of the index-th message filled in: shaped as newQueueId makes them (its time in base
 * 36, then 12 hex digits), as the ids' length is part of what an index of 100,000 costs.
 */
function benchId(index: number): string {
  const time = (Date.UTC(2026, 0, 1) + index).toString(36).padStart(9, '0');
  const hex = `${((index * 2_654_435_761) >>> 0).toString(16).padStart(8, '0')}${(index & 0xffff).toString(16).padStart(4, '0')}`;
  return `${time}-${hex}`;
}

/** N messages of about 1 KB queued as the CLI queues them, its segments sealed as it ends. */
export async function fill(dataDir: string, count: number): Promise<void> {
  const store = createQueueStore(queuePaths(dataDir), { fs: nodeFileSystem, onQuarantine: () => undefined });
  await store.init();
  for (let from = 0; from < count; from += FILL_BATCH) {
    const ids = Array.from({ length: Math.min(FILL_BATCH, count - from) }, (_, i) => benchId(from + i));
    await Promise.all(
      ids.map(async (id) => {
        const bytes = Buffer.from(`Subject: ${id}\r\n\r\n${'x'.repeat(1000)}\r\n`);
        await store.save(sampleRecord(id, { sizeBytes: await store.writeBytes(id, bytes) }));
      }),
    );
  }
  await store.close();
}

/** Delivers every message as the deliverer records it (a removal carrying its sent record), reclaims, ends. */
async function deliverAll(dataDir: string, count: number): Promise<void> {
  const store = createQueueStore(queuePaths(dataDir), { fs: nodeFileSystem, onQuarantine: () => undefined });
  await store.init();
  for (let from = 0; from < count; from += FILL_BATCH) {
    const ids = Array.from({ length: Math.min(FILL_BATCH, count - from) }, (_, i) => benchId(from + i));
    await Promise.all(
      ids.map((id) =>
        store.remove(id, {
          id,
          messageId: `<${id}@example.org>`,
          accountId: 'work',
          from: 'me@example.org',
          subject: `subject ${id}`,
          sentAt: new Date().toISOString(),
          recipients: [
            { address: 'ann@example.net', kind: 'to', state: 'accepted', reply: '250 2.0.0 Ok: queued' },
          ],
          sizeBytes: 1020,
          attempts: 1,
        }),
      ),
    );
  }
  await store.compact();
  await store.close();
}

interface Run {
  readonly ms: number;
  readonly maxRssMb: number | undefined;
}

/** A program run to its end, its output thrown away: wall time from spawn to exit, and peak RSS. */
async function timed(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  input?: string,
): Promise<Run> {
  const gnuTime = existsSync(GNU_TIME);
  const file = gnuTime ? GNU_TIME : process.execPath;
  const rest = gnuTime ? ['-f', '%M', process.execPath, ...args] : [...args];
  const began = performance.now();
  // Input, when given, through a pipe closed after it (sendmail reads to its end).
  const child = spawn(file, rest, { env, stdio: ['pipe', 'ignore', 'pipe'] });
  child.stdin.end(input ?? '');
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const ms = performance.now() - began;
  if (code !== 0) throw new Error(`${args.join(' ')} failed (exit ${String(code)}): ${err}`);
  const kb = Number(err.trim().split('\n').pop());
  return { ms, maxRssMb: gnuTime && Number.isFinite(kb) ? kb / 1024 : undefined };
}

const listOf = (dataDir: string) => timed([CLI, 'queue', 'list'], { ...process.env, OUTBOX_HOME: dataDir });

/**
 * `queue list` over `count` queued, then the same queue once all is delivered (its removals kept
 * through their grace period) against `node -e 0`, taking turns.
 */
async function listings(count: number, base: string): Promise<{ rows: BenchRow[]; load: string }> {
  const dataDir = path.join(base, `listed-${count}`);
  await fill(dataDir, count);
  const loads: number[] = [];
  const full: Run[] = [];
  for (let round = 0; round < LIST_ROUNDS; round++) {
    loads.push(loadavg()[0] ?? 0);
    full.push(await listOf(dataDir));
  }
  // Into a copy: what it queues would keep the delivered queue below from being empty.
  const copy = path.join(base, `sendmail-${count}`);
  await fsp.cp(dataDir, copy, { recursive: true });
  const sendmail = await sendmailBeside(copy, path.join(base, 'sendmail-empty'), loads);
  await fsp.rm(copy, { recursive: true, force: true });
  await deliverAll(dataDir, count);
  const empty: Run[] = [];
  const bare: Run[] = [];
  for (let round = 0; round < EMPTY_ROUNDS; round++) {
    loads.push(loadavg()[0] ?? 0);
    for (const side of round % 2 === 0 ? ['list', 'node'] : ['node', 'list']) {
      if (side === 'list') empty.push(await listOf(dataDir));
      else bare.push(await timed(['-e', '0']));
    }
  }
  await fsp.rm(dataDir, { recursive: true, force: true });
  const ms = (runs: Run[]) => median(runs.map((r) => r.ms));
  const rss = (runs: Run[]) => {
    const values = runs.flatMap((r) => (r.maxRssMb === undefined ? [] : [r.maxRssMb]));
    return values.length > 0 ? median(values) : undefined;
  };
  const rssText = (runs: Run[]) =>
    rss(runs) === undefined ? 'RSS n/a' : `${(rss(runs) ?? 0).toFixed(0)} MB RSS`;
  const n = count.toLocaleString('en');
  const ratio = ms(empty) / ms(bare);
  return {
    load: `listing ${n}: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`,
    rows: [
      {
        metric: `\`queue list\`, ${n} queued (peak RSS)`,
        value: `${ms(full).toFixed(0)} ms, ${rssText(full)}`,
        goal: `< ${GOAL_RSS_MB} MB`,
        met: (rss(full) ?? Infinity) < GOAL_RSS_MB,
      },
      {
        metric: `\`sendmail\` of one message, ${n} queued vs none`,
        value: `${ms(sendmail.full).toFixed(0)} ms, ${rssText(sendmail.full)} vs ${ms(sendmail.none).toFixed(0)} ms, ${rssText(sendmail.none)} (${(ms(sendmail.full) / ms(sendmail.none)).toFixed(2)}×)`,
        goal: `≤ ${GOAL_SENDMAIL_RATIO}× (reads none of the queue)`,
        met: ms(sendmail.full) / ms(sendmail.none) <= GOAL_SENDMAIL_RATIO,
      },
      {
        metric: `\`queue list\`, empty after ${n} deliveries, vs \`node -e 0\``,
        value: `${ms(empty).toFixed(0)} ms, ${rssText(empty)} vs ${ms(bare).toFixed(0)} ms (${ratio.toFixed(2)}×)`,
        goal: `≤ ${GOAL_EMPTY_RATIO}× node -e 0`,
        met: ratio <= GOAL_EMPTY_RATIO,
      },
    ],
  };
}

/** An account whose server is never reached: what sendmail queues stays queued. */
async function addAccount(home: string): Promise<void> {
  const add = ['accounts', 'add', '--label', 'Work', '--from', 'me@example.org', '--host', '127.0.0.1'];
  const rest = ['--port', '9', '--security', 'none', '--allow-plaintext', '--no-password'];
  await timed([CLI, ...add, ...rest], { ...process.env, OUTBOX_HOME: home });
}

/**
 * `sendmail` of one message into `full` (a long queue) and into an empty folder, taking turns:
 * a git send-email series calls it once a patch, so its cost must not grow with the queue.
 */
async function sendmailBeside(
  full: string,
  none: string,
  loads: number[],
): Promise<{ full: Run[]; none: Run[] }> {
  await addAccount(full);
  await addAccount(none);
  const runs = { full: [] as Run[], none: [] as Run[] };
  const message = 'Subject: bench\n\nOne line.\n';
  for (let round = 0; round < EMPTY_ROUNDS; round++) {
    loads.push(loadavg()[0] ?? 0);
    for (const side of round % 2 === 0 ? (['full', 'none'] as const) : (['none', 'full'] as const)) {
      const home = side === 'full' ? full : none;
      runs[side].push(
        await timed([CLI, 'sendmail', 'ann@example.net'], { ...process.env, OUTBOX_HOME: home }, message),
      );
    }
  }
  return runs;
}

/** One side, in this (fresh) process: `start` as the deliverer, `open` reading only. */
async function measurement(side: string, dataDir: string): Promise<Figures> {
  const written: Written = { files: [], writes: 0 };
  const restRssMb = process.memoryUsage().rss / 1024 / 1024;
  const began = performance.now();
  const outbox = createOutbox({
    dataDir,
    accounts: createTestAccounts([
      {
        id: 'work',
        fromAddress: 'me@example.org',
        endpoint: { host: '127.0.0.1', port: 9, security: 'none', auth: { kind: 'none' } },
      },
    ]),
    settings: { get: () => settings, update: () => settings, onChanged: () => () => undefined },
    // Offline: nothing is delivered, so the start is measured alone.
    platform: { isOnline: () => false, notify: () => undefined },
    emit: () => undefined,
    log: silentLogger,
    fs: countingFs(written),
  });
  if (side === 'start') {
    await outbox.start();
    if (!outbox.isDeliverer()) throw new Error('the start did not become the deliverer');
  } else {
    await outbox.open();
  }
  const ms = performance.now() - began;
  await outbox.stop();
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  return { ms, syncedWrites: written.writes, filesCreated: written.files.length, maxRssMb, restRssMb };
}

async function measure(side: string, dataDir: string): Promise<Figures> {
  const child = spawn(process.execPath, [import.meta.filename, '--measure', side, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`measurement ${side} failed (exit ${String(code)})`);
  return JSON.parse(out.trim().split('\n').pop() ?? '') as Figures;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

/** Both sides over one queue of `count`, each run on a fresh copy of the same filled folder. */
async function compare(count: number, base: string): Promise<{ rows: BenchRow[]; load: string }> {
  const pristine = path.join(base, `filled-${count}`);
  await fill(pristine, count);
  const runs: Record<'start' | 'open', Figures[]> = { start: [], open: [] };
  const loads: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const side of round % 2 === 0 ? (['open', 'start'] as const) : (['start', 'open'] as const)) {
      const copy = path.join(base, `run-${count}-${round}-${side}`);
      await fsp.cp(pristine, copy, { recursive: true });
      loads.push(loadavg()[0] ?? 0);
      runs[side].push(await measure(side, copy));
      await fsp.rm(copy, { recursive: true, force: true });
    }
  }
  await fsp.rm(pristine, { recursive: true, force: true });
  const start = median(runs.start.map((f) => f.ms));
  const open = median(runs.open.map((f) => f.ms));
  const writes = median(runs.start.map((f) => f.syncedWrites));
  const files = median(runs.start.map((f) => f.filesCreated));
  const rss = (side: Figures[]) => median(side.map((f) => f.maxRssMb)).toFixed(0);
  const coreShare = median(runs.start.map((f) => f.maxRssMb - f.restRssMb));
  const rest = median(runs.start.map((f) => f.restRssMb));
  const n = count.toLocaleString('en');
  return {
    load: `${n}: ${Math.min(...loads).toFixed(2)}–${Math.max(...loads).toFixed(2)}`,
    rows: [
      {
        metric: `read-only open, ${n} queued by the CLI`,
        value: `${open.toFixed(0)} ms, ${rss(runs.open)} MB RSS`,
      },
      {
        metric: `deliverer start, ${n} queued by the CLI`,
        value: `${start.toFixed(0)} ms (${(start / open).toFixed(2)}×), ${rss(runs.start)} MB RSS`,
        goal: `≤ ${GOAL_RATIO}× the open`,
        met: start <= open * GOAL_RATIO,
      },
      {
        metric: `peak RSS the deliverer's start adds, ${n} queued (the core's share)`,
        value: `${coreShare.toFixed(0)} MB above the loaded process's ${rest.toFixed(0)} MB`,
        goal: `< ${GOAL_RSS_MB} MB`,
        met: coreShare < GOAL_RSS_MB,
      },
      {
        metric: `synced writes and files created by that start`,
        value: `${writes} writes, ${files} files`,
        goal: 'no rewrite (0)',
        met: writes === 0,
      },
    ],
  };
}

export async function queueStartBench(sizes: readonly number[] = SIZES): Promise<BenchSection> {
  const base = await fsp.mkdtemp(path.join(tmpdir(), 'outbox-queue-start-'));
  try {
    const rows: BenchRow[] = [];
    const loads: string[] = [];
    for (const count of sizes) {
      const result = await compare(count, base);
      rows.push(...result.rows);
      loads.push(result.load);
    }
    const largest = Math.max(...sizes);
    const listed = await listings(largest, base);
    rows.push(...listed.rows);
    loads.push(listed.load);
    return {
      title: 'Deliverer start over a queue the CLI wrote',
      rows,
      notes: [
        `Each side runs in a fresh process on a fresh copy of the same folder, offline (nothing is delivered); the time is from creating the outbox to start() or open() returning. ${ROUNDS} rounds, the two sides taking turns; medians.`,
        "The core's share is the start's peak RSS less the process's RSS once its modules are loaded (here TypeScript sources, stripped at run time; the app's main process is Electron's, whose own share no code of ours changes). The store keeps V8's young generation small while it reads the queue (main/core/young-generation.ts).",
        `\`queue list\` runs the real CLI (bin/outbox.js) to /dev/null, ${LIST_ROUNDS} runs over the full queue; then every message is delivered as the deliverer records it (a removal carrying its sent record, kept an hour), the deliverer reclaims and ends, and the empty queue's listing takes turns with \`node -e 0\`, ${EMPTY_ROUNDS} rounds; medians. Peak RSS from GNU time (%M).`,
        `\`sendmail\` of one small message runs the real CLI into that full queue (before the deliveries) and into an empty folder, taking turns, ${EMPTY_ROUNDS} rounds; medians.`,
        'Synced writes are the writes to files the process created, counted through its file system seam: each is durable when it returns (O_DSYNC) or is followed by an fsync.',
        `Load average (1 min) during the runs: ${loads.join('; ')}.`,
      ],
    };
  } finally {
    await fsp.rm(base, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const [flag, side = '', dataDir = ''] = process.argv.slice(2);
  if (flag === '--measure') console.log(JSON.stringify(await measurement(side, dataDir)));
  else {
    const sizes = process.argv.slice(2).map(Number);
    printSection(await queueStartBench(sizes.length > 0 ? sizes : SIZES));
  }
}
