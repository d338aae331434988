/**
 * The user at their real browser (Debian's Chromium through playwright-core; never a downloaded
 * one), on the pages of test/support/oauth-provider.ts. Each method plays `openBrowser`:
 *
 *   const user = browserUser('ada@example.test');
 *   await signIn.run(account, { openBrowser: user.open });   // logs in, consents
 *   await signIn.run(account, { openBrowser: user.deny });   // cancels: error=access_denied
 *   await closeBrowserUser();                                // in afterAll
 *
 * Each resolves once the provider has redirected the browser back to Outbox's loopback listener.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS } from './chromium-args.ts';

const STEP_TIMEOUT_MS = 60_000;

export interface BrowserUser {
  /** Signs in as the user on the provider's page, consents, and follows the redirect. */
  readonly open: (url: string) => Promise<void>;
  /** Cancels on the provider's page, so the redirect carries `error=access_denied`. */
  readonly deny: (url: string) => Promise<void>;
  /**
   * Signs in and consents like `open`, but stops the browser at the redirect and returns its URL
   * undelivered: the test then tampers with it, or delivers it itself (`fetch`) when it chooses.
   */
  readonly capture: (url: string) => Promise<string>;
}

let browser: Promise<Browser> | undefined;

function launch(): Promise<Browser> {
  browser ??= chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  return browser;
}

export async function closeBrowserUser(): Promise<void> {
  const running = browser;
  browser = undefined;
  if (running) await (await running).close();
}

export function browserUser(email: string, password = 'any password'): BrowserUser {
  const consent = async (page: Page): Promise<void> => {
    await page.locator('input[name="login"]').fill(email);
    await page.locator('input[name="password"]').fill(password);
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
  };
  const cancel = async (page: Page): Promise<void> => {
    await page.getByRole('link', { name: /Cancel/ }).click();
  };
  return {
    open: async (url) => {
      await inPage(url, consent, false);
    },
    deny: async (url) => {
      await inPage(url, cancel, false);
    },
    capture: (url) => inPage(url, consent, true),
  };
}

/**
 * Opens the URL in a fresh profile and does the user's part; then waits for Outbox's loopback page,
 * or with `hold`, answers the redirect itself and returns its URL.
 */
async function inPage(url: string, act: (page: Page) => Promise<void>, hold: boolean): Promise<string> {
  const redirectUri = new URL(url).searchParams.get('redirect_uri') ?? '';
  const context = await (await launch()).newContext();
  try {
    // The provider's dev pages import a web font; this machine has no Internet.
    await context.route(/^https?:\/\/(?!127\.0\.0\.1[:/])/, (route) => route.abort());
    let held: ((url: string) => void) | undefined;
    const redirected = new Promise<string>((resolve) => (held = resolve));
    if (hold) {
      // Playwright routes only a navigation's first request, not the redirects it follows, so the
      // provider's redirects are followed here (with the context's cookies) up to Outbox's.
      const provider = new URL(url).origin;
      await context.route(
        (target) => target.origin === provider,
        async (route) => {
          let response = await route.fetch({ maxRedirects: 0 });
          for (let hop = 0; hop < 10; hop++) {
            const location = response.headers()['location'];
            if (location === undefined) break;
            const next = new URL(location, response.url()).href;
            if (next.startsWith(redirectUri)) {
              held?.(next);
              await route.fulfill({ status: 204 });
              return;
            }
            response = await context.request.get(next, { maxRedirects: 0 });
          }
          await route.fulfill({ response });
        },
      );
    }
    const page = await context.newPage();
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    await page.goto(url);
    await act(page);
    if (hold) return await redirected;
    await page.getByText('You can close this tab').waitFor();
    return page.url();
  } finally {
    await context.close();
  }
}
