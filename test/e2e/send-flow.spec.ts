import { randomBytes, X509Certificate } from 'node:crypto';
import fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import {
  addAccount,
  dropFiles,
  eventually,
  navigate,
  parseReceived,
  sha256,
  writeMessage,
} from '../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../support/smtp-test-server.ts';
import { makeSelfSignedCert } from '../support/tls-cert.ts';

afterAll(closeBrowser);

let dir: string;
let core: TestCore;
let server: TestServer;
let app: RendererHarness;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(tmpdir(), 'outbox-e2e-'));
  const cert = makeSelfSignedCert(dir);
  // The reply to DATA is held back, so "sending" stays on screen long enough to be seen.
  server = await startTestServer({
    tls: { ...cert, mode: 'starttls' },
    users: { ann: 'correct horse' },
    onData: () => ({ delayMs: 2_500 }),
  });
  core = await startTestCore({ settings: { undoSeconds: 3 } });
  app = await openRenderer({ core, dropDir: dir });
});

afterEach(async () => {
  await app.close();
  await core.close();
  await server.close();
  await fs.rm(dir, { recursive: true, force: true });
});

test('adds an account, tests it, sends a 5 MB attachment to two people and watches it go out', async () => {
  const { page } = app;
  await addAccount(page, {
    address: 'ann@example.org',
    name: 'Ann Example',
    label: 'Work',
    port: server.port,
    security: 'starttls',
    username: 'ann',
    password: 'correct horse',
  });

  // The certificate is self-signed: the test shows each step, then the fingerprint to pin.
  await page.getByRole('button', { name: 'Test connection' }).click();
  await page.getByText('The connection test failed.').waitFor();
  await page.getByRole('button', { name: /Review and trust this certificate/ }).click();
  const dialog = page.getByRole('dialog', { name: 'Trust this certificate?' });
  const cert = await fs.readFile(path.join(dir, 'cert.pem'), 'utf8');
  await expect.poll(() => dialog.textContent()).toContain(new X509Certificate(cert).fingerprint256);
  await dialog.getByRole('button', { name: 'Trust this certificate' }).click();
  await page.getByText('The server accepted the connection and the login.').waitFor();
  const names = await page.locator('.step-name').allTextContents();
  const statuses = await page.locator('.step-status').allTextContents();
  expect(Object.fromEntries(names.map((name, i) => [name, statuses[i]]))).toMatchObject({
    Connect: 'OK',
    'Secure the connection (TLS)': 'OK',
    'Log in': 'OK',
  });

  const attachment = randomBytes(5 * 1024 * 1024);
  await fs.writeFile(path.join(dir, 'report.bin'), attachment);
  await writeMessage(page, {
    to: ['bob@example.com', 'carol@example.net'],
    subject: 'Quarterly report',
    body: 'Here is the report.',
  });
  await expect
    .poll(() => page.locator('.chip').allTextContents())
    .toEqual(['bob@example.com×', 'carol@example.net×']);
  await dropFiles(page, ['report.bin']);
  await page.getByText('report.bin').waitFor();
  await expect.poll(() => page.locator('.attachment-size').textContent()).toBe('5.0 MB');
  await page.getByRole('textbox', { name: 'Message' }).press('Control+Enter');

  const list = page.getByRole('listbox', { name: 'Messages in the outbox' });
  const row = list.getByRole('option', { name: /Quarterly report/ });
  await row.locator('.badge', { hasText: 'Queued' }).waitFor();
  await page.locator('.toast').getByRole('button', { name: 'Undo' }).waitFor();
  await row.locator('.badge', { hasText: 'Sending' }).waitFor({ timeout: 20_000 });
  await row.getByRole('progressbar').waitFor();
  await row.waitFor({ state: 'detached', timeout: 30_000 });

  await navigate(page, 'Sent');
  await page.getByRole('button', { name: /Quarterly report/ }).click();
  const results = page.locator('.recipient-results .recipient-state');
  await expect.poll(() => results.allTextContents()).toEqual(['accepted', 'accepted']);
  // The reply that took the message, under each recipient: what traces it with the provider.
  await expect
    .poll(() => page.locator('.recipient-results .server-reply').allTextContents())
    .toEqual(['250 Message queued', '250 Message queued']);

  const received = await eventually(() => server.messages[0]);
  expect([...received.to].sort()).toEqual(['bob@example.com', 'carol@example.net']);
  const parsed = await parseReceived(received);
  expect(parsed.subject).toBe('Quarterly report');
  expect(parsed.text).toContain('Here is the report.');
  expect(parsed.html).toMatch(/<p>Here is the report\.(<br>)?<\/p>/);
  expect(parsed.attachments).toEqual([{ name: 'report.bin', sha256: sha256(attachment) }]);
});
