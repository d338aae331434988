import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const MODULE = path.resolve(import.meta.dirname, '../../../main/core/young-generation.ts');

/**
 * A fresh Node that keeps 300,000 small objects, as indexing a long queue does, and says how large
 * its young generation was before and after.
 */
async function youngGeneration(kept: boolean): Promise<{ before: number; after: number }> {
  const script = `
    import v8 from 'node:v8';
    import { keepYoungGenerationSmall } from ${JSON.stringify(MODULE)};
    const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    if (${String(kept)}) keepYoungGenerationSmall();
    const before = newSpace();
    const held = new Map();
    for (let i = 0; i < 300000; i++) held.set('m' + i, { i, at: Date.now() + i });
    console.log(JSON.stringify({ before, after: newSpace(), held: held.size }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  return JSON.parse(stdout) as { before: number; after: number };
}

describe('keepYoungGenerationSmall', () => {
  it("holds V8's young generation at its size while much survives, which otherwise grows it", async () => {
    const grown = await youngGeneration(false);
    const kept = await youngGeneration(true);
    // Here: 1 MB before either way; 32–64 MB after without it, 2 MB with it.
    expect(kept.after).toBeLessThanOrEqual(4 * kept.before);
    expect(grown.after).toBeGreaterThanOrEqual(8 * kept.after);
  }, 30_000);
});
