import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'vitest';
import { seriousViolations } from '../support/axe-check.ts';
import { startTestCore, type TestCore } from '../support/core-fixture.ts';
import { startDnsTestServer, type DnsTestServer } from '../support/dns-test-server.ts';
import {
  closeBrowser,
  openRenderer,
  type HarnessCore,
  type RendererHarness,
} from '../support/renderer-harness.ts';
import { navigate } from '../support/renderer-steps.ts';

let dns: DnsTestServer;
let core: TestCore;
let app: RendererHarness;

beforeAll(async () => {
  dns = await startDnsTestServer();
  // A custom domain whose mail Google Workspace handles, and one whose own server no table knows.
  dns.mx.set('lovelace-labs.example', ['aspmx.l.google.com.', 'alt1.aspmx.l.google.com.']);
  dns.mx.set('own-server.example', ['mail.own-server.example.']);
  core = await startTestCore({ dnsServers: [dns.server] });
});

beforeEach(async () => {
  app = await openRenderer({ core });
});

afterEach(async () => {
  await app.close();
});

afterAll(async () => {
  await closeBrowser();
  await core.close();
  await dns.close();
});

async function newAccountForm(page: Page): Promise<Locator> {
  await navigate(page, 'Accounts');
  return page.getByRole('form', { name: 'New account' });
}

const server = (form: Locator) => form.getByLabel('Server', { exact: true });
const port = (form: Locator) => form.getByLabel('Port', { exact: true });
const security = (form: Locator) => form.getByLabel('Security');
const method = (form: Locator) => form.getByLabel('Sign-in method').locator('option:checked');
const notice = (form: Locator) =>
  form.getByRole('group', { name: 'Check the server found for this address' });

/** Types an address and leaves the field, which looks it up at once. */
async function typeAddress(form: Locator, address: string): Promise<void> {
  await form.getByLabel('Email address').fill(address);
  await form.getByLabel('Your name').focus();
}

const isFocused = (locator: Locator) => locator.evaluate((element) => element === document.activeElement);

test('typing a Gmail address fills the server in once typing pauses, and says it came from the provider table', async () => {
  const form = await newAccountForm(app.page);
  // No blur: the pause after typing is enough.
  await form.getByLabel('Email address').pressSequentially('someone@gmail.com');
  await form.getByText("Settings from Outbox's provider table: Gmail / Google Workspace.").waitFor();
  expect(await server(form).inputValue()).toBe('smtp.gmail.com');
  expect(await port(form).inputValue()).toBe('465');
  expect(await security(form).inputValue()).toBe('tls');
  expect(await form.getByLabel('Account name').inputValue()).toBe('Gmail / Google Workspace');
  expect(await method(form).textContent()).toBe('Sign in with Google');

  // Nothing typed by hand yet: another address's lookup fills the fields again.
  await typeAddress(form, 'someone@yahoo.com');
  await form
    .getByText(/^Settings from Outbox's provider table: Yahoo Mail\. Needs an app password/)
    .waitFor();
  expect(await server(form).inputValue()).toBe('smtp.mail.yahoo.com');
  expect(await form.getByLabel('Username').inputValue()).toBe('someone@yahoo.com');
  expect(await method(form).textContent()).toBe('App password');
});

test('a custom domain found through its MX is shown for confirmation, and filled in only on "Use these settings"', async () => {
  const { page } = app;
  const form = await newAccountForm(page);
  await typeAddress(form, 'ada@lovelace-labs.example');
  await notice(form)
    .getByText(
      'Found through the MX record of lovelace-labs.example (aspmx.l.google.com): smtp.gmail.com (port 465, TLS).',
    )
    .waitFor();
  await notice(form)
    .getByText(
      "This server is outside lovelace-labs.example. Use it only if you expect lovelace-labs.example's mail to go through Gmail / Google Workspace — any password you enter goes to it.",
    )
    .waitFor();
  await form.getByText('Found a server outside lovelace-labs.example: check it below.').waitFor();
  // Nothing filled while the question is open.
  expect(await server(form).inputValue()).toBe('');
  expect(await form.getByLabel('Username').inputValue()).toBe('');
  expect(await seriousViolations(page, 'form')).toEqual([]);

  // From the keyboard: the focus goes on to the server settings just filled in.
  await notice(form).getByRole('button', { name: 'Use these settings' }).focus();
  await page.keyboard.press('Enter');
  await expect.poll(() => server(form).inputValue()).toBe('smtp.gmail.com');
  expect(await port(form).inputValue()).toBe('465');
  expect(await form.getByLabel('Username').inputValue()).toBe('ada@lovelace-labs.example');
  expect(await notice(form).count()).toBe(0);
  expect(await isFocused(server(form))).toBe(true);
  await form
    .getByText(
      'Settings found through the MX record of lovelace-labs.example (aspmx.l.google.com): Gmail / Google Workspace.',
      { exact: false },
    )
    .waitFor();
});

test('"Enter by hand" leaves the fields empty and the focus on the server field', async () => {
  const { page } = app;
  const form = await newAccountForm(page);
  await typeAddress(form, 'ada@lovelace-labs.example');
  await notice(form).getByRole('button', { name: 'Enter by hand' }).click();
  await expect.poll(() => notice(form).count()).toBe(0);
  expect(await server(form).inputValue()).toBe('');
  expect(await port(form).inputValue()).toBe('587');
  expect(await form.getByLabel('Username').inputValue()).toBe('');
  expect(await isFocused(server(form))).toBe(true);
});

test('an unknown domain says to enter the settings by hand, and touches nothing', async () => {
  const form = await newAccountForm(app.page);
  await typeAddress(form, 'ada@own-server.example');
  // Every source may take its whole time-out (DNS, HTTPS, probing) before it gives up.
  await form
    .getByText('Could not find the settings for own-server.example; enter them by hand.')
    .waitFor({ timeout: 60_000 });
  expect(await server(form).inputValue()).toBe('');
  expect(await port(form).inputValue()).toBe('587');
  expect(await security(form).inputValue()).toBe('starttls');
});

test('a server typed by hand is not overwritten by a later lookup, which only says what it found', async () => {
  const form = await newAccountForm(app.page);
  await typeAddress(form, 'ann@gmail.com');
  await expect.poll(() => server(form).inputValue()).toBe('smtp.gmail.com');

  await server(form).fill('smtp.example.net');
  await typeAddress(form, 'ann@yahoo.com');
  await form
    .getByText(
      "Settings from Outbox's provider table: Yahoo Mail (smtp.mail.yahoo.com (port 465, TLS)); the server settings you typed are kept.",
    )
    .waitFor();
  expect(await server(form).inputValue()).toBe('smtp.example.net');
  expect(await form.getByLabel('Username').inputValue()).toBe('ann@gmail.com');
});

/**
 * The real core, with each lookup's answer held back until the test lets it go, so that answers can
 * reach the page out of the order they were asked in.
 */
function withHeldLookups(): { core: HarnessCore; release: (address: string) => Promise<void> } {
  const gates = new Map<string, { open: () => void; answered: Promise<unknown> }>();
  const handlers = {
    ...core.handlers,
    'accounts:discover': (input: { address: string }) => {
      let open = () => {};
      const opened = new Promise<void>((resolve) => (open = resolve));
      const answered = opened.then(() => core.handlers['accounts:discover'](input));
      gates.set(input.address, { open, answered });
      return answered;
    },
  };
  return {
    core: {
      handlers,
      setEventSink: (sink) => {
        core.setEventSink(sink);
      },
    },
    release: async (address) => {
      await expect.poll(() => gates.has(address)).toBe(true);
      const gate = gates.get(address);
      gate?.open();
      await gate?.answered;
      // A round trip to the page after the answer was sent: the next one is sent after it.
      await app.page.evaluate(() => undefined);
    },
  };
}

test('an answer for an address no longer typed is ignored, even when it arrives before the newer one', async () => {
  await app.close();
  const held = withHeldLookups();
  app = await openRenderer({ core: held.core });
  const form = await newAccountForm(app.page);
  await typeAddress(form, 'ann@yahoo.com');
  await typeAddress(form, 'ann@gmail.com');
  const status = form.getByText('Looking up settings for gmail.com…');
  await status.waitFor();
  expect(await status.getAttribute('aria-live')).toBe('polite');
  // The stale answer reaches the page first: had it been used, the empty account name would be Yahoo's.
  await held.release('ann@yahoo.com');
  await held.release('ann@gmail.com');
  await expect.poll(() => server(form).inputValue()).toBe('smtp.gmail.com');
  expect(await form.getByLabel('Account name').inputValue()).toBe('Gmail / Google Workspace');
  expect(await form.getByLabel('Username').inputValue()).toBe('ann@gmail.com');
  await form
    .getByText("Settings from Outbox's provider table: Gmail / Google Workspace.", { exact: false })
    .waitFor();
});

test('Settings: the online ISP database lookup is off by default, explained, and saved by main', async () => {
  const { page } = app;
  await navigate(page, 'Settings');
  const toggle = page.getByRole('checkbox', {
    name: "Look up unknown domains in Thunderbird's online ISP database",
  });
  await expect.poll(() => toggle.isChecked()).toBe(false);
  await page
    .getByText('This tells autoconfig.thunderbird.net which domain you are setting up an account for.')
    .waitFor();
  expect(await toggle.getAttribute('aria-describedby')).toBe('setting-liveIspdbLookup-hint');
  expect(await seriousViolations(page, 'form')).toEqual([]);

  await toggle.check();
  await expect.poll(async () => (await core.handlers['settings:get'](undefined)).liveIspdbLookup).toBe(true);
  await page.reload();
  await navigate(page, 'Settings');
  await expect.poll(() => toggle.isChecked()).toBe(true);
  await toggle.uncheck();
  await expect.poll(async () => (await core.handlers['settings:get'](undefined)).liveIspdbLookup).toBe(false);
});
