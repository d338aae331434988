import { systemClock, type Clock } from '../core/clock.ts';
import { AppError } from '../errors/app-error.ts';
import { RateLimiter, type BucketRule } from './rate-limit.ts';

const MINUTE = 60_000;
const MB = 1024 * 1024;

/** How much saved drafts may hold together, counted as the files on disk. */
export interface DraftQuota {
  readonly count: number;
  readonly bytes: number;
}

/**
 * What the window may ask of main in a given time, so a compromised page cannot fill the disk or
 * use Outbox to scan ports. Only the bridge is limited: the CLI and the core are the user's own.
 */
export interface BridgeLimitRules {
  readonly enqueue: Readonly<Record<'messages' | 'bytes', BucketRule>>;
  readonly connectionTests: BucketRule;
  readonly addressLookups: BucketRule;
  readonly drafts: DraftQuota;
  /** How many accounts the window may add: each is a config entry and up to two keychain items. */
  readonly accounts: number;
}

/**
 * Numbers a person composing by hand never reaches:
 * - queueing: 100 messages at once and 10 a minute after that; 1 GiB of bodies and chosen files at
 *   once and 100 MiB a minute after that, so a 200 MB attachment sent to a few people in turn goes,
 *   while a runaway page adds at most ~6 GB an hour instead of 200 MB in two seconds;
 * - connection tests: one per click in the account editor, so 5 in a row and 10 a minute;
 * - address lookups (`accounts:discover`): the editor asks once per pause in typing (~500 ms) and on
 *   leaving the field, so setting up an account, typos and all, takes a handful; 20 at once and one
 *   every 3 s after that. Each lookup may ask DNS, fetch two autoconfig URLs and probe four ports,
 *   so a runaway page gets ~20 lookups a minute, not a scanner.
 * - drafts: the compose window keeps one draft per message being written and bodies are text
 *   (no pasted images), so 200 drafts and 50 MiB together are far more than anyone keeps.
 * - accounts: 100, when people send from a handful; a runaway page cannot fill the settings file
 *   and the keychain. The CLI may add more.
 */
export const BRIDGE_LIMITS: BridgeLimitRules = {
  enqueue: {
    messages: { capacity: 100, refillMs: 10 * MINUTE },
    bytes: { capacity: 1024 * MB, refillMs: 10 * MINUTE },
  },
  connectionTests: { capacity: 5, refillMs: MINUTE / 2 },
  addressLookups: { capacity: 20, refillMs: MINUTE },
  drafts: { count: 200, bytes: 50 * MB },
  accounts: 100,
};

/** The limits of one window's bridge, each with its state. */
export interface BridgeLimits {
  readonly enqueue: RateLimiter<'messages' | 'bytes'>;
  readonly connectionTests: RateLimiter<'tests'>;
  readonly addressLookups: RateLimiter<'lookups'>;
  readonly drafts: DraftQuota;
  readonly accounts: number;
}

export interface BridgeLimitsOptions {
  /** Tests use smaller numbers; the app uses BRIDGE_LIMITS. */
  readonly rules?: Partial<BridgeLimitRules>;
  /** A fake clock in tests. */
  readonly clock?: Pick<Clock, 'now'>;
}

export function createBridgeLimits(options: BridgeLimitsOptions = {}): BridgeLimits {
  const rules = { ...BRIDGE_LIMITS, ...options.rules };
  const clock = options.clock ?? systemClock;
  return {
    enqueue: new RateLimiter(rules.enqueue, clock),
    connectionTests: new RateLimiter({ tests: rules.connectionTests }, clock),
    addressLookups: new RateLimiter({ lookups: rules.addressLookups }, clock),
    drafts: rules.drafts,
    accounts: rules.accounts,
  };
}

/** "12 s", or minutes once that reads better. */
function waitText(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}

/** The refusal of a request over its rate: `what` names the requests, as in "Too many connection tests". */
export function rateLimited(what: string, waitMs: number): AppError {
  return new AppError('rate_limited', `Too many ${what}; wait ${waitText(waitMs)} and try again.`);
}
