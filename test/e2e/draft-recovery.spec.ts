import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import type { CallHandlers } from '../../main/ipc/ipc-router.ts';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { createPlainAccount } from '../support/renderer-steps.ts';

afterAll(closeBrowser);

let core: TestCore;
let app: RendererHarness | undefined;

beforeEach(async () => {
  core = await startTestCore({ settings: { undoSeconds: 0 } });
  await createPlainAccount(core, 2525, 'Work');
  await core.handlers['drafts:save']({
    content: { to: ['dave@example.org'], cc: [], bcc: [], subject: 'Plans for next week', attachments: [] },
  });
});

afterEach(async () => {
  await app?.close();
  app = undefined;
  await core.close();
});

/**
 * The window with `drafts:list` held back until `release()`, as on a slow start: main's real
 * handler answers, only later. `answered` settles once the page has had the answer.
 */
async function openWithSlowDraftList() {
  let release = () => {};
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  let answered!: Promise<unknown>;
  const handlers: CallHandlers = {
    ...core.handlers,
    'drafts:list': (input) => {
      answered = gate.then(() => core.handlers['drafts:list'](input));
      return answered as ReturnType<CallHandlers['drafts:list']>;
    },
  };
  app = await openRenderer({
    core: {
      handlers,
      setEventSink: (sink) => {
        core.setEventSink(sink);
      },
    },
  });
  return { page: app.page, release, answered: () => answered };
}

/** Lets the page run everything its last bridge answer set off, and render it. */
async function settle(page: RendererHarness['page']): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        requestAnimationFrame(() => setTimeout(resolve, 0));
      }),
  );
}

test('a message begun before the recovered draft arrives is not replaced by it', async () => {
  const { page, release, answered } = await openWithSlowDraftList();
  const subject = page.getByLabel('Subject');
  await subject.waitFor();
  await subject.fill('Typed before the drafts came');
  release();
  await answered();
  await settle(page);
  expect(await subject.inputValue()).toBe('Typed before the drafts came');
});

test('an untouched window still gets the recovered draft, however late the list answers', async () => {
  const { page, release, answered } = await openWithSlowDraftList();
  await page.getByLabel('Subject').waitFor();
  release();
  await answered();
  await expect.poll(() => page.getByLabel('Subject').inputValue()).toBe('Plans for next week');
});
