import { z } from 'zod';
import { isDnsLabels } from '../../preload/contract/address.ts';
import { HEADER_UNSAFE } from '../../preload/contract/primitives.ts';
// The narrow module: the rest of the accounts contract is the bridge's, not the stored data's.
import { accountInput, type AccountInput } from '../../preload/contract/account-input.ts';
import type { Account } from '../../preload/contract/accounts.ts';
import type { SettingsStore } from '../core/ports.ts';
import { AppError } from '../errors/app-error.ts';
import { storedError, storedErrorInfo } from '../errors/stored-error.ts';
import { upgrade, type Migration, type StoredFormat } from '../files/versioned.ts';
import { classifySignInError } from '../smtp/smtp-failure.ts';
import { storedId, storedTime } from '../files/stored-fields.ts';
import { assertAddress } from '../mail/address.ts';
import { assertHost, assertOAuth, assertPort } from './account-validation.ts';
import { assertAliases } from './aliases.ts';
import { lazySchema } from '../../preload/contract/lazy-schema.ts';

export type { Migration } from '../files/versioned.ts';

/** The settings-store key that holds every account, as one versioned document. */
export const ACCOUNTS_KEY = 'accounts';
export const ACCOUNTS_VERSION = 2;

// RFC 5322 §2.2: these end up in header fields, so a hand-edited file must not smuggle in a line break.
// The rule is the contract's; the schema is the store's own, so a contract edit cannot break old files.
const headerSafe = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !HEADER_UNSAFE.test(s), { message: 'must not contain line breaks or NUL characters' });

const storedAlias = lazySchema(() =>
  z.object({
    address: headerSafe(320),
    displayName: headerSafe(200).default(''),
    signatureText: z.string().max(10_000).default(''),
    signatureHtml: z.string().max(50_000).default(''),
  }),
);

/**
 * An account as saved: the store's own format, not the bridge's `account` (a change to the contract
 * must not make the saved accounts unreadable; a change here is a new format). `isDefault` is
 * derived from the document's `defaultId`, so exactly one account is the default. The pinned
 * certificate's PEM sits beside its fingerprint: a certificate is public, and the TLS layer needs it
 * as the only trusted CA.
 */
const storedAccount = lazySchema(() =>
  z.object({
    id: storedId,
    label: headerSafe(100).pipe(z.string().trim().min(1)),
    displayName: headerSafe(200).default(''),
    fromAddress: headerSafe(320),
    replyTo: headerSafe(320).optional(),
    host: z.string().max(253),
    port: z.number().int(),
    security: z.enum(['tls', 'starttls', 'none']),
    allowPlaintext: z.boolean().default(false),
    auth: z.enum(['password', 'app-password', 'oauth2', 'none']).default('password'),
    username: headerSafe(320).default(''),
    oauth: z
      .object({
        provider: z.enum(['microsoft', 'google', 'generic']),
        issuer: z.string().max(2000).optional(),
        clientId: z.string().max(500).optional(),
        scopes: z.array(z.string().max(200)).max(20).optional(),
      })
      .optional(),
    signatureText: z.string().max(10_000).default(''),
    signatureHtml: z.string().max(50_000).default(''),
    maxMessageBytes: z.number().int().positive().optional(),
    ratePerHour: z.number().int().positive().optional(),
    color: z.string().default('#3b82f6'),
    pinnedCertSha256: z.string().optional(),
    pinnedCertPem: z.string().max(50_000).optional(),
    dkim: z.object({ domain: z.string().max(253), selector: z.string().max(63) }).optional(),
    aliases: z.array(storedAlias).max(50).default([]),
    hasPassword: z.boolean(),
    hasDkimKey: z.boolean(),
    hasOAuthToken: z.boolean().default(false),
    signedInAs: headerSafe(320).optional(),
    paused: z.boolean(),
    /** Set when delivery stopped because the user must act (bad credentials, untrusted certificate). */
    attention: storedError.optional(),
    /** The SIZE limit the server advertised at the last connection. */
    serverSizeLimit: z.number().int().nonnegative().optional(),
    createdAt: storedTime,
  }),
);
export type StoredAccount = z.infer<typeof storedAccount>;

/**
 * Keyed by the version each migration upgrades from. Version 1 is the first format; version 2 adds
 * OAuth2 sign-in (`auth: 'oauth2'`, `oauth`, `hasOAuthToken`, `signedInAs`), so an older Outbox
 * refuses the file rather than reading an OAuth2 account as one without a password.
 */
const MIGRATIONS: Readonly<Record<number, Migration>> = {
  1: (document) => ({
    ...document,
    accounts: Array.isArray(document.accounts)
      ? document.accounts.map((account: unknown) =>
          typeof account === 'object' && account !== null ? { hasOAuthToken: false, ...account } : account,
        )
      : document.accounts,
  }),
};

const ACCOUNTS_FORMAT: StoredFormat = {
  name: 'saved accounts',
  version: ACCOUNTS_VERSION,
  migrations: MIGRATIONS,
};

const accountsDocument = lazySchema(() =>
  z.object({
    version: z.literal(ACCOUNTS_VERSION),
    defaultId: z.string().optional(),
    accounts: z.array(storedAccount),
  }),
);
type AccountsDocument = z.infer<typeof accountsDocument>;

/**
 * Brings a stored accounts document up to `target`; none yet is an empty one. A document newer
 * than this build knows (written by a later Outbox) is refused rather than rewritten, so a
 * downgrade never loses data.
 */
export function migrate(
  raw: unknown,
  migrations: Readonly<Record<number, Migration>>,
  target: number,
): Record<string, unknown> {
  if (raw === undefined) return { version: target, accounts: [] };
  return upgrade(raw, { ...ACCOUNTS_FORMAT, version: target, migrations });
}

/** A partial edit as the bridge sends it: a key present with `undefined` clears an optional field. */
export type AccountPatch = Partial<AccountInput>;

/** Fields only main changes (never the renderer directly). */
export type InternalFields = Partial<
  Pick<
    StoredAccount,
    | 'hasPassword'
    | 'hasDkimKey'
    | 'hasOAuthToken'
    | 'signedInAs'
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
  assertOAuth(candidate);
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
    if (!isDnsLabels(candidate.dkim.selector)) {
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

let inputKeys: ReadonlySet<string> | undefined;

/** The fields a person edits, read off the schema when first needed: listing accounts needs none (issue 17). */
function isInputKey(key: string): boolean {
  inputKeys ??= new Set<string>(accountInput.keyof().options);
  return inputKeys.has(key);
}

/** Splits a saved account into what a person edits and what main keeps about it. */
function split(stored: StoredAccount): { input: AccountInput; rest: Record<string, unknown> } {
  const input: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) {
    if (isInputKey(key)) input[key] = value;
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
    const { pinnedCertPem, attention, ...view } = stored;
    const error = attention ? storedErrorInfo(attention) : undefined;
    // Older builds saved a keychain out of reach (a flush from cron) here: that was the process's
    // condition, not the account's, so it holds nothing back.
    const held = error && classifySignInError(error).class !== 'process';
    return { ...view, isDefault: stored.id === defaultId, ...(held ? { attention: error } : {}) };
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
