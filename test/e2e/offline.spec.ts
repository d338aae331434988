import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { createPlainAccount, eventually, navigate, writeMessage } from '../support/renderer-steps.ts';
import { SMTPServer } from 'smtp-server';
import { startTestServer } from '../support/smtp-test-server.ts';

afterAll(closeBrowser);

let core: TestCore;
let app: RendererHarness;
let server: SMTPServer | undefined;
const received: string[][] = [];

/** A server coming back on the port the account points at (the shared helper always takes a new port). */
async function serveOn(port: number): Promise<SMTPServer> {
  const smtp = new SMTPServer({
    authOptional: true,
    hideSTARTTLS: true,
    logger: false,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        received.push(session.envelope.rcptTo.map((r) => r.address));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(port, '127.0.0.1', resolve));
  return smtp;
}

beforeEach(async () => {
  core = await startTestCore({ settings: { undoSeconds: 0 } });
  app = await openRenderer({ core });
});

afterEach(async () => {
  await app.close();
  await core.close();
  await new Promise<void>((resolve) => {
    if (server) server.close(resolve);
    else resolve();
  });
});

test('a message waits with a countdown while the server is down, and goes out when it is back', async () => {
  // Take a free port, then close it: the account points at a server that is down.
  const probe = await startTestServer();
  const port = probe.port;
  await probe.close();
  await createPlainAccount(core, port);
  const { page } = app;

  await writeMessage(page, { to: ['bob@example.com'], subject: 'While offline', body: 'Wait for it.' });
  await page.getByRole('button', { name: 'Send', exact: true }).click();

  const row = page
    .getByRole('listbox', { name: 'Messages in the outbox' })
    .getByRole('option', { name: /While offline/ });
  await row.locator('.badge', { hasText: 'Waiting to retry' }).waitFor({ timeout: 20_000 });
  const countdown = row.locator('.row-when');
  await expect.poll(() => countdown.textContent()).toMatch(/^Next try in \d+/);
  const first = await countdown.textContent();
  await expect.poll(() => countdown.textContent(), { timeout: 5_000 }).not.toBe(first);
  await row.click();
  await page.locator('.details .error-message').first().waitFor();

  server = await serveOn(port);
  await row.waitFor({ state: 'detached', timeout: 120_000 });
  await navigate(page, 'Sent');
  await page.getByRole('button', { name: /While offline/ }).waitFor();
  expect(await eventually(() => received[0])).toEqual(['bob@example.com']);
});

test('the window’s own offline and online events reach main: the indicator follows, and mail waits then goes', async () => {
  const server = await startTestServer();
  try {
    await createPlainAccount(core, server.port);
    const { page } = app;
    // Offline emulation also stops the page's own files loading: let the app come up first.
    await page
      .getByRole('status')
      .filter({ hasText: /^Online/ })
      .waitFor();
    core.online = false;
    await page.context().setOffline(true);
    await page.getByRole('status').filter({ hasText: 'Offline: messages wait in the outbox' }).waitFor();

    await writeMessage(page, { to: ['bob@example.com'], subject: 'Sent when back', body: 'Later.' });
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    const row = page
      .getByRole('listbox', { name: 'Messages in the outbox' })
      .getByRole('option', { name: /Sent when back/ });
    await row.waitFor();
    await page.waitForTimeout(2_000);
    expect(server.messages).toHaveLength(0);

    core.online = true;
    await page.context().setOffline(false);
    await page
      .getByRole('status')
      .filter({ hasText: /^Online/ })
      .waitFor();
    await row.waitFor({ state: 'detached', timeout: 20_000 });
    expect(server.messages).toHaveLength(1);
  } finally {
    await server.close();
  }
});
