import { randomBytes } from '../../core/random.ts';

// What composing (compose-message.ts) and queueing raw input (enqueue-raw.ts) share, apart from
// nodemailer's composer, which `outbox sendmail` never needs (issue 17).

export const NON_ASCII = /[\u0080-\u{10ffff}]/u;
/** Whether a message between these addresses needs a server that offers SMTPUTF8. */
export const needsSmtpUtf8 = (addresses: readonly string[]) => addresses.some((a) => NON_ASCII.test(a));

/** 32 random hex digits (128 bits), drawn from a pool: no system call per ID at enqueue rates. */
export const randomHex = () => randomBytes(16).toString('hex');

export function newQueueId(now: number): string {
  return `${now.toString(36).padStart(9, '0')}-${randomHex().slice(0, 12)}`;
}
