import { sealMarkerName } from '../../../main/outbox/store/seal-marker.ts';
import { SEGMENT_FILE } from '../../../main/outbox/store/segment-writer.ts';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames, encodeFrame } from '../../../main/outbox/store/queue-log-format.ts';
import {
  buildFuzzFixture,
  runOnCopy,
  runTrial,
  type FuzzFixture,
  type TrialResult,
} from '../../support/damage-fuzz-fixture.ts';
import { judge } from '../../support/damage-verdict.ts';

// Issue 12: "nothing acknowledged is ever lost or silently corrupted". Each trial damages one file
// of a copy of a data folder and flushes it; every queued message must end delivered intact, still
// queued, or named to the user. Trial i uses seed BASE + i; one trial replays with
// OUTBOX_FUZZ_SEED=<its seed> OUTBOX_FUZZ_TRIALS=1. The default base is fixed, so CI is reproducible.
const BASE_SEED = Number(process.env.OUTBOX_FUZZ_SEED ?? 0x0b0c_5eed) >>> 0;
const TRIALS = Number(process.env.OUTBOX_FUZZ_TRIALS ?? 300);
/** Examples printed per failure class. */
const EXAMPLES = 2;

let fixture: FuzzFixture;
beforeAll(async () => {
  fixture = await buildFuzzFixture();
});
afterAll(async () => {
  await fixture.close();
});

const replay = (r: TrialResult) =>
  `OUTBOX_FUZZ_SEED=${r.seed} OUTBOX_FUZZ_TRIALS=1  ${JSON.stringify({ ...r.plan, bytes: undefined })}${
    r.delivered ? '' : ' (read only)'
  }`;

/** Failures grouped by class and by what was damaged how, each with a few seeds to replay. */
function failureReport(results: readonly TrialResult[]): string {
  const groups = new Map<string, { count: number; examples: string[] }>();
  for (const result of results) {
    for (const failure of result.verdict.failures) {
      const key = `${failure.kind} after ${result.plan.target} ${result.plan.kind}`;
      const group = groups.get(key) ?? { count: 0, examples: [] };
      group.count++;
      if (group.examples.length < EXAMPLES) group.examples.push(`${replay(result)}\n      ${failure.detail}`);
      groups.set(key, group);
    }
  }
  return [...groups]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([key, { count, examples }]) => [`${key}: ${count}`, ...examples.map((e) => `    ${e}`)].join('\n'))
    .join('\n');
}

/** The last segment written, its frames read whole. */
async function lastSegment(dir: string) {
  const queue = path.join(dir, 'outbox', 'queue');
  const name =
    (await fsp.readdir(queue))
      .filter((n) => SEGMENT_FILE.test(n))
      .sort()
      .at(-1) ?? '';
  const file = path.join(queue, name);
  const bytes = await fsp.readFile(file);
  return { file, bytes, frames: decodeFrames(bytes, 0, true).frames };
}

/**
 * A batch the writer never acknowledged: a put of a message no one was told is queued, without its
 * commit, as a crash in the middle of writing the segment's last batch leaves it.
 */
async function appendUnacknowledged(dir: string, cut: (frame: Buffer) => Buffer): Promise<boolean> {
  const { file, bytes, frames } = await lastSegment(dir);
  const seal = frames.find((f) => f.entry.op === 'seal');
  const put = frames.find((f) => f.entry.op === 'put');
  if (!seal || put?.entry.op !== 'put' || !put.body) throw new Error('unexpected fixture segment');
  const record = {
    ...put.entry.record,
    id: '0zzzzzzzz-000000000000',
    messageId: '<never-acknowledged@example.org>',
  };
  const body = bytes.subarray(put.body.offset, put.body.offset + put.body.length);
  const frame = encodeFrame({ op: 'put', rev: 1, record }, body);
  await fsp.writeFile(file, Buffer.concat([bytes.subarray(0, seal.at), cut(frame)]));
  // A writer that died before sealing never wrote the seal's marker either.
  await fsp.rm(sealMarkerName(file));
  return true;
}

describe('the damage fuzzer', () => {
  it.each([
    ['a torn last write (half a frame, no commit)', (f: Buffer) => f.subarray(0, f.length >> 1)],
    ['a whole frame whose commit never came', (f: Buffer) => f],
    [
      'a frame without commit, with a bit flipped',
      (f: Buffer) => Buffer.from(f.map((b, i) => (i === 40 ? b ^ 4 : b))),
    ],
    ['a writer that died before sealing', (f: Buffer) => f.subarray(0, 0)],
  ])('finds nothing wrong with harmless damage: %s', async (_name, cut) => {
    const run = await runOnCopy(fixture, (dir) => appendUnacknowledged(dir, cut));
    const verdict = judge(fixture.messages, fixture.cleanDigests, run, {
      target: 'segment',
      unnameable: new Set(),
    });
    expect(verdict.failures).toEqual([]);
    expect([...verdict.fates.values()]).toEqual(fixture.messages.map(() => 'intact'));
  });

  it(`keeps every acknowledged message through ${TRIALS} random damages (seeds from ${BASE_SEED})`, async () => {
    const results: TrialResult[] = [];
    const ms: number[] = [];
    for (let i = 0; i < TRIALS; i++) {
      const started = performance.now();
      results.push(await runTrial(fixture, (BASE_SEED + i) >>> 0));
      ms.push(performance.now() - started);
    }
    const fates = results.flatMap((r) => [...r.verdict.fates.values()]);
    const count = (fate: string) => fates.filter((f) => f === fate).length;
    const median = ms.sort((a, b) => a - b)[ms.length >> 1] ?? 0;
    const total = ms.reduce((sum, t) => sum + t, 0);
    console.info(
      `damage fuzzer: ${TRIALS} trials in ${(total / 1000).toFixed(1)} s (median ${median.toFixed(0)} ms, ` +
        `${results.filter((r) => !r.delivered).length} read only); messages intact ${count('intact')}, ` +
        `still queued ${count('queued')}, reported ${count('reported')} (${count('reported-unnameable')} by a notice ` +
        `naming none, their ids wiped out), settings refused ${count('settings-refused')}`,
    );
    const failed = results.filter((r) => r.verdict.failures.length > 0);
    expect(failed.length, `${failed.length} of ${TRIALS} trials failed:\n${failureReport(failed)}`).toBe(0);
  }, 600_000);
});
