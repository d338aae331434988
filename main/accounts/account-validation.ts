import { serverHost } from '../../preload/contract/address.ts';
import { AppError } from '../errors/app-error.ts';

/** True for a host name (IDN allowed) or an IPv4/IPv6 literal: the contract's rule. */
export function isValidHost(host: string): boolean {
  return serverHost(host) !== undefined;
}

export function assertHost(host: string, field = 'host'): void {
  if (!isValidHost(host)) {
    throw new AppError('invalid_host', `${JSON.stringify(host)} is not a valid host name or IP address.`, {
      field,
    });
  }
}

export function assertPort(port: number, field = 'port'): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new AppError('invalid_port', `The port must be a whole number from 1 to 65535, not ${port}.`, {
      field,
    });
  }
}
