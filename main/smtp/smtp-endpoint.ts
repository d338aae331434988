import type { SecurityMode } from '../../preload/contract/accounts.ts';
import type { SmtpAuth } from './sign-in.ts';

/** Everything needed to open an SMTP session for one account, secrets included. Lives only in main. */
export interface SmtpEndpoint {
  readonly host: string;
  readonly port: number;
  readonly security: SecurityMode;
  readonly auth: SmtpAuth;
  /** A certificate the user chose to trust for this account only (e.g. a local bridge's self-signed one). */
  readonly pinnedCert?: { readonly sha256: string; readonly pem: string };
  readonly dkim?: { readonly domainName: string; readonly keySelector: string; readonly privateKey: string };
  /** The name we greet with in EHLO. */
  readonly clientName?: string;
}
