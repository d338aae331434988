import fsp from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN, NODE, homeWithIdleAccount, runProgram, tempHomes } from './run-cli.ts';

/**
 * How many zod schemas a command builds, counted by zod's own post-construction hook: building the
 * contract's schemas at import was most of an empty `queue list` (issue 17). Schemas are built when
 * first used (preload/contract/lazy-schema.ts): an empty queue list reads the settings and the
 * accounts, and builds what those two files need, not the whole contract (1,043 before, 451 after,
 * 224 once the store's formats and the account list's leftovers were lazy too). `sendmail` adds the
 * queue record's schemas (482 before that, 338 after).
 */
const LIST_BUDGET = 260;
const SENDMAIL_BUDGET = 380;

const newHome = tempHomes();
const home = homeWithIdleAccount();
const sendmailHome = homeWithIdleAccount();
let hook: string;

beforeAll(async () => {
  hook = path.join(await newHome(), 'count-schemas.mjs');
  await fsp.writeFile(
    hook,
    [
      "import { writeFileSync } from 'node:fs';",
      'let built = 0;',
      // zod reads this object for every schema it constructs (zod/v4/core: $constructor).
      '(globalThis.__zod_globalConfig ??= {}).postProcessor = () => { built += 1; };',
      "process.on('exit', () => writeFileSync(process.env.COUNT_FILE, String(built)));",
      '',
    ].join('\n'),
  );
});

async function schemasBuiltBy(args: readonly string[], input = '', dataDir = home()): Promise<number> {
  const file = path.join(await newHome(), 'count');
  const result = await runProgram(
    NODE,
    ['--import', hook, BIN, ...args],
    { ...process.env, OUTBOX_HOME: dataDir, COUNT_FILE: file },
    input,
  );
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return Number(await fsp.readFile(file, 'utf8'));
}

describe('zod schemas a command builds', () => {
  it('outbox --help builds none', async () => {
    expect(await schemasBuiltBy(['--help'])).toBe(0);
  }, 60_000);

  it('outbox queue list on an empty queue builds only what reading settings and accounts needs', async () => {
    const built = await schemasBuiltBy(['queue', 'list']);
    // Some are built: the stored files are still validated.
    expect(built).toBeGreaterThan(0);
    expect(built).toBeLessThanOrEqual(LIST_BUDGET);
  }, 60_000);

  it('outbox sendmail builds only what reading settings, accounts and the queue needs', async () => {
    const message = 'From: me@example.org\nTo: ann@example.net\nSubject: count\n\nOne.\n';
    // Twice: the second run also reads back the message the first one queued.
    for (let run = 0; run < 2; run++) {
      const built = await schemasBuiltBy(['sendmail', 'ann@example.net'], message, sendmailHome());
      expect(built).toBeGreaterThan(0);
      expect(built).toBeLessThanOrEqual(SENDMAIL_BUDGET);
    }
  }, 60_000);
});
