import fsp from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createHandoverJournal } from '../../../main/outbox/handover-journal.ts';
import { makeDataDir } from '../../support/outbox-fixture.ts';

describe('hand-over journal', () => {
  it('keeps the newest attempt per message, ignores a torn line, and empties on reset', async () => {
    const file = path.join(await makeDataDir(), 'handover.log');
    const journal = createHandoverJournal(file);
    await Promise.all([journal.mark('a', 1), journal.mark('b', 1), journal.mark('a', 2)]);
    await fsp.appendFile(file, 'c 3'.slice(0, 2));
    expect(await journal.read()).toEqual(
      new Map([
        ['a', 2],
        ['b', 1],
      ]),
    );
    expect((await fsp.stat(file)).mode & 0o777).toBe(0o600);
    await journal.reset();
    expect(await journal.read()).toEqual(new Map());
    await journal.mark('d', 1);
    expect(await journal.read()).toEqual(new Map([['d', 1]]));
    await journal.close();
  });
});
