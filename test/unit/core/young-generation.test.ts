import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const MODULE = path.resolve(import.meta.dirname, '../../../main/core/young-generation.ts');

interface Sizes {
  readonly before: number;
  /** After 300,000 small objects kept, as indexing a long queue keeps them. */
  readonly indexed: number;
  /** After as many more, once the work is over. */
  readonly after: number;
}

/** A fresh Node that keeps objects during `withSmallYoungGeneration` (or not) and after it. */
async function youngGeneration(small: boolean): Promise<Sizes> {
  const script = `
    import v8 from 'node:v8';
    import { withSmallYoungGeneration } from ${JSON.stringify(MODULE)};
    const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    const held = [];
    const keep = async () => {
      const map = new Map();
      for (let i = 0; i < 300000; i++) map.set('m' + i, { i, at: Date.now() + i });
      held.push(map);
    };
    const before = newSpace();
    // Nested, as two stores opened at once would be: the outer one's end restores growth.
    if (${String(small)}) await withSmallYoungGeneration(() => withSmallYoungGeneration(keep));
    else await keep();
    const indexed = newSpace();
    await keep();
    console.log(JSON.stringify({ before, indexed, after: newSpace() }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  return JSON.parse(stdout) as Sizes;
}

describe('withSmallYoungGeneration', () => {
  it("holds V8's young generation at its size while much survives, and lets it grow again after", async () => {
    const grown = await youngGeneration(false);
    const kept = await youngGeneration(true);
    // Here: 1 MB before either way; 32–64 MB after the first 300,000 without it, 2 MB with it.
    expect(kept.indexed).toBeLessThanOrEqual(4 * kept.before);
    expect(grown.indexed).toBeGreaterThanOrEqual(8 * kept.indexed);
    // V8's own growth is back once the work is over.
    expect(kept.after).toBeGreaterThanOrEqual(8 * kept.indexed);
  }, 30_000);
});
