import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCore, type CoreRun } from './damage-trial.ts';
import { digest, judge, type FuzzMessage, type Verdict } from './damage-verdict.ts';
import {
  applyDamage,
  damageTargets,
  planDamage,
  type DamagePlan,
  type DamageTarget,
} from './queue-damage.ts';
import { SeededRandom } from './seeded-random.ts';
import { startTestServer, type TestServer } from './smtp-test-server.ts';

/** Node 24 from node_modules (the `node` on PATH may be older). */
const NODE = path.resolve('node_modules/.bin/node');
const WRITER = path.resolve('test/support/damage-fuzz-writer.ts');
/** Generous: a step that takes this long on a loaded machine is stuck, not slow. */
const STEP_MS = 10_000;

/** A data folder with queued messages of both kinds, some deferred, in several sealed segments. */
export interface FuzzFixture {
  readonly server: TestServer;
  /** Never run on: each trial works on a copy. */
  readonly master: string;
  readonly messages: readonly FuzzMessage[];
  /** What a clean flush delivers of each message, by id (From rewrites and all). */
  readonly cleanDigests: ReadonlyMap<string, string>;
  readonly targets: readonly DamageTarget[];
  close(): Promise<void>;
}

export interface TrialResult {
  readonly seed: number;
  readonly plan: DamagePlan;
  readonly delivered: boolean;
  readonly verdict: Verdict;
}

function runWriter(dataDir: string, port: number): Promise<FuzzMessage[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, [WRITER, dataDir, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(JSON.parse(out) as FuzzMessage[]);
      else reject(new Error(`the fixture writer failed (${code}): ${err}`));
    });
  });
}

/**
 * Copies live in memory where the system has a tmpfs: hundreds of trials each sync a few dozen
 * writes, which a disk shared by other jobs makes slow. The damage means the same on any disk.
 */
const TRIAL_ROOT = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

const copyOf = async (dir: string): Promise<string> => {
  const copy = await fsp.mkdtemp(path.join(TRIAL_ROOT, 'outbox-fuzz-trial-'));
  await fsp.cp(dir, copy, { recursive: true });
  return copy;
};

/** Runs the core on a copy of the master folder, changed by `prepare` first. */
export async function runOnCopy(
  fixture: Pick<FuzzFixture, 'master' | 'server'>,
  prepare: (dir: string) => Promise<boolean>,
): Promise<CoreRun> {
  const dir = await copyOf(fixture.master);
  try {
    const deliver = await prepare(dir);
    return await runCore(dir, fixture.server, { deliver, stepMs: STEP_MS });
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Builds the master folder (in a child process, so that its segments have dead writers, as those of
 * an app or CLI that quit), then flushes a clean copy once to learn what each message's delivery is.
 */
export async function buildFuzzFixture(): Promise<FuzzFixture> {
  // The first batch's attempt is greylisted, so those messages are deferred in the folder.
  const server = await startTestServer({ onRcptTo: () => ({ code: 451, message: '4.7.1 Try again later' }) });
  const master = await fsp.mkdtemp(path.join(tmpdir(), 'outbox-fuzz-master-'));
  const close = async () => {
    await server.close();
    await fsp.rm(master, { recursive: true, force: true });
  };
  try {
    const messages = await runWriter(master, server.port);
    server.options = {};
    const clean = await runOnCopy({ master, server }, () => Promise.resolve(true));
    const cleanDigests = new Map<string, string>();
    for (const message of messages) {
      const got = clean.deliveries.filter((d) => d.to.includes(message.to[0] ?? ''));
      const first = got[0];
      if (got.length !== 1 || !first)
        throw new Error(`a clean flush delivered ${message.subject} ${got.length} times`);
      cleanDigests.set(message.id, digest(first.raw));
    }
    return { server, master, messages, cleanDigests, targets: await damageTargets(master), close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The settings' account endpoints, which a damaged settings file must not point anywhere new. */
async function endpoints(dir: string): Promise<string> {
  try {
    const config = JSON.parse(await fsp.readFile(path.join(dir, 'config.json'), 'utf8')) as {
      accounts?: { accounts?: { host?: unknown; port?: unknown }[] };
    };
    return JSON.stringify(config.accounts?.accounts?.map((a) => [a.host, a.port]));
  } catch {
    return 'unreadable';
  }
}

/**
 * One trial: a copy of the master folder, one damage drawn from `seed`, the core run on it, and the
 * verdict. A settings file whose damage still parses but names another host or port is only read,
 * not flushed: the core would otherwise connect to wherever the damage points.
 */
export async function runTrial(fixture: FuzzFixture, seed: number): Promise<TrialResult> {
  const plan = planDamage(new SeededRandom(seed), fixture.targets);
  const expected = await endpoints(fixture.master);
  let delivered = true;
  let unnameable = new Set<string>();
  const run = await runOnCopy(fixture, async (dir) => {
    await applyDamage(dir, plan);
    unnameable = await tracelessIds(dir, fixture.messages);
    const now = await endpoints(dir);
    delivered = plan.target !== 'config' || now === expected || now === 'unreadable';
    return delivered;
  });
  const verdict = judge(fixture.messages, fixture.cleanDigests, run, { target: plan.target, unnameable });
  return { seed, plan, delivered, verdict };
}

/**
 * The messages whose id the damage wiped from the whole queue folder (every frame naming it cut
 * off, say): no reader can name them, so they may be reported by a notice that names none.
 */
export async function tracelessIds(dir: string, messages: readonly FuzzMessage[]): Promise<Set<string>> {
  const queue = path.join(dir, 'outbox', 'queue');
  const bodies = await fsp.readdir(path.join(dir, 'outbox', 'bodies'));
  const segments = await Promise.all(
    (await fsp.readdir(queue)).map((name) => fsp.readFile(path.join(queue, name))),
  );
  const text = Buffer.concat(segments).toString('latin1');
  return new Set(
    messages.filter((m) => !text.includes(m.id) && !bodies.includes(`${m.id}.eml`)).map((m) => m.id),
  );
}
