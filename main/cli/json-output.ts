import { z } from 'zod';
import { authMethod, oauthProviderKey, securityMode, type Account } from '../../preload/contract/accounts.ts';
import { discoveryAttempt, discoverySource, type Discovery } from '../../preload/contract/discovery.ts';
import {
  queueState,
  recipientKind,
  recipientState,
  type QueueItem,
  type SentRecord,
  type SetAsideItem,
} from '../../preload/contract/outbox.ts';
import type { CliIo } from './cli-io.ts';
import { lazySchema } from '../../preload/contract/lazy-schema.ts';

/**
 * The `--json` output of every command, versioned. Documented in docs/cli.md (generated from these
 * schemas with `z.toJSONSchema`); fields are only ever added, and an absent value is `null`.
 */
export const JSON_VERSION = 1;

const accountRef = lazySchema(() =>
  z
    .object({ id: z.string(), label: z.string().nullable() })
    .describe('The account; label is null when it was deleted.'),
);
const error = lazySchema(() => z.object({ code: z.string(), message: z.string() }));
const recipient = lazySchema(() =>
  z.object({
    address: z.string(),
    kind: recipientKind,
    state: recipientState,
    lastReply: z.string().nullable().describe("The server's last reply for this recipient, verbatim."),
  }),
);

export const queueMessageJson = lazySchema(() =>
  z.object({
    id: z.string(),
    messageId: z.string(),
    account: accountRef,
    state: queueState.describe('See "Message states" in docs/cli.md.'),
    from: z.string(),
    subject: z.string(),
    recipients: z.array(recipient),
    attempts: z.number().int().nonnegative().describe('Delivery attempts so far.'),
    createdAt: z.string(),
    sendAt: z.string().nullable(),
    lateLimitMinutes: z
      .number()
      .int()
      .positive()
      .nullable()
      .describe(
        'A scheduled message later than this after sendAt when its first attempt comes is held (schedule_missed) instead.',
      ),
    nextAttemptAt: z.string().nullable().describe('ISO 8601 time of the next delivery attempt.'),
    lastReply: z.string().nullable(),
    lastError: error.nullable(),
    sizeBytes: z.number().int().nonnegative(),
  }),
);
export const queueListJson = lazySchema(() =>
  z.object({
    version: z.literal(JSON_VERSION),
    messages: z.array(queueMessageJson),
  }),
);
export const queueShowJson = lazySchema(() =>
  z.object({ version: z.literal(JSON_VERSION), message: queueMessageJson }),
);

export const setAsideJson = lazySchema(() =>
  z.object({
    key: z.string().describe('What "outbox queue restore KEY" takes: its name under the quarantine folder.'),
    id: z.string().nullable().describe('The queue id of the message, when it could be read.'),
    subject: z.string().nullable(),
    recipients: z.array(z.string()).nullable().describe('Recipient addresses, when they could be read.'),
    reason: z.string(),
    file: z.string().describe('Absolute path of what was kept.'),
    setAsideAt: z.string(),
    restorable: z.boolean().describe('Its state is readable and its bytes match it.'),
  }),
);
export const queueDamagedJson = lazySchema(() =>
  z.object({
    version: z.literal(JSON_VERSION),
    items: z.array(setAsideJson),
  }),
);

export const accountJson = lazySchema(() =>
  z.object({
    id: z.string(),
    label: z.string(),
    fromAddress: z.string(),
    displayName: z.string(),
    host: z.string(),
    port: z.number().int(),
    security: securityMode,
    username: z.string(),
    isDefault: z.boolean(),
    hasPassword: z.boolean(),
    /** How it signs in: password, app-password, oauth2 or none. */
    auth: authMethod,
    /** An OAuth2 account's provider and sign-in; never a token. */
    oauth: z
      .object({
        provider: oauthProviderKey,
        issuer: z.string().nullable(),
        signedIn: z.boolean(),
        signedInAs: z.string().nullable(),
      })
      .nullable(),
    paused: z.boolean(),
    attention: error.nullable(),
    /** Other addresses it may send as, as "Name <address>" or the bare address. */
    aliases: z.array(z.string()),
    /** DKIM signing, and whether its private key is in the keychain. */
    dkim: z.object({ domain: z.string(), selector: z.string(), hasKey: z.boolean() }).nullable(),
  }),
);
export const accountsListJson = lazySchema(() =>
  z.object({
    version: z.literal(JSON_VERSION),
    accounts: z.array(accountJson),
  }),
);
export const accountSignInJson = lazySchema(() =>
  z.object({
    version: z.literal(JSON_VERSION),
    account: accountJson,
  }),
);

const discoveredServerJson = lazySchema(() =>
  z.object({
    host: z.string(),
    port: z.number().int(),
    security: securityMode,
    username: z.string().describe('The user name to sign in with, for this address.'),
    signIn: z.array(authMethod).describe('How it signs in, preferred first.'),
    oauthProvider: oauthProviderKey.nullable().describe('The OAuth2 provider, when signIn offers oauth2.'),
  }),
);
export const accountsDiscoverJson = lazySchema(() =>
  z.object({
    version: z.literal(JSON_VERSION),
    address: z.string(),
    status: z.enum(['found', 'not_found']),
    source: discoverySource.nullable().describe('Which source answered; null when none did.'),
    via: z.string().nullable().describe('Where the settings came from, in words.'),
    providerName: z.string().nullable(),
    presetKey: z.string().nullable().describe("The key of Outbox's own provider preset, when it is one."),
    note: z.string().nullable().describe("The provider's own advice (app passwords, enabling SMTP)."),
    servers: z
      .array(discoveredServerJson)
      .describe('Alternatives, the one to use first; empty when not found.'),
    confirm: z
      .boolean()
      .describe(
        "The server is outside the address's domain and was found through DNS or the domain's web server: " +
          'check it before trusting it with a password.',
      ),
    message: z.string().nullable().describe('Why nothing was found; null when found.'),
    attempts: z.array(discoveryAttempt).describe('What each source was asked and answered, in order.'),
  }),
);

export const sentMessageJson = lazySchema(() =>
  z.object({
    id: z.string(),
    messageId: z.string(),
    account: accountRef,
    from: z.string(),
    subject: z.string(),
    sentAt: z.string(),
    recipients: z.array(recipient),
    attempts: z.number().int().nonnegative(),
    sizeBytes: z.number().int().nonnegative(),
    /** Taken out as sent with `queue mark-sent`: no server confirmed it. */
    markedSent: z.boolean(),
  }),
);
export const sentListJson = lazySchema(() =>
  z.object({
    version: z.literal(JSON_VERSION),
    messages: z.array(sentMessageJson),
  }),
);

/** Every documented output, by the name docs/cli.md uses for it. */
export const JSON_OUTPUTS = {
  'queue list': queueListJson,
  'queue show': queueShowJson,
  'queue damaged': queueDamagedJson,
  'accounts list': accountsListJson,
  'accounts signin': accountSignInJson,
  'accounts discover': accountsDiscoverJson,
  'sent list': sentListJson,
} as const;

type AccountLabels = ReadonlyMap<string, string>;

const ref = (id: string, labels: AccountLabels) => ({ id, label: labels.get(id) ?? null });
const recipients = (list: QueueItem['recipients']) =>
  list.map((r) => ({ address: r.address, kind: r.kind, state: r.state, lastReply: r.reply ?? null }));

export function labelsOf(accounts: readonly Account[]): AccountLabels {
  return new Map(accounts.map((a) => [a.id, a.label]));
}

export function queueMessage(item: QueueItem, labels: AccountLabels): z.infer<typeof queueMessageJson> {
  return {
    id: item.id,
    messageId: item.messageId,
    account: ref(item.accountId, labels),
    state: item.state,
    from: item.from,
    subject: item.subject,
    recipients: recipients(item.recipients),
    attempts: item.attempts,
    createdAt: item.createdAt,
    sendAt: item.sendAt ?? null,
    lateLimitMinutes: item.lateLimitMinutes ?? null,
    nextAttemptAt: item.nextAttemptAt ?? null,
    lastReply: item.lastReply ?? null,
    lastError: item.lastError ? { code: item.lastError.code, message: item.lastError.message } : null,
    sizeBytes: item.sizeBytes,
  };
}

export function setAsideEntry(item: SetAsideItem): z.infer<typeof setAsideJson> {
  return {
    key: item.key,
    id: item.id ?? null,
    subject: item.subject ?? null,
    recipients: item.recipients ?? null,
    reason: item.reason,
    file: item.file,
    setAsideAt: item.setAsideAt,
    restorable: item.restorable,
  };
}

export function sentMessage(record: SentRecord, labels: AccountLabels): z.infer<typeof sentMessageJson> {
  return {
    id: record.id,
    messageId: record.messageId,
    account: ref(record.accountId, labels),
    from: record.from,
    subject: record.subject,
    sentAt: record.sentAt,
    recipients: recipients(record.recipients),
    attempts: record.attempts,
    sizeBytes: record.sizeBytes,
    markedSent: record.markedSent === true,
  };
}

/** An OAuth2 account that can send: its sign-in is saved and the provider has not refused it since. */
export function isSignedIn(account: Account): boolean {
  return account.hasOAuthToken && account.attention?.code !== 'oauth_signin_required';
}

export function accountEntry(account: Account): z.infer<typeof accountJson> {
  return {
    id: account.id,
    label: account.label,
    fromAddress: account.fromAddress,
    displayName: account.displayName,
    host: account.host,
    port: account.port,
    security: account.security,
    username: account.username,
    isDefault: account.isDefault,
    hasPassword: account.hasPassword,
    auth: account.auth,
    oauth:
      account.auth === 'oauth2' && account.oauth
        ? {
            provider: account.oauth.provider,
            issuer: account.oauth.issuer ?? null,
            signedIn: isSignedIn(account),
            signedInAs: account.signedInAs ?? null,
          }
        : null,
    paused: account.paused,
    attention: account.attention
      ? { code: account.attention.code, message: account.attention.message }
      : null,
    aliases: account.aliases.map((a) => (a.displayName ? `${a.displayName} <${a.address}>` : a.address)),
    dkim: account.dkim ? { ...account.dkim, hasKey: account.hasDkimKey } : null,
  };
}

export function discoveryEntry(result: Discovery): z.infer<typeof accountsDiscoverJson> {
  const found = result.status === 'found' ? result : undefined;
  return {
    version: JSON_VERSION,
    address: result.address,
    status: result.status,
    source: found?.source ?? null,
    via: found?.via ?? null,
    providerName: found?.providerName ?? null,
    presetKey: found?.presetKey ?? null,
    note: found?.note ?? null,
    servers: (found?.servers ?? []).map((server) => ({
      host: server.host,
      port: server.port,
      security: server.security,
      username: server.username,
      signIn: server.signIn,
      oauthProvider: server.oauthProvider ?? null,
    })),
    confirm: found?.confirm ?? false,
    message: result.status === 'not_found' ? result.message : null,
    attempts: result.attempts,
  };
}

/** Writes one document, parsed through its schema first so the output can never drift from the docs. */
export function printJson<S extends z.ZodType>(io: CliIo, schema: S, value: z.infer<S>): void {
  io.stdout.write(`${JSON.stringify(schema.parse(value), null, 2)}\n`);
}
