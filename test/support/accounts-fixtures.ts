import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import type { AccountInputDraft } from '../../preload/contract/accounts.ts';
import {
  calls,
  type CallInput,
  type CallOutput,
  type EventName,
  type EventPayload,
} from '../../preload/contract/channels.ts';
import { createAccounts, type AccountsOptions } from '../../main/accounts/create-accounts.ts';
import { osKeychain } from '../../main/accounts/os-keychain.ts';
import type { AccountsHandlers } from '../../main/accounts/accounts-handlers.ts';
import type { QueuePort } from '../../main/core/ports.ts';
import { silentLogger } from '../../main/errors/logger.ts';

// One folder per test file (each runs in its own worker) for every store it makes.
const root = fs.mkdtempSync(path.join(tmpdir(), 'outbox-accounts-'));

/** Removes every store `tempSettings` made in this process; for `afterAll`. */
export function removeTempSettings(): void {
  fs.rmSync(root, { recursive: true, force: true });
}

export interface TempSettings {
  readonly store: Conf;
  readonly dir: string;
  readonly file: string;
}

/** The settings store in `dir`, in the file format electron-store uses. */
export function settingsIn(dir: string): TempSettings {
  const store = new Conf({ cwd: dir, projectName: 'outbox-test' });
  return { store, dir, file: store.path };
}

/** A settings store in a fresh directory. */
export function tempSettings(): TempSettings {
  return settingsIn(fs.mkdtempSync(path.join(root, 'store-')));
}

/** The outbox's side of deleting an account, kept in memory: pending counts in, calls out. */
export function recordingQueue(pending: Record<string, number> = {}) {
  const calls: string[] = [];
  const queue: QueuePort = {
    countPending: (accountId) => pending[accountId] ?? 0,
    moveToAccount(from, to) {
      calls.push(`move ${from} -> ${to}`);
      pending[to] = (pending[to] ?? 0) + (pending[from] ?? 0);
      pending[from] = 0;
      return Promise.resolve();
    },
    holdAll(accountId) {
      calls.push(`hold ${accountId}`);
      return Promise.resolve();
    },
  };
  return { queue, calls, pending };
}

export interface EmittedEvent {
  readonly event: EventName;
  readonly payload: unknown;
}

/** Accounts wired to a temp store, the real keychain and a recording queue. */
export function accountsHarness(
  options: Partial<AccountsOptions> & { pending?: Record<string, number>; settings?: TempSettings } = {},
) {
  const settings = options.settings ?? tempSettings();
  const queue = recordingQueue(options.pending);
  const events: EmittedEvent[] = [];
  const accounts = createAccounts({
    store: settings.store,
    keychain: osKeychain,
    queue: () => queue.queue,
    emit: <E extends EventName>(event: E, payload: EventPayload<E>) => {
      events.push({ event, payload });
    },
    log: silentLogger,
    ...options,
  });
  const call = callThrough(accounts.handlers);
  return { ...accounts, settings, queue, events, call };
}

/**
 * Calls a handler the way the router does: the input parsed with the contract's schema, and the
 * output checked against the contract's response schema, so tests see exactly what the bridge would.
 */
export function callThrough(handlers: AccountsHandlers) {
  return async <C extends keyof AccountsHandlers>(name: C, input: CallInput<C>): Promise<CallOutput<C>> => {
    const parsed: unknown = calls[name].input.parse(input);
    const handler = handlers[name] as (input: unknown) => unknown;
    return calls[name].output.parse(await handler(parsed)) as CallOutput<C>;
  };
}

export function accountDraft(overrides: Partial<AccountInputDraft> = {}): AccountInputDraft {
  return {
    label: 'Work',
    displayName: 'Ada Lovelace',
    fromAddress: 'ada@example.com',
    host: 'smtp.example.com',
    port: 587,
    security: 'starttls',
    username: 'ada@example.com',
    ...overrides,
  };
}

/** Fails loudly (never skips) when the tests run without a Secret Service to talk to. */
export async function requireSecretService(): Promise<void> {
  try {
    await osKeychain.setPassword('Outbox-test-probe', 'probe', 'probe');
    await osKeychain.deletePassword('Outbox-test-probe', 'probe');
  } catch (error) {
    throw new Error(
      'These tests use the real Secret Service. Run them inside a keyring session: ' +
        'bash test/run-with-services.sh npx vitest run --project integration',
      { cause: error },
    );
  }
}
