import { afterAll, expect, test } from 'vitest';
import { closeBrowser, openRenderer } from '../support/renderer-harness.ts';
import { BURST, COUNT, deliverBurst, listCore } from '../support/outbox-list-burst.ts';

afterAll(closeBrowser);

// How long the page's longest task is during the burst is a speed figure: `npm run bench` reports
// it (bench/renderer-bundle.ts), where a loaded machine cannot fail the suite.
test('10,000 messages: a screenful in the DOM, a burst of 2,000 changes all applied', async () => {
  const app = await openRenderer({ core: listCore });
  const { page } = app;
  await page.getByRole('button', { name: /^Outbox/ }).click();
  await page.getByText(`${COUNT} messages`).waitFor();
  const list = page.getByRole('listbox', { name: 'Messages in the outbox' });
  expect(await list.getByRole('option').count()).toBeLessThan(40);

  await deliverBurst(page);
  expect(await list.getByRole('option').count()).toBeLessThan(40);

  // Keyboard: End goes to the oldest message, which the virtual list brings into view.
  await list.focus();
  await list.press('End');
  await list.getByRole('option', { name: /Message 0\b/ }).waitFor();
  await page.getByRole('region', { name: 'Message 0' }).waitFor();
  await list.press('Home');
  await list.getByRole('option', { name: new RegExp(`Message ${COUNT - BURST - 1}\\b`) }).waitFor();
  await app.close();
});
