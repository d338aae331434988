import { z } from 'zod';
import { serverHost } from './address.ts';
import { bridgeError } from './outbox.ts';
import { headerText, id, isoTime } from './primitives.ts';

export const securityMode = z.enum(['tls', 'starttls', 'none']);
export type SecurityMode = z.infer<typeof securityMode>;

export const authMethod = z.enum(['password', 'none']);

const sha256Fingerprint = z
  .string()
  .regex(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/, 'must be a SHA-256 fingerprint like AB:CD:…');

export const alias = z.object({
  address: headerText(320),
  displayName: headerText(200).default(''),
  signatureText: z.string().max(10_000).default(''),
  signatureHtml: z.string().max(50_000).default(''),
});

/** A server's host: refused with invalid_host at every door, and passed on in the form to store. */
const hostField = z
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
  });

/** Everything a person edits about an account. Never a password: that goes to the keychain, write-only. */
export const accountInput = z.object({
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
});
export type AccountInput = z.infer<typeof accountInput>;
export type AccountInputDraft = z.input<typeof accountInput>;

export const account = accountInput.extend({
  // As saved: an account from an older version is still listed, so it can be fixed or removed.
  host: z.string(),
  id,
  isDefault: z.boolean(),
  hasPassword: z.boolean(),
  hasDkimKey: z.boolean(),
  paused: z.boolean(),
  /** Set when delivery stopped because the user must act (bad credentials, untrusted certificate). */
  attention: bridgeError.optional(),
  /** The SIZE limit the server advertised at the last connection. */
  serverSizeLimit: z.number().int().nonnegative().optional(),
  createdAt: isoTime,
});
export type Account = z.infer<typeof account>;

export const accountDelete = z.object({
  id,
  /** What becomes of its queued messages: moved to another account, or kept held. Never dropped. */
  queued: z.discriminatedUnion('action', [
    z.object({ action: z.literal('move'), toAccountId: id }),
    z.object({ action: z.literal('hold') }),
  ]),
});
export const accountReorder = z.object({ ids: z.array(id).max(1000) });
export const setSecret = z.object({ id, secret: z.string().min(1).max(100_000) });
export const pinCertificate = z.object({ id, fingerprint: sha256Fingerprint });

export const provider = z.object({
  key: z.string(),
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  security: securityMode,
  note: z.string().optional(),
  /** Some providers need the full address as username, some only the local part. */
  usernameIsAddress: z.boolean(),
});
export type Provider = z.infer<typeof provider>;

export const testStep = z.object({
  step: z.enum(['resolve', 'connect', 'tls', 'ehlo', 'starttls', 'auth']),
  status: z.enum(['ok', 'failed', 'skipped']),
  detail: z.string(),
  hint: z.string().optional(),
  error: bridgeError.optional(),
});

export const certificateInfo = z.object({
  fingerprint256: sha256Fingerprint,
  subject: z.string(),
  issuer: z.string(),
  validFrom: z.string(),
  validTo: z.string(),
  trusted: z.boolean(),
});
export type CertificateInfo = z.infer<typeof certificateInfo>;

export const connectionReport = z.object({
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
});
export type ConnectionReport = z.infer<typeof connectionReport>;

const dnsCheck = z.object({
  status: z.enum(['pass', 'missing', 'mismatch', 'error']),
  record: z.string().optional(),
  detail: z.string(),
});
export const senderDomainReport = z.object({ domain: z.string(), spf: dnsCheck, dkim: dnsCheck });
export type SenderDomainReport = z.infer<typeof senderDomainReport>;
