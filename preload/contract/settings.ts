import { z } from 'zod';
import { isValidAddress, MAX_ADDRESS_OCTETS } from './address.ts';
import { lazySchema } from './lazy-schema.ts';

export const appSettings = lazySchema(() =>
  z.object({
    /** Seconds a sent message waits before its first attempt, so it can be taken back. 0 turns undo off. */
    undoSeconds: z.number().int().min(0).max(60).default(10),
    /** Give up after this much time spent online trying (RFC 5321 §4.5.4.1 suggests 4–5 days). */
    retryLifetimeHours: z
      .number()
      .int()
      .min(1)
      .max(24 * 30)
      .default(120),
    sentRetentionDays: z.number().int().min(1).max(3650).default(90),
    notifications: z.boolean().default(true),
    /** For unattended use: resend messages whose delivery is unconfirmed instead of asking. */
    autoResendUnconfirmed: z.boolean().default(false),
    /**
     * Where mail to a local user name goes (`outbox sendmail root`, cron without MAILTO), as msmtp's
     * aliases send it. Empty: the default account's own address.
     */
    localMailAddress: z
      .string()
      .trim()
      .max(MAX_ADDRESS_OCTETS)
      .refine(
        (s) => s === '' || isValidAddress(s),
        'must be an e-mail address like you@example.org, or empty',
      )
      .default(''),
    /**
     * Ask Thunderbird's online ISP database (autoconfig.thunderbird.net) about a domain the bundled
     * copy does not know. Off by default: it tells a third party which domain is being set up.
     */
    liveIspdbLookup: z.boolean().default(false),
    /** Closing the window leaves Outbox delivering in the tray / menu bar instead of quitting. */
    keepRunningInBackground: z.boolean().default(true),
    /** Start hidden, in the tray, when the user logs in (through the OS: see main/desktop/). */
    startAtLogin: z.boolean().default(false),
    /** An OS timer runs a headless flush while Outbox is not running at all. */
    deliverWhileClosed: z.boolean().default(false),
  }),
);
export type AppSettings = z.infer<typeof appSettings>;

export const appStatus = lazySchema(() =>
  z.object({
    online: z.boolean(),
    version: z.string(),
  }),
);
export type AppStatus = z.infer<typeof appStatus>;

export const networkHint = lazySchema(() => z.object({ online: z.boolean() }));
