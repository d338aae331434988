// What a person does in the renderer, as Playwright steps shared by the e2e specs.
import { createHash } from 'node:crypto';
import type { Page } from 'playwright-core';
import { simpleParser } from 'mailparser';
import type { Account, AccountInput } from '../../preload/contract/accounts.ts';
import type { ReceivedMessage } from './smtp-test-server.ts';

export interface AccountFields {
  readonly address: string;
  readonly name: string;
  readonly label: string;
  readonly port: number;
  readonly security: 'tls' | 'starttls' | 'none';
  readonly username: string;
  readonly password: string;
}

export async function navigate(page: Page, screen: string): Promise<void> {
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('button', { name: new RegExp(`^${screen}`) })
    .first()
    .click();
}

/** Fills in a new account on the Accounts screen and saves it; the password goes to the keychain. */
export async function addAccount(page: Page, account: AccountFields): Promise<void> {
  await navigate(page, 'Accounts');
  const form = page.getByRole('form', { name: 'New account' });
  if (!(await form.isVisible())) await page.getByRole('button', { name: 'Add account' }).click();
  await form.getByLabel('Email address').fill(account.address);
  await form.getByLabel('Your name').fill(account.name);
  await form.getByLabel('Account name').fill(account.label);
  await form.getByLabel('Server', { exact: true }).fill('127.0.0.1');
  // Security first: choosing it moves a standard port (465/587) along with it.
  await form.getByLabel('Security').selectOption(account.security);
  await form.getByLabel('Port', { exact: true }).fill(String(account.port));
  if (account.security === 'none') {
    await form.getByRole('checkbox', { name: /send through this account without encryption/ }).check();
  }
  await form.getByLabel('Username').fill(account.username);
  await form.getByLabel('Password', { exact: true }).fill(account.password);
  await form.getByRole('button', { name: 'Save account' }).click();
  await page.getByRole('form', { name: `Settings for ${account.label}` }).waitFor();
}

/** The page's DOM, as far as a drop needs it (this file is compiled with Node's types, not the DOM's). */
interface DropWindow {
  DataTransfer: new () => { items: { add(file: File): void } };
  DragEvent: new (type: string, init: object) => object;
  document: { body: { dispatchEvent(event: object): boolean } };
}

/** Drops files onto the window as the OS would: a real drop event whose DataTransfer holds File objects. */
export async function dropFiles(page: Page, names: readonly string[]): Promise<void> {
  await page.evaluate((fileNames) => {
    const { DataTransfer, DragEvent, document } = globalThis as unknown as DropWindow;
    const transfer = new DataTransfer();
    for (const name of fileNames) transfer.items.add(new File(['dropped'], name));
    const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
    for (const type of ['dragenter', 'dragover', 'drop'])
      document.body.dispatchEvent(new DragEvent(type, init));
  }, names);
}

export interface Draft {
  readonly to: readonly string[];
  readonly subject: string;
  readonly body: string;
}

/** Types a message in compose: recipients as one comma-separated line, subject, rich-text body. */
export async function writeMessage(page: Page, draft: Draft): Promise<void> {
  await navigate(page, 'New message');
  const to = page.getByRole('combobox', { name: 'To', exact: true });
  await to.fill(draft.to.join(', '));
  await to.press('Enter');
  await page.getByLabel('Subject').fill(draft.subject);
  const body = page.getByRole('textbox', { name: 'Message' });
  await body.click();
  await page.keyboard.type(draft.body);
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The received message's subject, text and attachments, as a mail client would read them. */
export async function parseReceived(message: ReceivedMessage) {
  const parsed = await simpleParser(message.raw);
  return {
    subject: parsed.subject,
    text: parsed.text ?? '',
    html: typeof parsed.html === 'string' ? parsed.html : '',
    attachments: parsed.attachments.map((a) => ({ name: a.filename, sha256: sha256(a.content) })),
  };
}

/** Polls until `check` returns something, for what the server sees (the page has its own waits). */
export async function eventually<T>(
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('Timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The parts of the core a spec calls directly to set the scene before the page opens. */
interface CoreHandlers {
  readonly handlers: {
    'accounts:create': (input: AccountInput) => Promise<Account> | Account;
  };
}

/** An account on an unencrypted loopback server without login, made directly in the core. */
export async function createPlainAccount(core: CoreHandlers, port: number, label = 'Work'): Promise<Account> {
  return core.handlers['accounts:create']({
    label,
    displayName: 'Ann Example',
    fromAddress: `${label.toLowerCase()}@example.org`,
    host: '127.0.0.1',
    port,
    security: 'none',
    allowPlaintext: true,
    auth: 'none',
    username: '',
    signatureText: '',
    signatureHtml: '',
    color: '#0f766e',
    aliases: [],
  });
}
