import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { createPlainAccount, navigate } from '../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../support/smtp-test-server.ts';

afterAll(closeBrowser);

const PASSWORD = 'tr0ub4dor-and-3';

let core: TestCore;
let server: TestServer;
let app: RendererHarness;

beforeEach(async () => {
  server = await startTestServer({ users: { ann: PASSWORD } });
  core = await startTestCore();
  app = await openRenderer({ core });
});

afterEach(async () => {
  await app.close();
  await core.close();
  await server.close();
});

test('a new account starts from its address, shows errors by their fields, and keeps the password write-only', async () => {
  const { page } = app;
  await navigate(page, 'Accounts');
  const form = page.getByRole('form', { name: 'New account' });
  await form.getByLabel('Email address').fill('ann.example@gmail.com');
  await form.getByLabel('Your name').focus();
  await expect.poll(() => form.getByLabel('Server', { exact: true }).inputValue()).toBe('smtp.gmail.com');
  await form.getByText(/^Settings from Outbox.s provider table: /).waitFor();
  await expect.poll(() => form.getByLabel('Username').inputValue()).toBe('ann.example@gmail.com');
  await form.getByLabel('Provider').selectOption({ label: 'Fastmail' });
  await expect.poll(() => form.getByLabel('Server', { exact: true }).inputValue()).toBe('smtp.fastmail.com');

  // Now point it at the local server, with mistakes first.
  await form.getByLabel('Email address').fill('ann@example.org');
  await form.getByLabel('Account name').fill('Local');
  await form.getByLabel('Server', { exact: true }).fill('127.0.0.1');
  await form.getByLabel('Port', { exact: true }).fill('99999');
  await form.getByRole('button', { name: 'Save account' }).click();
  const port = form.getByLabel('Port', { exact: true });
  await expect.poll(() => port.getAttribute('aria-invalid')).toBe('true');
  await form.getByText('This is not a valid port.').waitFor();

  await port.fill(String(server.port));
  await form.getByLabel('Security').selectOption('none');
  await form.getByText(/travel across the network in plain text/).waitFor();
  await form.getByLabel('Username').fill('ann');
  await form.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await form.getByRole('button', { name: 'Save account' }).click();
  await form.getByText('Confirm that this account may send without encryption.').waitFor();
  await form.getByRole('checkbox', { name: /send through this account without encryption/ }).check();
  await form.getByRole('button', { name: 'Save account' }).click();

  const saved = page.getByRole('form', { name: 'Settings for Local' });
  await saved.getByText('A password is saved in the system keychain.').waitFor();
  await expect.poll(() => saved.getByLabel('Password', { exact: true }).inputValue()).toBe('');
  expect(await page.content()).not.toContain(PASSWORD);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await page.getByText('The server accepted the connection and the login.').waitFor();
  expect(server.authAttempts).toContainEqual({ user: 'ann', ok: true });

  // Pointed at another server, the account forgets the password (it was given for this one).
  await saved.getByLabel('Server', { exact: true }).fill('localhost');
  await saved
    .getByText(/Saving a new server, port, security or username forgets the saved password/)
    .waitFor();
  await saved.getByRole('button', { name: 'Save changes' }).click();
  await saved.getByText('Saved in the system keychain, never shown again.').waitFor();
  await saved.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await saved.getByRole('button', { name: 'Save changes' }).click();
  await saved.getByText('A password is saved in the system keychain.').waitFor();
});

test('DKIM key, order, default account, deletion that moves queued mail, settings and menu commands', async () => {
  const { page } = app;
  const first = await createPlainAccount(core, server.port, 'First');
  const second = await createPlainAccount(core, server.port, 'Second');
  await core.handlers['outbox:enqueue']({
    accountId: second.id,
    to: ['bob@example.com'],
    cc: [],
    bcc: [],
    subject: 'Later from second',
    attachments: [],
    sendAt: new Date(Date.now() + 86_400_000).toISOString(),
  });
  await navigate(page, 'Accounts');
  await page.getByRole('button', { name: /^Second/ }).click();

  await page.getByLabel('Private key (PEM)').fill('not a key');
  await page.getByRole('button', { name: 'Save key' }).click();
  await page.getByText('This is not a valid DKIM private key.').waitFor();
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await page
    .getByLabel('Private key (PEM)')
    .fill(privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  await page.getByRole('button', { name: 'Save key' }).click();
  await page.getByText('The key was saved in the system keychain.').waitFor();
  // Pointed at another port, the account forgets the key (mail it signs would go elsewhere).
  const editor = page.getByRole('form', { name: 'Settings for Second' });
  await editor.getByLabel('Port', { exact: true }).fill(String(server.port + 1));
  await editor
    .getByText(/Saving a new server, port, security or sender domain forgets the saved DKIM key/)
    .waitFor();
  await editor.getByRole('button', { name: 'Save changes' }).click();
  await page.getByText('No key saved: messages are not signed.').waitFor();
  expect((await core.handlers['accounts:list'](undefined)).find((a) => a.id === second.id)?.hasDkimKey).toBe(
    false,
  );

  await page.getByRole('button', { name: 'Move up' }).click();
  await expect.poll(() => page.locator('.account-name').allTextContents()).toEqual(['Second', 'First']);
  await expect
    .poll(async () => (await core.handlers['accounts:list'](undefined)).map((a) => a.label))
    .toEqual(['Second', 'First']);

  await page.getByRole('button', { name: 'Make default' }).click();
  await page.getByRole('button', { name: /^Second.*Default/ }).waitFor();

  await page.getByRole('button', { name: 'Delete account…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete Second?' });
  await dialog.getByText('It has 1 message waiting in the outbox.').waitFor();
  await dialog.getByRole('radio', { name: 'Send them from another account' }).check();
  await dialog.getByLabel('Move to').selectOption(first.id);
  await dialog.getByRole('button', { name: 'Delete account' }).click();
  await page.getByRole('button', { name: /^Second/ }).waitFor({ state: 'detached' });
  const [moved] = await core.handlers['outbox:list'](undefined);
  expect(moved?.accountId).toBe(first.id);

  await navigate(page, 'Settings');
  const undo = page.getByLabel('Undo window (seconds)');
  await undo.fill('99');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await expect.poll(() => undo.getAttribute('aria-invalid')).toBe('true');
  await undo.fill('5');
  await page.getByRole('button', { name: 'Save settings' }).click();
  await page.getByText('Saved.').waitFor();
  await page.getByRole('checkbox', { name: /Show notifications/ }).uncheck();
  await expect.poll(async () => (await core.handlers['settings:get'](undefined)).notifications).toBe(false);
  expect((await core.handlers['settings:get'](undefined)).undoSeconds).toBe(5);

  // File › New Message and the other menu items arrive as `app:menuInvoked`.
  await page.evaluate(() => {
    (globalThis as unknown as { __outboxDeliver(event: string, payload: unknown): void }).__outboxDeliver(
      'app:menuInvoked',
      { command: 'outbox' },
    );
  });
  await page.getByRole('heading', { name: 'Outbox' }).waitFor();
  await page.getByRole('option', { name: /Later from second.*First/ }).waitFor();
});

test('emptying an optional field in the editor removes it from the saved account', async () => {
  const { page } = app;
  const account = await createPlainAccount(core, server.port, 'Replies');
  await core.handlers['accounts:update']({
    id: account.id,
    patch: { replyTo: 'replies@example.org', ratePerHour: 30 },
  });
  await navigate(page, 'Accounts');
  await page.getByRole('button', { name: /^Replies/ }).click();
  const replyTo = page.getByLabel('Reply-To address (optional)');
  await expect.poll(() => replyTo.inputValue()).toBe('replies@example.org');
  await replyTo.fill('');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect
    .poll(
      async () => (await core.handlers['accounts:list'](undefined)).find((a) => a.id === account.id)?.replyTo,
    )
    .toBeUndefined();
  const saved = (await core.handlers['accounts:list'](undefined)).find((a) => a.id === account.id);
  expect(saved?.ratePerHour).toBe(30);
});
