import addressparser from 'nodemailer/lib/addressparser';
import { isLocalUserName } from '../../mail/address.ts';

/**
 * Mail a machine sends itself. cron writes `From: root (Cron Daemon)` and, without MAILTO, sends to
 * the bare user name (`sendmail root`): names with no domain, which cannot leave this machine as
 * they are. Like msmtp's aliases, the sender becomes the account and a local recipient the address
 * for local mail.
 */

/**
 * The display name of a From that has no domain (`root (Cron Daemon)`, `Cron Daemon <root>`,
 * `root`), or undefined when it has a domain or is not one mailbox.
 */
export function unqualifiedSender(value: string): { readonly name: string } | undefined {
  // RFC 5322 §3.2.2: a comment after the address, the old way to give a name (cron's).
  const [, user, comment] = /^([^\s()<>@",;:]+)\s*\(([^()\\]*)\)$/.exec(value) ?? [];
  if (user !== undefined && isLocalUserName(user)) return { name: (comment ?? '').trim() };
  if (isLocalUserName(value)) return { name: '' };
  const parsed = addressparser(value, { flatten: true });
  const only = parsed.length === 1 ? parsed[0] : undefined;
  return only?.address && isLocalUserName(only.address) ? { name: only.name } : undefined;
}

/**
 * The envelope recipient for `text`: the address for local mail when `text` is a local user name,
 * else `text` itself. Only the envelope changes, as with msmtp's aliases: a `To: root` field stays
 * as the sender wrote it, so the message still says whom it was written to.
 */
export function localRecipient(text: string, localMailAddress: string | undefined): string {
  return localMailAddress !== undefined && isLocalUserName(text.trim()) ? localMailAddress : text;
}

/** An address list field's entries: addresses, and local user names written alone (`To: root`). */
export function headerRecipients(value: string): string[] {
  return addressparser(value, { flatten: true })
    .map((entry) => entry.address || (isLocalUserName(entry.name) ? entry.name : ''))
    .filter((address) => address !== '');
}
