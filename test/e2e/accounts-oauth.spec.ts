/**
 * The OAuth2 sign-in in the window, end to end: the renderer in Chromium through the real handlers
 * and main/oauth, a real authorization server (oidc-provider), the user at a real browser
 * (browser-user.ts), and an SMTP server that takes only the access tokens that provider issued.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import type { Account } from '../../preload/contract/accounts.ts';
import { seriousViolations } from '../support/axe-check.ts';
import { browserUser, closeBrowserUser } from '../support/browser-user.ts';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { startOAuthProvider, type TestOAuthProvider } from '../support/oauth-provider.ts';
import { closeBrowser, openRenderer, type RendererHarness } from '../support/renderer-harness.ts';
import { eventually, navigate, writeMessage } from '../support/renderer-steps.ts';
import { startTestServer, type TestServer } from '../support/smtp-test-server.ts';

const EMAIL = 'ada@example.test';
const LABEL = 'Self-hosted';

let provider: TestOAuthProvider;
let server: TestServer;
let core: TestCore;
let app: RendererHarness;
/** Every token the SMTP server was shown, with whether the provider vouched for it then. */
let tokensSeen: { token: string; valid: boolean }[];

beforeAll(async () => {
  provider = await startOAuthProvider();
});

afterAll(async () => {
  await closeBrowserUser();
  await closeBrowser();
  await provider.close();
});

beforeEach(async () => {
  tokensSeen = [];
  server = await startTestServer({
    acceptToken: async (user, token) => {
      const valid = (await provider.validAccessToken(token)) === user;
      tokensSeen.push({ token, valid });
      return valid;
    },
  });
  core = await startTestCore({ settings: { undoSeconds: 0 } });
  app = await openRenderer({ core });
});

afterEach(async () => {
  await app.close();
  await core.close();
  await server.close();
});

async function saved(): Promise<Account | undefined> {
  return (await core.handlers['accounts:list'](undefined))[0];
}

/** The next URL main opens in "the browser", which does nothing with it until the test says. */
function nextBrowserUrl(): Promise<string> {
  return new Promise((resolve) => {
    core.browser = (url) => {
      resolve(url);
      return Promise.resolve();
    };
  });
}

/** Fills in a new account at the test's server, signing in with the test provider (OAuth2 advanced). */
async function fillOAuthAccount(page: Page): Promise<Locator> {
  await navigate(page, 'Accounts');
  const form = page.getByRole('form', { name: 'New account' });
  await form.getByLabel('Email address').fill(EMAIL);
  await form.getByLabel('Provider').selectOption({ label: 'Custom' });
  await form.getByLabel('Your name').fill('Ada Example');
  await form.getByLabel('Account name').fill(LABEL);
  await form.getByLabel('Server', { exact: true }).fill('127.0.0.1');
  await form.getByLabel('Security').selectOption('none');
  await form.getByLabel('Port', { exact: true }).fill(String(server.port));
  await form.getByRole('checkbox', { name: /send through this account without encryption/ }).check();
  await form.getByLabel('Sign-in method').selectOption({ label: 'OAuth2 (advanced)' });
  await form.getByLabel('Issuer URL').fill(provider.issuer);
  await form.getByLabel('Client ID').fill(provider.clientId);
  await form.getByLabel('Scopes').fill(`openid email offline_access ${provider.smtpScope}`);
  await form.getByLabel('Username').fill(EMAIL);
  return form;
}

/** The editor of the saved account, once "Sign in…" has saved it and the browser is waiting. */
async function waitingEditor(page: Page): Promise<Locator> {
  const editor = page.getByRole('form', { name: `Settings for ${LABEL}` });
  await expect
    .poll(() => editor.getByRole('status').textContent())
    .toBe('Finish signing in in your browser…');
  const cancel = editor.getByRole('button', { name: 'Cancel sign-in' });
  await expect.poll(() => isFocused(cancel)).toBe(true);
  return editor;
}

function attentionNotices(): { title: string; body: string }[] {
  return core.notifications.filter((notice) => notice.title === 'An account needs attention');
}

/**
 * Fills in the account and presses "Sign in…" (which saves it first); resolves with the URL main
 * opened in the browser and the saved account's editor in its waiting state.
 */
async function startSigningIn(page: Page): Promise<{ url: string; editor: Locator }> {
  const form = await fillOAuthAccount(page);
  const opened = nextBrowserUrl();
  await form.getByRole('button', { name: 'Sign in…' }).click();
  const url = await opened;
  return { url, editor: await waitingEditor(page) };
}

function isFocused(target: Locator): Promise<boolean> {
  return target.evaluate((element) => element === element.ownerDocument.activeElement);
}

/** Writes a message in the window and sends it from the one account. */
async function send(page: Page, subject: string): Promise<void> {
  await writeMessage(page, { to: ['bob@example.com'], subject, body: 'Sent with a token.' });
  await page.getByRole('textbox', { name: 'Message' }).press('Control+Enter');
}

test('signs in through the browser, shows who signed in, and the window sends with the provider token', async () => {
  const { page } = app;
  const { url, editor } = await startSigningIn(page);
  expect(await seriousViolations(page, '.account-detail')).toEqual([]);

  await browserUser(EMAIL).open(url);
  await expect.poll(() => editor.getByRole('status').textContent()).toBe(`Signed in as ${EMAIL}`);
  expect(await saved()).toMatchObject({ hasOAuthToken: true, signedInAs: EMAIL });
  await page.getByRole('button', { name: new RegExp(`^${LABEL}.*Signed in as ${EMAIL}`) }).waitFor();
  expect(await seriousViolations(page, '.account-detail')).toEqual([]);

  await send(page, 'First over XOAUTH2');
  const received = await eventually(() => server.messages[0]);
  expect(received.from).toBe(EMAIL);
  expect(server.authAttempts).toEqual([{ user: EMAIL, ok: true }]);
  expect(tokensSeen.map((seen) => seen.valid)).toEqual([true]);
  // No token reaches the window, its DOM or the accounts list.
  const listed = JSON.stringify(await core.handlers['accounts:list'](undefined));
  for (const { token } of tokensSeen) {
    expect(await page.content()).not.toContain(token);
    expect(listed).not.toContain(token);
  }
});

test('Cancel while the browser is open stops the sign-in and leaves the account signed out', async () => {
  const { page } = app;
  const codesBefore = provider.tokenRequests['authorization_code'] ?? 0;
  const { editor } = await startSigningIn(page);

  await page.keyboard.press('Enter');
  await expect.poll(() => editor.getByRole('status').textContent()).toBe('Sign-in was cancelled');
  // Focus is not lost with the Cancel button: it goes back to the button that starts again.
  const again = editor.getByRole('button', { name: 'Sign in…' });
  await expect.poll(() => isFocused(again)).toBe(true);
  expect(await saved()).toMatchObject({ auth: 'oauth2', hasOAuthToken: false });
  expect((await saved())?.signedInAs).toBeUndefined();
  expect(provider.tokenRequests['authorization_code'] ?? 0).toBe(codesBefore);
});

test('a sign-in waiting in the browser is still shown, with its Cancel, after a look at another screen', async () => {
  const { page } = app;
  const { url } = await startSigningIn(page);

  await navigate(page, 'Outbox');
  await navigate(page, 'Accounts');
  const editor = await waitingEditor(page);
  await browserUser(EMAIL).open(url);
  await expect.poll(() => editor.getByRole('status').textContent()).toBe(`Signed in as ${EMAIL}`);
  expect(await saved()).toMatchObject({ hasOAuthToken: true, signedInAs: EMAIL });
});

test('denying consent on the provider page is "Sign-in was cancelled", and nothing changes', async () => {
  const { page } = app;
  const form = await fillOAuthAccount(page);
  const denied = new Promise<void>((resolve, reject) => {
    core.browser = (url) => browserUser(EMAIL).deny(url).then(resolve, reject);
  });
  await form.getByRole('button', { name: 'Sign in…' }).click();
  await denied;
  const editor = page.getByRole('form', { name: `Settings for ${LABEL}` });
  await expect.poll(() => editor.getByRole('status').textContent()).toBe('Sign-in was cancelled');
  expect(await editor.getByRole('alert').count()).toBe(0);
  expect(await saved()).toMatchObject({ hasOAuthToken: false });
});

test('a revoked sign-in holds the mail and asks to sign in again; signing in sends it', async () => {
  const { page } = app;
  const form = await fillOAuthAccount(page);
  const codesBefore = provider.tokenRequests['authorization_code'] ?? 0;
  core.browser = (url) => browserUser(EMAIL).open(url);
  await form.getByRole('button', { name: 'Sign in…' }).click();
  const editor = page.getByRole('form', { name: `Settings for ${LABEL}` });
  await expect.poll(() => editor.getByRole('status').textContent()).toBe(`Signed in as ${EMAIL}`);

  // The user revoked Outbox at the provider: the refresh token and its access tokens are void.
  await provider.revokeAccount(EMAIL);
  await send(page, 'Held until signed in');
  await eventually(async () =>
    (await saved())?.attention?.code === 'oauth_signin_required' ? true : undefined,
  );
  const list = page.getByRole('listbox', { name: 'Messages in the outbox' });
  await list.getByRole('option', { name: /Held until signed in/ }).waitFor();
  // Held for the person, not failed and not retried in a loop; one notice says so.
  const [held] = await core.handlers['outbox:list'](undefined);
  expect(held?.state).toBe('needs_attention');
  expect(server.messages).toEqual([]);
  await eventually(() => (attentionNotices().length > 0 ? true : undefined));

  await navigate(page, 'Accounts');
  const alert = page.locator('.attention');
  await alert.getByText('This account needs you to sign in again.').waitFor();
  await page.getByRole('button', { name: new RegExp(`^${LABEL}.*Needs attention`) }).waitFor();
  expect(await seriousViolations(page, '.account-detail')).toEqual([]);

  await alert.getByRole('button', { name: 'Sign in again' }).click();
  const received = await eventually(() => server.messages[0], 60_000);
  expect(received.from).toBe(EMAIL);
  await alert.waitFor({ state: 'detached' });
  await eventually(async () =>
    (await core.handlers['outbox:list'](undefined)).length === 0 ? true : undefined,
  );
  expect(server.messages).toHaveLength(1);
  expect(attentionNotices()).toHaveLength(1);
  expect(await saved()).toMatchObject({ hasOAuthToken: true, signedInAs: EMAIL });
  expect((await saved())?.attention).toBeUndefined();
  expect(provider.tokenRequests['authorization_code']).toBe(codesBefore + 2);
});
