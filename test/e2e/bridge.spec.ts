import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { OutboxBridge } from '../../preload/contract/bridge-api.ts';
import { errorCodes } from '../../preload/contract/errors.ts';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';

// Functions passed to page.evaluate run in the page, so each reaches the bridge itself.
type PageGlobals = { outbox: OutboxBridge };

describe('the bridge from the page to main', () => {
  let core: TestCore;
  let harness: RendererHarness;

  beforeAll(async () => {
    core = await startTestCore();
    harness = await openRenderer({ core });
  });

  afterAll(async () => {
    await harness.close();
    await closeBrowser();
    await core.close();
  });

  test('the page shows an answer from a real main-process handler', async () => {
    await harness.page.getByText('0.0.0-test').first().waitFor();
  });

  test('a call reaches the real handler and its effect is real', async () => {
    const result = await harness.page.evaluate(() =>
      (globalThis as unknown as PageGlobals).outbox.settings.update({ undoSeconds: 4 }),
    );
    expect(result).toMatchObject({ ok: true, value: { undoSeconds: 4 } });
    expect(core.store.get('app')).toMatchObject({ undoSeconds: 4 });
  });

  test('the page can neither read a file the user never chose nor reach the preload’s drop channel', async () => {
    const result = await harness.page.evaluate(async () => {
      const { outbox } = globalThis as unknown as PageGlobals;
      return {
        stat: await outbox.files.stat({ paths: ['/etc/passwd'] }),
        methods: Object.keys(outbox.files).sort(),
      };
    });
    expect(result).toEqual({
      stat: {
        ok: false,
        error: {
          code: 'invalid_input',
          message: expect.stringContaining('Attach files') as unknown,
          field: 'paths.0',
        },
      },
      methods: ['pick', 'stat'],
    });
  });

  test('a malformed payload is rejected by main with a typed error and no stack', async () => {
    const result = await harness.page.evaluate(() =>
      // Deliberately wrong at run time, as a compromised renderer could send.
      ((globalThis as unknown as PageGlobals).outbox.outbox.enqueue as (input: unknown) => Promise<unknown>)({
        accountId: 7,
        to: 'not a list',
      }),
    );
    expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    const error = (result as { error: Record<string, unknown> }).error;
    expect(Object.keys(error).sort()).toEqual(expect.arrayContaining(['code', 'message']));
    expect(errorCodes).toContain(error.code);
    expect(JSON.stringify(result)).not.toMatch(/\n\s+at /);
  });
});
