import net from 'node:net';
import { domainToASCII } from 'node:url';
import addressparser from 'nodemailer/lib/addressparser';
import { AppError } from '../errors/app-error.ts';

// RFC 1123 §2.1: letters, digits and hyphens, no hyphen at either end, at most 63 octets per label.
const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;
// RFC 5322 §3.2.3 atext, plus non-ASCII for SMTPUTF8 (RFC 6531) local parts.
const DOT_ATOM = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;

/** True for a host name (IDN allowed) or an IPv4/IPv6 literal. */
export function isValidHost(host: string): boolean {
  if (net.isIP(host) !== 0) return true;
  const ascii = domainToASCII(host);
  if (ascii === '' || ascii.length > 253) return false;
  const labels = ascii.split('.');
  // RFC 3696 §2: an all-numeric top-level label would make "999.1.1.1" look like a name.
  if (/^\d+$/.test(labels.at(-1) ?? '')) return false;
  return labels.every((label) => HOST_LABEL.test(label));
}

export function assertHost(host: string, field = 'host'): void {
  if (!isValidHost(host)) {
    throw new AppError('invalid_host', `"${host}" is not a valid host name or IP address.`, { field });
  }
}

export function assertPort(port: number, field = 'port'): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new AppError('invalid_port', `The port must be a whole number from 1 to 65535, not ${port}.`, {
      field,
    });
  }
}

/**
 * True for one bare address (`local@domain`): no display name, no group, no list. The domain must be
 * a real host name, so an address-literal or a typo like `me@example` is refused too.
 */
export function isValidAddress(address: string): boolean {
  const parsed = addressparser(address);
  const only = parsed[0];
  if (parsed.length !== 1 || only?.address !== address || only.name !== '') return false;
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  return (
    at > 0 &&
    local.length <= 64 &&
    DOT_ATOM.test(local) &&
    domain.includes('.') &&
    net.isIP(domain) === 0 &&
    isValidHost(domain)
  );
}

export function assertAddress(address: string, field: string): void {
  if (!isValidAddress(address)) {
    throw new AppError('invalid_address', `"${address}" is not an e-mail address like name@example.com.`, {
      field,
    });
  }
}

export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}
