import { z } from 'zod';
import { account, accountInput, type Account, type AccountInput } from '../../preload/contract/accounts.ts';
import type { SettingsStore } from '../core/ports.ts';
import { AppError } from '../errors/app-error.ts';
import { assertAddress } from '../mail/address.ts';
import { assertHost, assertPort } from './account-validation.ts';
import { assertAliases } from './aliases.ts';

/** The settings-store key that holds every account, as one versioned document. */
export const ACCOUNTS_KEY = 'accounts';
export const ACCOUNTS_VERSION = 1;

/**
 * An account as saved. `isDefault` is derived from the document's `defaultId`, so exactly one
 * account is the default. The pinned certificate's PEM sits beside its fingerprint: a certificate
 * is public, and the TLS layer needs it as the only trusted CA.
 */
const storedAccount = account.omit({ isDefault: true }).extend({
  pinnedCertPem: z.string().max(50_000).optional(),
});
export type StoredAccount = z.infer<typeof storedAccount>;

const accountsDocument = z.object({
  version: z.literal(ACCOUNTS_VERSION),
  defaultId: z.string().optional(),
  accounts: z.array(storedAccount),
});
type AccountsDocument = z.infer<typeof accountsDocument>;

/** Turns a document of version N into version N + 1. */
export type Migration = (document: Record<string, unknown>) => Record<string, unknown>;

/** Keyed by the version each migration upgrades from. Version 1 is the first format. */
const MIGRATIONS: Readonly<Record<number, Migration>> = {};

/**
 * Brings a stored document up to `target`. A document newer than this build knows (written by a
 * later version of Outbox) is refused rather than rewritten, so a downgrade never loses data.
 */
export function migrate(
  raw: unknown,
  migrations: Readonly<Record<number, Migration>>,
  target: number,
): Record<string, unknown> {
  if (raw === undefined) return { version: target, accounts: [] };
  if (typeof raw !== 'object' || raw === null) {
    throw new AppError('storage_failed', 'The saved accounts are damaged and could not be read.');
  }
  let document = raw as Record<string, unknown>;
  let version = typeof document.version === 'number' ? document.version : 0;
  if (version > target) {
    throw new AppError(
      'storage_failed',
      'The saved accounts were written by a newer version of Outbox. Update Outbox to use them.',
    );
  }
  while (version < target) {
    const step = migrations[version];
    if (!step) {
      throw new AppError('storage_failed', `The saved accounts (format ${version}) cannot be upgraded.`);
    }
    document = { ...step(document), version: version + 1 };
    version += 1;
  }
  return document;
}

/** A partial edit as the bridge sends it: a key present with `undefined` clears an optional field. */
export type AccountPatch = Partial<AccountInput>;

/** Fields only main changes (never the renderer directly). */
export type InternalFields = Partial<
  Pick<
    StoredAccount,
    | 'hasPassword'
    | 'hasDkimKey'
    | 'paused'
    | 'attention'
    | 'serverSizeLimit'
    | 'pinnedCertSha256'
    | 'pinnedCertPem'
  >
>;

function labelKey(label: string): string {
  return label.trim().toLocaleLowerCase();
}

/** Checks what the schema cannot: syntax of host and addresses, port range, uniqueness, consent. */
function assertValid(candidate: AccountInput, others: readonly StoredAccount[]): void {
  if (others.some((other) => labelKey(other.label) === labelKey(candidate.label))) {
    throw new AppError('duplicate_label', `Another account is already called "${candidate.label}".`, {
      field: 'label',
    });
  }
  assertHost(candidate.host);
  assertPort(candidate.port);
  assertAddress(candidate.fromAddress, 'fromAddress');
  if (candidate.replyTo !== undefined) assertAddress(candidate.replyTo, 'replyTo');
  assertAliases(candidate);
  if (candidate.security === 'none' && !candidate.allowPlaintext) {
    throw new AppError(
      'plaintext_not_confirmed',
      'Sending without encryption exposes the password and every message. Confirm it for this account to continue.',
      { field: 'allowPlaintext' },
    );
  }
  if (candidate.dkim) {
    assertHost(candidate.dkim.domain, 'dkim.domain');
    // RFC 6376 §3.1: the selector is one or more DNS labels.
    if (!/^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$/i.test(candidate.dkim.selector)) {
      throw new AppError('invalid_input', `"${candidate.dkim.selector}" is not a valid DKIM selector.`, {
        field: 'dkim.selector',
      });
    }
  }
}

function applyPatch<T extends object>(base: T, patch: Partial<NoInfer<T>>): T {
  const merged = Object.entries({ ...base, ...patch }).filter(([, value]) => value !== undefined);
  return Object.fromEntries(merged) as T;
}

const INPUT_KEYS = new Set<string>(accountInput.keyof().options);

/** Splits a saved account into what a person edits and what main keeps about it. */
function split(stored: StoredAccount): { input: AccountInput; rest: Record<string, unknown> } {
  const input: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) {
    if (INPUT_KEYS.has(key)) input[key] = value;
    else rest[key] = value;
  }
  return { input: input as AccountInput, rest };
}

/**
 * Accounts in the settings store. Every change is validated in full before anything is written,
 * so a refused change leaves the saved account exactly as it was.
 */
export class AccountStore {
  readonly #store: SettingsStore;
  #document: AccountsDocument | undefined;

  constructor(store: SettingsStore) {
    this.#store = store;
  }

  #load(): AccountsDocument {
    if (this.#document) return this.#document;
    const migrated = migrate(this.#store.get(ACCOUNTS_KEY), MIGRATIONS, ACCOUNTS_VERSION);
    const parsed = accountsDocument.safeParse(migrated);
    if (!parsed.success) {
      throw new AppError('storage_failed', 'The saved accounts are damaged and could not be read.', {
        cause: parsed.error,
      });
    }
    this.#document = parsed.data;
    return parsed.data;
  }

  /**
   * Every change starts from the file as it is now, not from what this process read earlier:
   * another process (the app, the command line) may have changed it meanwhile, and writing back an
   * old copy would undo that, down to dropping a whole account.
   */
  #current(): AccountsDocument {
    this.#document = undefined;
    return this.#load();
  }

  #save(document: AccountsDocument): void {
    try {
      this.#store.set(ACCOUNTS_KEY, document);
    } catch (error) {
      throw new AppError('storage_failed', 'The accounts could not be saved.', { cause: error });
    }
    this.#document = document;
  }

  #toAccount(stored: StoredAccount, defaultId: string | undefined): Account {
    const view: Account & { pinnedCertPem?: string } = { ...stored, isDefault: stored.id === defaultId };
    delete view.pinnedCertPem;
    return view;
  }

  list(): Account[] {
    const { accounts, defaultId } = this.#load();
    return accounts.map((stored) => this.#toAccount(stored, defaultId));
  }

  find(id: string): StoredAccount | undefined {
    return this.#load().accounts.find((stored) => stored.id === id);
  }

  get(id: string): StoredAccount {
    const found = this.find(id);
    if (!found)
      throw new AppError('unknown_account', 'This account does not exist (any more).', { field: 'id' });
    return found;
  }

  view(id: string): Account {
    return this.#toAccount(this.get(id), this.#load().defaultId);
  }

  create(input: AccountInput, id: string, createdAt: string): Account {
    const document = this.#current();
    assertValid(input, document.accounts);
    const stored = storedAccount.parse({
      ...input,
      id,
      createdAt,
      hasPassword: false,
      hasDkimKey: false,
      paused: false,
    });
    this.#save({
      ...document,
      defaultId: document.defaultId ?? id,
      accounts: [...document.accounts, stored],
    });
    return this.view(id);
  }

  /** Applies a person's edit, re-validating the whole account. */
  update(id: string, patch: AccountPatch, internal: InternalFields = {}): Account {
    this.#current();
    const { input, rest } = split(this.get(id));
    const candidate = applyPatch(input, patch);
    const others = this.#load().accounts.filter((other) => other.id !== id);
    assertValid(candidate, others);
    return this.#replace(applyPatch({ ...rest, ...candidate } as StoredAccount, internal));
  }

  /** Changes only fields main owns; nothing a person typed is touched, so nothing to re-validate. */
  setInternal(id: string, internal: InternalFields): Account {
    this.#current();
    return this.#replace(applyPatch(this.get(id), internal));
  }

  #replace(next: StoredAccount): Account {
    const document = this.#load();
    const stored = storedAccount.parse(next);
    this.#save({
      ...document,
      accounts: document.accounts.map((existing) => (existing.id === stored.id ? stored : existing)),
    });
    return this.view(stored.id);
  }

  remove(id: string): void {
    const document = this.#current();
    this.get(id);
    const accounts = document.accounts.filter((stored) => stored.id !== id);
    const defaultId = document.defaultId === id ? accounts[0]?.id : document.defaultId;
    this.#save({ version: document.version, accounts, ...(defaultId ? { defaultId } : {}) });
  }

  /** Puts the listed accounts first, in that order; any not listed keep their relative order after them. */
  reorder(ids: readonly string[]): Account[] {
    const document = this.#current();
    ids.forEach((id) => this.get(id));
    const listed = new Set(ids);
    const byId = new Map(document.accounts.map((stored) => [stored.id, stored]));
    const accounts = [
      ...[...listed].map((id) => byId.get(id)).filter((stored) => stored !== undefined),
      ...document.accounts.filter((stored) => !listed.has(stored.id)),
    ];
    this.#save({ ...document, accounts });
    return this.list();
  }

  setDefault(id: string): Account {
    this.#current();
    this.get(id);
    this.#save({ ...this.#load(), defaultId: id });
    return this.view(id);
  }
}
