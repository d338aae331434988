import { z } from 'zod';
import { authMethod, oauthProviderKey, securityMode } from './accounts.ts';
import { lazySchema } from './lazy-schema.ts';

/**
 * Where a lookup found an account's outgoing server, in the order they are tried (issue 16):
 * Outbox's own provider table, the bundled copy of Thunderbird's ISPDB, Thunderbird's live ISPDB
 * (only when the setting allows), the domain's own autoconfig file over HTTPS, the domain's MX
 * (its provider looked up in the sources before), RFC 6186/8314 SRV records, and probing
 * smtp.<domain> / mail.<domain>.
 */
export const discoverySource = lazySchema(() =>
  z.enum(['provider', 'ispdb', 'live-ispdb', 'autoconfig', 'mx', 'srv', 'probe']),
);
export type DiscoverySource = z.infer<typeof discoverySource>;

/** One way to reach the server, filled in for the address (user name placeholders replaced). */
export const discoveredServer = lazySchema(() =>
  z.object({
    host: z.string(),
    port: z.number().int(),
    security: securityMode,
    /** The user name to sign in with, for this address. */
    username: z.string(),
    /**
     * How it signs in, preferred first. `oauth2` only for hosts in Outbox's own provider table;
     * never empty (servers whose methods Outbox cannot use are left out).
     */
    signIn: z.array(authMethod).min(1),
    oauthProvider: oauthProviderKey.optional(),
  }),
);
export type DiscoveredServer = z.infer<typeof discoveredServer>;

/** What one source gave, for the CLI's verbose output and the editor's "how it was found". */
export const discoveryAttempt = lazySchema(() =>
  z.object({
    source: discoverySource,
    outcome: z.enum(['found', 'nothing', 'timeout', 'failed', 'skipped']),
    /** One sentence: what was asked and what came back (never a secret: there is none here). */
    detail: z.string(),
  }),
);
export type DiscoveryAttempt = z.infer<typeof discoveryAttempt>;

export const discovery = lazySchema(() =>
  z.discriminatedUnion('status', [
    z.object({
      status: z.literal('found'),
      address: z.string(),
      source: discoverySource,
      /** Where it came from, as a person reads it: "the MX record of example.org". */
      via: z.string(),
      /** The provider's name when one is known ("GMX Freemail", "Microsoft 365 (work or school)"). */
      providerName: z.string().optional(),
      /** The provider table's key when the server is one of its presets. */
      presetKey: z.string().optional(),
      /** A provider's own advice (app passwords, enabling SMTP access). */
      note: z.string().optional(),
      /** Alternatives in preference order; the first is the one to use. */
      servers: z.array(discoveredServer).min(1),
      /**
       * The server is outside the address's domain and the answer came from DNS or the domain's own
       * web server, which an attacker on the path or in the DNS could have written: the user must see
       * where it came from and confirm before any password is sent.
       */
      confirm: z.boolean(),
      attempts: z.array(discoveryAttempt),
    }),
    z.object({
      status: z.literal('not_found'),
      address: z.string(),
      /** "Could not find the settings for example.org; enter them by hand." */
      message: z.string(),
      attempts: z.array(discoveryAttempt),
    }),
  ]),
);
export type Discovery = z.infer<typeof discovery>;
