import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { randomBytes, randomUuid } from '../../../main/core/random.ts';

const run = promisify(execFile);
const MODULE = path.resolve(import.meta.dirname, '../../../main/core/random.ts');

describe('random bytes and ids', () => {
  it('hands out bytes of the size asked, within the pool, across its end and beyond it', () => {
    for (const size of [0, 1, 6, 16, 4096, 4097, 70_000]) expect(randomBytes(size)).toHaveLength(size);
  });

  it('never hands out the same bytes twice, however the pool is crossed', () => {
    // 3,000 × 16 bytes crosses the 4 KB pool a dozen times; a repeat of 128 bits means reuse.
    const seen = new Set<string>();
    for (let i = 0; i < 3000; i++) seen.add(randomBytes(16).toString('hex'));
    expect(seen.size).toBe(3000);
  });

  it('gives bytes that look random: every value of a byte, about equally often', () => {
    const counts = new Array<number>(256).fill(0);
    // Drawn as ids are, 16 at a time: through the pool, across 25 of its refills.
    const bytes = Buffer.concat(Array.from({ length: 6400 }, () => randomBytes(16)));
    for (const byte of bytes) counts[byte] = (counts[byte] ?? 0) + 1;
    // 400 expected each, give or take 20 (one standard deviation): 150 either way is 7.5 of them, so
    // a fair source never fails, and a constant or zeroed one fails by far.
    expect(Math.min(...counts)).toBeGreaterThan(250);
    expect(Math.max(...counts)).toBeLessThan(550);
  });

  it('makes version 4 UUIDs (RFC 9562 §5.4): version and variant bits set, the rest random', () => {
    const ids = Array.from({ length: 500 }, randomUuid);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).toBe(500);
  });

  it.runIf(process.platform !== 'win32')(
    'does not load node:crypto (a command would pay ~11 ms)',
    async () => {
      const script = `
      import { randomBytes, randomUuid } from ${JSON.stringify(MODULE)};
      randomUuid();
      randomBytes(10_000);
      console.log(JSON.stringify(process.moduleLoadList.filter((name) => /crypto/.test(name))));
    `;
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
      expect(JSON.parse(stdout)).toEqual([]);
    },
  );
});
