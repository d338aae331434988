import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeEach, expect, test } from 'vitest';
import type { Account, AccountInput } from '../../preload/contract/accounts.ts';
import { seriousViolations } from '../support/axe-check.ts';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { navigate } from '../support/renderer-steps.ts';

afterAll(closeBrowser);

const NOT_CONFIGURED = 'Sign-in with this provider is not set up.';
/** Why, from main, and what an organisation can do about it, from the editor. */
const NO_CLIENT_ID = 'this copy of Outbox was built without a client ID for Microsoft';
const OWN_APP =
  /If your organisation registered its own app for Outbox, enter its client ID under “Your organisation's own app \(advanced\)”/;

const SIGNS_OUT = /Saving a new server, port, security, username or sign-in setting signs this account out/;

let core: TestCore;
let app: RendererHarness | undefined;

beforeEach(async () => {
  core = await startTestCore();
});

afterEach(async () => {
  await app?.close();
  app = undefined;
  await core.close();
});

async function open(): Promise<Page> {
  app = await openRenderer({ core });
  await navigate(app.page, 'Accounts');
  return app.page;
}

async function saved(id?: string): Promise<Account | undefined> {
  const accounts = await core.handlers['accounts:list'](undefined);
  return id === undefined ? accounts[0] : accounts.find((a) => a.id === id);
}

/** A new account's address, typed and left, so the editor looks up its provider. */
async function typeAddress(page: Page, address: string): Promise<Locator> {
  const form = page.getByRole('form', { name: 'New account' });
  await form.getByLabel('Email address').fill(address);
  await form.getByLabel('Your name').focus();
  await form.getByText(/^Settings from Outbox.s provider table: /).waitFor();
  return form;
}

function account(fields: Partial<AccountInput> & Pick<AccountInput, 'label' | 'fromAddress'>): AccountInput {
  return {
    displayName: 'Ann Example',
    host: 'smtp.office365.com',
    port: 587,
    security: 'starttls',
    allowPlaintext: false,
    auth: 'password',
    username: fields.fromAddress,
    signatureText: '',
    signatureHtml: '',
    color: '#0f766e',
    aliases: [],
    ...fields,
  };
}

/** An Outlook.com account that signs in with Microsoft, made directly in the core. */
function createMicrosoftAccount(label: string): Promise<Account> | Account {
  return core.handlers['accounts:create'](
    account({ label, fromAddress: 'ann@outlook.com', auth: 'oauth2', oauth: { provider: 'microsoft' } }),
  );
}

/**
 * Writes what delivery would have recorded on saved accounts (attention, the signed-in address)
 * into the accounts file, and starts main again on it, as after a restart.
 */
async function restartWith(changes: Record<string, Record<string, unknown>>): Promise<void> {
  const document = core.store.get('accounts') as { accounts: Record<string, unknown>[] };
  for (const stored of document.accounts) Object.assign(stored, changes[stored.id as string] ?? {});
  core.store.set('accounts', document);
  await core.core.stop();
  core = await startTestCore({ dataDir: core.dataDir });
}

test('App password: a Yahoo address offers it, explains it, and saves it with the password in the keychain', async () => {
  const page = await open();
  const form = await typeAddress(page, 'ann.example@yahoo.com');
  const method = form.getByLabel('Sign-in method');
  await expect.poll(() => method.locator('option:checked').textContent()).toBe('App password');
  await form.getByText(/An app password is a password made for one program, in Yahoo Mail's/).waitFor();
  await form
    .getByText(/Account security › Generate app password/)
    .first()
    .waitFor();
  expect(await seriousViolations(page, 'form')).toEqual([]);

  await form.getByLabel('Password', { exact: true }).fill('abcd efgh ijkl mnop');
  await form.getByRole('button', { name: 'Save account' }).click();
  await page.getByRole('form', { name: 'Settings for Yahoo Mail' }).waitFor();
  const account = await saved();
  expect(account).toMatchObject({ auth: 'app-password', hasPassword: true, host: 'smtp.mail.yahoo.com' });
  expect(account?.oauth).toBeUndefined();
  expect(await page.content()).not.toContain('abcd efgh ijkl mnop');
});

test('Sign in with Microsoft: an outlook.com address hides the password; signing in saves first, then asks main', async () => {
  const page = await open();
  const form = await typeAddress(page, 'ann.example@outlook.com');
  const method = form.getByLabel('Sign-in method');
  await expect.poll(() => method.locator('option:checked').textContent()).toBe('Sign in with Microsoft');
  expect(await method.locator('option').allTextContents()).toEqual(['Sign in with Microsoft']);
  expect(await form.getByLabel('Password', { exact: true }).count()).toBe(0);
  await form.getByText('Not signed in yet.').waitFor();
  expect(await seriousViolations(page, 'form')).toEqual([]);

  // From the keyboard: the new account is saved, then the sign-in starts; this repository's build
  // has no Microsoft client ID, so main refuses it, and the editor says what an organisation can do.
  await form.getByRole('button', { name: 'Sign in with Microsoft…' }).focus();
  await page.keyboard.press('Enter');
  const editor = page.getByRole('form', { name: 'Settings for Outlook.com' });
  await editor.getByText(NOT_CONFIGURED).waitFor();
  await editor.getByText(NO_CLIENT_ID).waitFor();
  await editor.getByText(OWN_APP).waitFor();
  const account = await saved();
  expect(account).toMatchObject({ auth: 'oauth2', oauth: { provider: 'microsoft' }, hasPassword: false });
  await expect.poll(() => editor.getByRole('status').textContent()).toBe('Not signed in yet.');
  expect(await seriousViolations(page, 'form')).toEqual([]);

  // Pressed again on the saved account: the same answer, and no second account.
  await editor.getByRole('button', { name: 'Sign in with Microsoft…' }).click();
  await editor.getByText(NOT_CONFIGURED).waitFor();
  expect(await core.handlers['accounts:list'](undefined)).toHaveLength(1);

  // The organisation's own client ID, folded away under the advanced setting, is saved with the account.
  await editor.getByText("Your organisation's own app (advanced)", { exact: true }).click();
  await editor.getByLabel('Client ID').fill('00000000-1111-2222-3333-444444444444');
  expect(await seriousViolations(page, 'form')).toEqual([]);
  await editor.getByRole('button', { name: 'Save changes' }).click();
  await expect
    .poll(async () => (await saved())?.oauth)
    .toEqual({ provider: 'microsoft', clientId: '00000000-1111-2222-3333-444444444444' });
});

test('Custom OAuth2 (advanced) saves the issuer, client ID and scopes; No sign-in hides every field', async () => {
  const page = await open();
  const form = page.getByRole('form', { name: 'New account' });
  await form.getByLabel('Email address').fill('ann@example.org');
  await form.getByLabel('Provider').selectOption({ label: 'Custom' });
  await form.getByLabel('Account name').fill('Self-hosted');
  await form.getByLabel('Server', { exact: true }).fill('mail.example.org');
  const method = form.getByLabel('Sign-in method');
  expect(await method.locator('option').allTextContents()).toEqual([
    'Password',
    'App password',
    'OAuth2 (advanced)',
    'No sign-in',
  ]);

  await method.selectOption({ label: 'No sign-in' });
  expect(await form.getByLabel('Password', { exact: true }).count()).toBe(0);
  expect(await form.getByLabel('Username').count()).toBe(0);
  expect(await seriousViolations(page, 'form')).toEqual([]);

  await method.selectOption({ label: 'OAuth2 (advanced)' });
  expect(await form.getByLabel('Password', { exact: true }).count()).toBe(0);
  await form.getByLabel('Issuer URL').fill('https://id.example.org/realms/mail');
  await form.getByLabel('Client ID').fill('outbox-desktop');
  await form.getByLabel('Scopes').fill('openid email smtp.send');
  expect(await seriousViolations(page, 'form')).toEqual([]);
  await form.getByRole('button', { name: 'Save account' }).click();
  const editor = page.getByRole('form', { name: 'Settings for Self-hosted' });
  await editor.getByRole('button', { name: 'Sign in…' }).waitFor();
  expect((await saved())?.oauth).toEqual({
    provider: 'generic',
    issuer: 'https://id.example.org/realms/mail',
    clientId: 'outbox-desktop',
    scopes: ['openid', 'email', 'smtp.send'],
  });
  expect(await editor.getByLabel('Scopes').inputValue()).toBe('openid email smtp.send');
});

test('accounts that need attention offer what helps: sign in again, switch to Microsoft, or ask the admin', async () => {
  const expired = await createMicrosoftAccount('Expired');
  const basic = await core.handlers['accounts:create'](
    account({ label: 'Basic', fromAddress: 'bob@contoso.example' }),
  );
  const disabled = await core.handlers['accounts:create'](
    account({ label: 'Disabled', fromAddress: 'cy@contoso.example' }),
  );
  const later = new Date(Date.now() + 86_400_000).toISOString();
  const queued = await core.handlers['outbox:enqueue']({
    accountId: basic.id,
    to: ['dee@example.com'],
    cc: [],
    bcc: [],
    subject: 'Waiting for the switch',
    attachments: [],
    sendAt: later,
  });
  await restartWith({
    [expired.id]: {
      hasOAuthToken: true,
      signedInAs: 'ann@outlook.com',
      attention: { code: 'oauth_signin_required', message: 'The sign-in expired.' },
    },
    [basic.id]: {
      attention: {
        code: 'basic_auth_unsupported',
        message: '550 5.7.30 Basic authentication is not supported',
      },
    },
    [disabled.id]: {
      attention: { code: 'smtp_auth_disabled', message: '535 5.7.139 SmtpClientAuthentication is disabled' },
    },
  });
  const page = await open();

  // An OAuth2 account shows who signed in, in the list and in its editor.
  await page.getByRole('button', { name: /^Expired.*Signed in as ann@outlook\.com/ }).click();
  const alert = page.locator('.attention');
  await alert.getByText('This account needs you to sign in again.').waitFor();
  const expiredEditor = page.getByRole('form', { name: 'Settings for Expired' });
  await expect
    .poll(() => expiredEditor.getByRole('status').textContent())
    .toBe('Signed in as ann@outlook.com');
  expect(await seriousViolations(page, '.account-detail')).toEqual([]);
  await alert.getByRole('button', { name: 'Sign in again' }).click();
  await expiredEditor.getByText(NOT_CONFIGURED).waitFor();

  // Microsoft refused a password: one click makes it a Microsoft sign-in account, same id, mail kept.
  await page.getByRole('button', { name: /^Basic/ }).click();
  await alert.getByText('The server no longer accepts a password for this account.').waitFor();
  expect(await seriousViolations(page, '.account-detail')).toEqual([]);
  await alert.getByRole('button', { name: 'Switch to Sign in with Microsoft' }).click();
  const basicEditor = page.getByRole('form', { name: 'Settings for Basic' });
  await basicEditor.getByText(NOT_CONFIGURED).waitFor();
  expect(await basicEditor.getByLabel('Sign-in method').locator('option:checked').textContent()).toBe(
    'Sign in with Microsoft',
  );
  expect(await basicEditor.getByLabel('Password', { exact: true }).count()).toBe(0);
  expect(await saved(basic.id)).toMatchObject({ auth: 'oauth2', oauth: { provider: 'microsoft' } });
  const items = await core.handlers['outbox:list'](undefined);
  expect(items.map((item) => [item.id, item.accountId])).toEqual([[queued.id, basic.id]]);

  // The tenant turned SMTP AUTH off: no switch helps, so none is offered.
  await page.getByRole('button', { name: /^Disabled/ }).click();
  await alert.getByText(/An administrator of your organisation must turn on authenticated SMTP/).waitFor();
  expect(await alert.getByRole('button').count()).toBe(0);
  expect(await seriousViolations(page, '.account-detail')).toEqual([]);
});

test('editing a signed-in account where its token was given warns that it must sign in again', async () => {
  const signedIn = await createMicrosoftAccount('Signed');
  await restartWith({ [signedIn.id]: { hasOAuthToken: true, signedInAs: 'ann@outlook.com' } });
  const page = await open();
  const editor = page.getByRole('form', { name: 'Settings for Signed' });
  await expect.poll(() => editor.getByRole('status').textContent()).toBe('Signed in as ann@outlook.com');
  expect(await editor.getByText(/signs this account out/).count()).toBe(0);
  await editor.getByLabel('Server', { exact: true }).fill('smtp-mail.outlook.com');
  await editor.getByText(SIGNS_OUT).waitFor();
  expect(await seriousViolations(page, 'form')).toEqual([]);
});

test('changing where a signed-in OAuth2 account got its token (client ID, scopes) warns too', async () => {
  const generic = await core.handlers['accounts:create'](
    account({
      label: 'Generic',
      fromAddress: 'ann@example.org',
      host: 'mail.example.org',
      auth: 'oauth2',
      oauth: { provider: 'generic', issuer: 'https://id.example.org', clientId: 'outbox', scopes: ['smtp'] },
    }),
  );
  await restartWith({ [generic.id]: { hasOAuthToken: true, signedInAs: 'ann@example.org' } });
  const page = await open();
  const editor = page.getByRole('form', { name: 'Settings for Generic' });
  await expect.poll(() => editor.getByRole('status').textContent()).toBe('Signed in as ann@example.org');
  await editor.getByLabel('Scopes').fill('smtp offline_access');
  await editor.getByText(SIGNS_OUT).waitFor();
  await editor.getByLabel('Scopes').fill('smtp');
  await expect.poll(() => editor.getByText(SIGNS_OUT).count()).toBe(0);
  await editor.getByLabel('Client ID').fill('another-app');
  await editor.getByText(SIGNS_OUT).waitFor();
});
