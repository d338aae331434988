import type Conf from 'conf';
import type { ErrorInfo } from '../../preload/contract/errors.ts';
import type { EventName, EventPayload } from '../../preload/contract/channels.ts';
import type { SmtpEndpoint } from '../smtp/smtp-endpoint.ts';

/** electron-store in the app, `conf` on the same file in tests and the CLI (electron-store extends conf). */
export type SettingsStore = Conf;

/** keytar's API: `osKeychain` (accounts/os-keychain.ts) in the app, the CLI and the tests. */
export interface Keychain {
  getPassword(service: string, account: string): Promise<string | null>;
  setPassword(service: string, account: string, password: string): Promise<void>;
  deletePassword(service: string, account: string): Promise<boolean>;
}

/** What the outbox needs to know about an account. No secrets: those come only from `endpoint()`. */
export interface SenderAccount {
  readonly id: string;
  readonly label: string;
  readonly fromAddress: string;
  readonly displayName: string;
  readonly replyTo?: string;
  readonly aliases: readonly { readonly address: string; readonly displayName: string }[];
  readonly paused: boolean;
  /** Set while the user must fix something (credentials, certificate) before delivery resumes. */
  readonly attention?: ErrorInfo;
  /** The user's own limit for this account. */
  readonly maxMessageBytes?: number;
  /** The SIZE the server advertised at the last connection. */
  readonly serverSizeLimit?: number;
  readonly ratePerHour?: number;
}

/** The accounts side, as the outbox sees it. Implemented in main/accounts. */
export interface AccountsPort {
  find(accountId: string): SenderAccount | undefined;
  list(): readonly SenderAccount[];
  /** Connection settings with secrets read from the keychain; throws AppError (keychain_*, unknown_account). */
  endpoint(accountId: string): Promise<SmtpEndpoint>;
  /** Delivery stopped because the user must act; `undefined` clears it. */
  setAttention(accountId: string, error: ErrorInfo | undefined): void;
  rememberServerSizeLimit(accountId: string, bytes: number): void;
  /**
   * Fires after an account is edited, re-keyed, paused or resumed (`edited`: delivery tries again),
   * or after it comes to need the user or no longer does (`attention`): what its mail shows changes.
   */
  onChanged(listener: (accountId: string, change: AccountChange) => void): () => void;
}

export type AccountChange = 'edited' | 'attention';

/** The outbox side, as account management sees it (deleting an account never drops its mail). */
export interface QueuePort {
  countPending(accountId: string): number;
  moveToAccount(fromAccountId: string, toAccountId: string): Promise<void>;
  holdAll(accountId: string): Promise<void>;
}

/** Electron's part, given to the core by the shell; tests pass a fake. */
export interface Platform {
  /** The native open-file dialog; resolves to the chosen paths, empty when cancelled. */
  pickFiles(): Promise<string[]>;
  notify(title: string, body: string): void;
  /**
   * Opens an http(s) URL in the user's default browser (Electron's `shell.openExternal`): the
   * OAuth2 sign-in page, RFC 8252 §4.1. Resolves once the browser was asked; rejects if it could not be.
   */
  openExternal(url: string): Promise<void>;
  /** Electron's `net.isOnline()`: false is reliable, true is no proof. */
  isOnline(): boolean;
  readonly version: string;
}

/** Pushes an event to the renderer. */
export type EventSink = <E extends EventName>(event: E, payload: EventPayload<E>) => void;
