import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { RecordingOs } from '../support/recording-os.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { navigate } from '../support/renderer-steps.ts';

describe('Settings: with the window closed', () => {
  let core: TestCore;
  let harness: RendererHarness;
  const os = new RecordingOs();

  beforeAll(async () => {
    core = await startTestCore({ osIntegration: os });
    harness = await openRenderer({ core });
  });

  afterAll(async () => {
    await harness.close();
    await closeBrowser();
    await core.close();
  });

  const saved = async () => core.handlers['settings:get'](undefined);

  test('the three toggles show the defaults and save through main, the OS asked for two', async () => {
    const { page } = harness;
    await navigate(page, 'Settings');
    const keep = page.getByRole('checkbox', { name: 'Keep running in the background' });
    const login = page.getByRole('checkbox', { name: 'Start Outbox when you log in' });
    const closed = page.getByRole('checkbox', { name: 'Deliver while Outbox is closed' });
    await expect.poll(() => keep.isChecked()).toBe(true);
    expect(await login.isChecked()).toBe(false);
    expect(await closed.isChecked()).toBe(false);

    await keep.uncheck();
    await expect.poll(async () => (await saved()).keepRunningInBackground).toBe(false);
    await login.check();
    await expect.poll(async () => (await saved()).startAtLogin).toBe(true);
    await expect.poll(() => closed.isEnabled()).toBe(true);
    await closed.check();
    await expect.poll(async () => (await saved()).deliverWhileClosed).toBe(true);
    expect(os.calls).toEqual(['startAtLogin true', 'deliveryTimer true']);
    expect(os.startAtLogin && os.deliveryTimer).toBe(true);
  });

  test("the OS's refusal is shown in words and the toggle goes back", async () => {
    const { page } = harness;
    os.refuse.startAtLogin = new Error('Permission denied: ~/.config/autostart/outbox.desktop');
    const login = page.getByRole('checkbox', { name: 'Start Outbox when you log in' });
    await expect.poll(() => login.isEnabled()).toBe(true);
    // A click, not uncheck(): the refusal can put the toggle back before Playwright looks, which
    // uncheck() would report as a click that changed nothing.
    await login.click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain(
      'Your system did not let Outbox stop starting at login: Permission denied: ~/.config/autostart/outbox.desktop.',
    );
    await expect.poll(() => login.isChecked()).toBe(true);
    expect((await saved()).startAtLogin).toBe(true);
  });
});
