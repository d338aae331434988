import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { navigate } from '../support/renderer-steps.ts';

describe('Settings: the address for local mail', () => {
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

  test('is saved by main, and main refuses what is no address, shown at the field', async () => {
    const { page } = harness;
    await navigate(page, 'Settings');
    const field = page.getByLabel('Address for local mail');
    await expect.poll(() => field.inputValue()).toBe('');

    await field.fill('root');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
    expect((await core.handlers['settings:get'](undefined)).localMailAddress).toBe('');

    await field.fill('ops@example.net');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Saved.').waitFor();
    expect((await core.handlers['settings:get'](undefined)).localMailAddress).toBe('ops@example.net');
  });
});
