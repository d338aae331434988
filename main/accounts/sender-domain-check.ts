import { Resolver } from 'node:dns/promises';
import type { SenderDomainReport } from '../../preload/contract/accounts.ts';
import { dkimRecordFor } from './dkim.ts';

type DnsCheck = SenderDomainReport['spf'];

/** Node's resolver, pointed at `servers` (`host` or `host:port`) when given; the system's otherwise. */
export function createDnsResolver(servers?: readonly string[]): Resolver {
  const resolver = new Resolver({ timeout: 5_000, tries: 2 });
  if (servers && servers.length > 0) resolver.setServers([...servers]);
  return resolver;
}

/** TXT records as whole strings (a long record arrives as several 255-byte chunks, RFC 7208 §3.3). */
async function txtRecords(resolver: Resolver, name: string): Promise<string[] | 'none'> {
  try {
    return (await resolver.resolveTxt(name)).map((chunks) => chunks.join(''));
  } catch (error) {
    const code = typeof error === 'object' && error !== null && 'code' in error ? error.code : undefined;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return 'none';
    throw error;
  }
}

function lookupError(name: string, error: unknown): DnsCheck {
  const reason = error instanceof Error ? error.message : String(error);
  return { status: 'error', detail: `The DNS lookup of ${name} failed: ${reason}` };
}

async function checkSpf(resolver: Resolver, domain: string): Promise<DnsCheck> {
  let records: string[] | 'none';
  try {
    records = await txtRecords(resolver, domain);
  } catch (error) {
    return lookupError(domain, error);
  }
  const spf = records === 'none' ? [] : records.filter((record) => /^v=spf1(\s|$)/i.test(record));
  const [only, ...more] = spf;
  if (only === undefined) {
    return {
      status: 'missing',
      detail: `${domain} publishes no SPF record; receivers cannot tell which servers may send for it.`,
    };
  }
  if (more.length > 0) {
    return {
      status: 'mismatch',
      record: spf.join(' | '),
      detail: `${domain} publishes ${spf.length} SPF records; RFC 7208 allows one, so SPF fails everywhere. Merge them.`,
    };
  }
  return { status: 'pass', record: only, detail: `${domain} publishes an SPF record.` };
}

/** The `p=` tag of a DKIM key record (RFC 6376 §3.6.1), without the whitespace DNS tools add. */
function publicKeyTag(record: string): string | undefined {
  for (const tag of record.split(';')) {
    const [name, ...value] = tag.split('=');
    if (name?.trim() === 'p') return value.join('=').replace(/\s+/g, '');
  }
  return undefined;
}

async function checkDkim(
  resolver: Resolver,
  domain: string,
  dkim: { selector: string; publicKey: string | undefined } | undefined,
): Promise<DnsCheck> {
  if (!dkim) return { status: 'missing', detail: 'DKIM signing is not set up for this account.' };
  const name = `${dkim.selector}._domainkey.${domain}`;
  let records: string[] | 'none';
  try {
    records = await txtRecords(resolver, name);
  } catch (error) {
    return lookupError(name, error);
  }
  const found = records === 'none' ? undefined : records.find((record) => publicKeyTag(record) !== undefined);
  const publish = dkim.publicKey ? ` Publish a TXT record there: ${dkimRecordFor(dkim.publicKey)}` : '';
  if (found === undefined) {
    return { status: 'missing', detail: `No DKIM key is published at ${name}.${publish}` };
  }
  if (!dkim.publicKey) {
    return {
      status: 'missing',
      record: found,
      detail: `A key is published at ${name}, but no DKIM private key is saved for this account.`,
    };
  }
  const published = publicKeyTag(found);
  if (published === '') {
    return {
      status: 'mismatch',
      record: found,
      detail: `The key at ${name} is revoked (empty p=).${publish}`,
    };
  }
  if (published !== dkim.publicKey) {
    return {
      status: 'mismatch',
      record: found,
      detail: `The key published at ${name} is not the public half of this account's DKIM key, so signatures will fail.${publish}`,
    };
  }
  return { status: 'pass', record: found, detail: `${name} publishes this account's DKIM public key.` };
}

/** Whether the domain publishes SPF and the account's DKIM public key. Never throws for DNS trouble. */
export async function checkSenderDomain(
  resolver: Resolver,
  domain: string,
  dkim: { selector: string; publicKey: string | undefined } | undefined,
): Promise<SenderDomainReport> {
  const [spf, dkimCheck] = await Promise.all([checkSpf(resolver, domain), checkDkim(resolver, domain, dkim)]);
  return { domain, spf, dkim: dkimCheck };
}
