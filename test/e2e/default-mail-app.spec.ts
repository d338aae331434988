import fsp from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { xdgDefaultMailApp } from '../../main/desktop/default-mail-app.ts';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { navigate } from '../support/renderer-steps.ts';
import { makeXdgDesktop, type XdgDesktop } from '../support/xdg-desktop.ts';

describe('Settings: make Outbox the default mail app (Linux, Debian xdg-utils)', () => {
  let desktop: XdgDesktop;
  let core: TestCore;
  let harness: RendererHarness;

  beforeAll(async () => {
    desktop = await makeXdgDesktop();
    core = await startTestCore({ defaultMailApp: xdgDefaultMailApp(desktop.env) });
    harness = await openRenderer({ core });
  });

  afterAll(async () => {
    await harness.close();
    await closeBrowser();
    await core.close();
    await desktop.remove();
  });

  test('shows another app as the default, and the button makes it Outbox', async () => {
    const { page } = harness;
    await navigate(page, 'Settings');
    await page.getByText('Another app opens mailto: links.').waitFor();

    await page.getByRole('button', { name: 'Make Outbox the default mail app' }).click();
    await page.getByText('Outbox opens mailto: links.').waitFor();
    expect(await page.getByRole('button', { name: 'Make Outbox the default mail app' }).count()).toBe(0);
    expect(await fsp.readFile(desktop.mimeappsList, 'utf8')).toContain(
      'x-scheme-handler/mailto=outbox.desktop',
    );
  });
});
