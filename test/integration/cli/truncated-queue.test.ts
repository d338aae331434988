import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeFrames, type DecodedFrame } from '../../../main/outbox/store/queue-log-format.ts';
import { queuePaths } from '../../../main/outbox/store/queue-paths.ts';
import { quarantinedFiles, segmentFiles } from '../../support/queue-on-disk.ts';
import { startTestServer, type TestServer } from '../../support/smtp-test-server.ts';
import { addLocalAccount, runCli, tempHomes } from './run-cli.ts';

let server: TestServer;
/** A data folder right after `outbox send`: one sealed segment holding one small message. */
let pristine: string;
let segment: string;
let log: Buffer;
let queueId: string;
const newHome = tempHomes();

beforeAll(async () => {
  server = await startTestServer();
  pristine = await newHome();
  await addLocalAccount(pristine, 'Reports', 'reports@example.org', server.port);
  const sent = await runCli(pristine, [
    'send',
    '--to',
    'ann@example.net',
    '--subject',
    'Quarterly figures',
    '--text',
    'Attached below.',
  ]);
  expect(sent.stderr).toBe('');
  expect(sent.code).toBe(0);
  queueId = sent.stdout.trim();
  [segment = ''] = await segmentFiles(queuePaths(pristine));
  log = await fsp.readFile(path.join(queuePaths(pristine).queue, segment));
});
afterAll(async () => {
  await server.close();
});

/** The sealed segment's frames: writer, commit, put, commit, seal, commit. */
function frames(): DecodedFrame[] {
  const decoded = decodeFrames(log).frames;
  expect(decoded.map((f) => f.entry.op)).toEqual(['writer', 'commit', 'put', 'commit', 'seal', 'commit']);
  return decoded;
}
const at = (index: number) => frames()[index]?.at ?? 0;

/** Where the segment is cut, and where the last commit still there ends. */
const cuts: { where: string; cut: () => number; from: () => number; kept: boolean }[] = [
  { where: 'inside the put frame', cut: () => at(2) + 40, from: () => at(2), kept: false },
  { where: 'after the put frame, before its commit', cut: () => at(3), from: () => at(2), kept: false },
  { where: "after the put's commit, before the seal", cut: () => at(4), from: () => at(4), kept: true },
];

describe('a sealed segment cut short', () => {
  it.each(cuts)('is reported by queue list and queue flush when cut $where', async ({ cut, from, kept }) => {
    const home = await newHome();
    await fsp.cp(pristine, home, { recursive: true });
    const paths = queuePaths(home);
    await fsp.truncate(path.join(paths.queue, segment), cut());

    // The notice's wording is the quarantine's (its reason is checked by the store's tests).
    const warning = /^outbox: warning: .+$/m;
    const list = await runCli(home, ['queue', 'list']);
    expect(list.stderr).toMatch(warning);
    expect(list.code).toBe(0);
    expect(list.stdout.includes(queueId)).toBe(kept);
    // What is left of the lost stretch, from the last commit still there, is set aside.
    const aside = await quarantinedFiles(paths);
    expect(aside.length).toBeGreaterThan(0);
    const stretch = log.subarray(from(), cut());
    if (stretch.length > 0) expect(aside.some((file) => file.equals(stretch))).toBe(true);

    // Every process that reads the segment tells of it, until the deliverer reclaims it.
    const flush = await runCli(home, ['queue', 'flush']);
    expect(flush.stderr).toMatch(warning);
    expect(flush.code).toBe(0);
    const again = await runCli(home, ['queue', 'list']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(await quarantinedFiles(paths)).toEqual(aside);
  });

  it('is not reported when whole', async () => {
    const home = await newHome();
    await fsp.cp(pristine, home, { recursive: true });
    const list = await runCli(home, ['queue', 'list']);
    expect(list.stderr).toBe('');
    expect(list.stdout).toContain(queueId);
    expect(await quarantinedFiles(queuePaths(home))).toEqual([]);
  });
});
