import { z } from 'zod';
import { bridgeError } from './outbox.ts';
import {
  accountInput,
  authMethod,
  oauthProviderKey,
  securityMode,
  sha256Fingerprint,
} from './account-input.ts';
import { id, isoTime } from './primitives.ts';
import { lazySchema } from './lazy-schema.ts';

export * from './account-input.ts';

export const account = lazySchema(() =>
  accountInput.extend({
    // As saved: an account from an older version is still listed, so it can be fixed or removed.
    host: z.string(),
    id,
    isDefault: z.boolean(),
    hasPassword: z.boolean(),
    hasDkimKey: z.boolean(),
    /** Whether an OAuth2 sign-in is saved (its refresh token is in the keychain; the token never crosses). */
    hasOAuthToken: z.boolean(),
    /** The address the provider said was signed in, when it said (OpenID Connect `email`). */
    signedInAs: z.string().optional(),
    paused: z.boolean(),
    /** Set when delivery stopped because the user must act (bad credentials, untrusted certificate). */
    attention: bridgeError.optional(),
    /** The SIZE limit the server advertised at the last connection. */
    serverSizeLimit: z.number().int().nonnegative().optional(),
    createdAt: isoTime,
  }),
);
export type Account = z.infer<typeof account>;

export const accountDelete = lazySchema(() =>
  z.object({
    id,
    /** What becomes of its queued messages: moved to another account, or kept held. Never dropped. */
    queued: z.discriminatedUnion('action', [
      z.object({ action: z.literal('move'), toAccountId: id }),
      z.object({ action: z.literal('hold') }),
    ]),
  }),
);
export const accountReorder = lazySchema(() => z.object({ ids: z.array(id).max(1000) }));
export const setSecret = lazySchema(() => z.object({ id, secret: z.string().min(1).max(100_000) }));
export const pinCertificate = lazySchema(() => z.object({ id, fingerprint: sha256Fingerprint }));

export const provider = lazySchema(() =>
  z.object({
    key: z.string(),
    name: z.string(),
    host: z.string(),
    port: z.number().int(),
    security: securityMode,
    note: z.string().optional(),
    /** Some providers need the full address as username, some only the local part. */
    usernameIsAddress: z.boolean(),
    /** How this provider's accounts can sign in, preferred first (the editor offers the first). */
    signIn: z.array(authMethod).min(1),
    /** The OAuth2 provider, when `signIn` includes `oauth2`. */
    oauthProvider: oauthProviderKey.optional(),
  }),
);
export type Provider = z.infer<typeof provider>;

export const testStep = lazySchema(() =>
  z.object({
    /** `signin`: an OAuth2 account's token (present, refreshed, or the user must sign in again), before `auth`. */
    step: z.enum(['resolve', 'connect', 'tls', 'ehlo', 'starttls', 'signin', 'auth']),
    status: z.enum(['ok', 'failed', 'skipped']),
    detail: z.string(),
    hint: z.string().optional(),
    error: bridgeError.optional(),
  }),
);

export const certificateInfo = lazySchema(() =>
  z.object({
    fingerprint256: sha256Fingerprint,
    subject: z.string(),
    issuer: z.string(),
    validFrom: z.string(),
    validTo: z.string(),
    trusted: z.boolean(),
  }),
);
export type CertificateInfo = z.infer<typeof certificateInfo>;

export const connectionReport = lazySchema(() =>
  z.object({
    ok: z.boolean(),
    steps: z.array(testStep),
    capabilities: z
      .object({
        size: z.number().int().nonnegative().optional(),
        auth: z.array(z.string()),
        pipelining: z.boolean(),
        smtputf8: z.boolean(),
        starttls: z.boolean(),
      })
      .optional(),
    certificate: certificateInfo.optional(),
  }),
);
export type ConnectionReport = z.infer<typeof connectionReport>;

const dnsCheck = lazySchema(() =>
  z.object({
    status: z.enum(['pass', 'missing', 'mismatch', 'error']),
    record: z.string().optional(),
    detail: z.string(),
  }),
);
export const senderDomainReport = lazySchema(() =>
  z.object({ domain: z.string(), spf: dnsCheck, dkim: dnsCheck }),
);
export type SenderDomainReport = z.infer<typeof senderDomainReport>;
