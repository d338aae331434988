import { addressParts } from '../../preload/contract/address.ts';
import { AppError } from '../errors/app-error.ts';

/** The address a lookup is for, taken apart once. */
export interface LookupQuery {
  readonly address: string;
  /** The domain in IDNA A-labels, lower case: what DNS and the ISPDB are asked about. */
  readonly domain: string;
  readonly localPart: string;
}

/** Refuses what is not one e-mail address with the code every door uses. */
export function lookupQuery(address: string): LookupQuery {
  const parts = addressParts(address.trim());
  if (!parts) {
    throw new AppError(
      'invalid_address',
      `${JSON.stringify(address)} is not an e-mail address like you@example.org.`,
      {
        field: 'address',
      },
    );
  }
  return { address: address.trim(), domain: parts.domain, localPart: parts.local };
}

/** Whether `host` is the domain or below it: a server the domain's own owner named. */
export function withinDomain(host: string, domain: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === domain || name.endsWith(`.${domain}`);
}
