import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { currentProcess, type ProcessIdentity } from '../../../../main/files/process-identity.ts';
import { tempFileName, writerOfTempFile } from '../../../../main/files/temp-name.ts';
import {
  isAbandoned,
  removeAbandonedTempFiles,
  UNNAMED_TEMP_AGE_MS,
  type TempFileFacts,
} from '../../../../main/outbox/store/temp-files.ts';
import { makeDataDir } from '../../../support/outbox-fixture.ts';

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => fsp.rm(dir, { recursive: true, force: true })));
});

describe('a temp file names its writer', () => {
  it.each<[string, ProcessIdentity | undefined]>([
    ['4242-987654-a1b2c3d4e5f6.tmp', { pid: 4242, started: '987654' }],
    // No start time where the platform tells none (not Linux).
    ['4242--a1b2c3d4e5f6.tmp', { pid: 4242 }],
    // Older builds: the target's name, with dots; ids and UUIDs may start with digits and dashes.
    ['0mx7wjbst-ec6d436b3910.eml.a1b2c3d4e5f6.tmp', undefined],
    ['12345678-1234-4234-8234-123456789abc.json.a1b2c3d4e5f6.tmp', undefined],
    ['0-1-a1b2c3d4e5f6.tmp', undefined],
    ['4242-987654-a1b2c3d4e5f6', undefined],
    ['notes.txt', undefined],
  ])('%s → %o', (name, writer) => {
    expect(writerOfTempFile(name)).toEqual(writer);
  });

  it.each<ProcessIdentity>([{ pid: 31337, started: '123456789' }, { pid: 7 }])(
    'reads back the writer it was named for: %o',
    (writer) => {
      expect(writerOfTempFile(tempFileName(writer))).toEqual(writer);
    },
  );
});

describe('which temp files are abandoned', () => {
  it.each<[TempFileFacts, boolean]>([
    [{ writer: 'gone' }, true],
    [{ writer: 'alive' }, false],
    [{ writer: 'unnamed', ageMs: UNNAMED_TEMP_AGE_MS + 1 }, true],
    [{ writer: 'unnamed', ageMs: UNNAMED_TEMP_AGE_MS }, false],
    [{ writer: 'unnamed', ageMs: 0 }, false],
  ])('%o → %s', (facts, abandoned) => {
    expect(isAbandoned(facts)).toBe(abandoned);
  });
});

/** A process that has ended (its pid not yet reused: pids are handed out in turn). */
async function endedProcess(): Promise<ProcessIdentity> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const [code] = (await once(child, 'exit')) as [number | null];
  if (child.pid === undefined || code !== 0) throw new Error('the child process did not run');
  return { pid: child.pid };
}

describe('removing abandoned temp files from a folder', () => {
  it('removes those of dead writers and old unnamed ones; keeps a live writer’s, however old', async () => {
    const dir = await makeDataDir();
    dirs.push(dir);
    const self = await currentProcess();
    const files = {
      dead: tempFileName(await endedProcess()),
      // The same pid started at another time: a recycled pid is not the writer.
      recycled: tempFileName({ pid: self.pid, started: `${self.started ?? '0'}1` }),
      live: tempFileName(self),
      oldUnnamed: 'q1.eml.a1b2c3d4e5f6.tmp',
      newUnnamed: 'q2.eml.a1b2c3d4e5f6.tmp',
    };
    const now = Date.now();
    const longAgo = new Date(now - 2 * UNNAMED_TEMP_AGE_MS);
    for (const name of Object.values(files)) {
      await fsp.writeFile(path.join(dir, name), 'partial');
      if (name !== files.newUnnamed) await fsp.utimes(path.join(dir, name), longAgo, longAgo);
    }

    const removed = await removeAbandonedTempFiles(dir, now);

    const expectedGone = [files.dead, files.oldUnnamed, ...(self.started ? [files.recycled] : [])];
    expect(removed.sort()).toEqual(expectedGone.sort());
    expect((await fsp.readdir(dir)).sort()).toEqual(
      Object.values(files)
        .filter((name) => !expectedGone.includes(name))
        .sort(),
    );
  });
});
