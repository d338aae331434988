import { z } from 'zod';
import { serverHost } from './address.ts';
import { headerText } from './primitives.ts';
import { lazySchema } from './lazy-schema.ts';

// An account as a person edits it, apart from the rest of accounts.ts (which re-exports all of
// it): what reads the stored accounts (main/accounts/account-store.ts, so `outbox sendmail`)
// needs only this, not the bridge's other account schemas (issue 17).

export const securityMode = lazySchema(() => z.enum(['tls', 'starttls', 'none']));
export type SecurityMode = z.infer<typeof securityMode>;

/**
 * How an account signs in. `app-password` has the mechanics of `password` (PLAIN/LOGIN/CRAM-MD5 with
 * a secret in the keychain) and other words in the UI: a password made for one program, not the
 * account's own. `oauth2` signs in with XOAUTH2 and a token from the account's OAuth2 provider.
 */
export const authMethod = lazySchema(() => z.enum(['password', 'app-password', 'oauth2', 'none']));
export type AuthMethod = z.infer<typeof authMethod>;

/** Whether a method keeps a password in the keychain (the same secret for both). */
export function usesPassword(method: AuthMethod): boolean {
  return method === 'password' || method === 'app-password';
}

/** The OAuth2 providers Outbox knows (main/oauth/oauth-providers.ts), and `generic`, found by its issuer URL. */
export const oauthProviderKey = lazySchema(() => z.enum(['microsoft', 'google', 'generic']));
export type OAuthProviderKey = z.infer<typeof oauthProviderKey>;

const oauthScope = lazySchema(() =>
  z
    .string()
    .min(1)
    .max(200)
    .regex(/^[\x21\x23-\x5B\x5D-\x7E]+$/, 'must be an OAuth scope (RFC 6749 §3.3)'),
);

/**
 * An account's OAuth2 sign-in: which provider, and for an organisation that registered its own app,
 * its client ID. `generic` needs the issuer (RFC 8414 metadata is read from it) and its scopes.
 */
export const oauthSettings = lazySchema(() =>
  z.object({
    provider: oauthProviderKey,
    /** For `generic`: the issuer's URL (https, or http on a loopback address). */
    issuer: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    /** Overrides the client ID Outbox was built with (advanced). Public: a desktop app has no secret. */
    clientId: z
      .string()
      .min(1)
      .max(500)
      .regex(/^[\x21-\x7E]+$/, 'must be printable ASCII')
      .optional(),
    /** Overrides the provider's scopes (`generic` has none of its own). */
    scopes: z.array(oauthScope).max(20).optional(),
  }),
);
export type OAuthSettings = z.infer<typeof oauthSettings>;

export const sha256Fingerprint = lazySchema(() =>
  z.string().regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'must be a SHA-256 fingerprint like AB:CD:…'),
);

export const alias = lazySchema(() =>
  z.object({
    address: headerText(320),
    displayName: headerText(200).default(''),
    signatureText: z.string().max(10_000).default(''),
    signatureHtml: z.string().max(50_000).default(''),
  }),
);

/** A server's host: refused with invalid_host at every door, and passed on in the form to store. */
const hostField = lazySchema(() =>
  z
    .string()
    .max(253)
    .transform((text, context) => {
      const host = serverHost(text);
      if (host !== undefined) return host;
      context.addIssue({
        code: 'custom',
        message: `${JSON.stringify(text)} is not a valid host name or IP address`,
        params: { code: 'invalid_host' },
      });
      return z.NEVER;
    }),
);

/** Everything a person edits about an account. Never a password: that goes to the keychain, write-only. */
export const accountInput = lazySchema(() =>
  z.object({
    label: headerText(100).pipe(z.string().trim().min(1, 'must not be empty')),
    displayName: headerText(200).default(''),
    fromAddress: headerText(320),
    replyTo: headerText(320).optional(),
    host: hostField,
    port: z.number().int(),
    security: securityMode,
    /** Sending without TLS must be confirmed per account and stays visible in the UI. */
    allowPlaintext: z.boolean().default(false),
    auth: authMethod.default('password'),
    username: headerText(320).default(''),
    /** Required when `auth` is `oauth2`. */
    oauth: oauthSettings.optional(),
    signatureText: z.string().max(10_000).default(''),
    signatureHtml: z.string().max(50_000).default(''),
    maxMessageBytes: z.number().int().positive().optional(),
    ratePerHour: z.number().int().positive().optional(),
    color: z
      .string()
      .regex(/^#[0-9a-fA-F]{6}$/)
      .default('#3b82f6'),
    pinnedCertSha256: sha256Fingerprint.optional(),
    dkim: z.object({ domain: z.string().max(253), selector: z.string().max(63) }).optional(),
    aliases: z.array(alias).max(50).default([]),
  }),
);
export type AccountInput = z.infer<typeof accountInput>;
export type AccountInputDraft = z.input<typeof accountInput>;
