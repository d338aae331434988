import type { Account } from '../../preload/contract/accounts.ts';
import { AppError } from '../errors/app-error.ts';
import { assertAddress } from '../mail/address.ts';

type IdentitySource = Pick<Account, 'fromAddress' | 'aliases'>;

/** Every alias must parse and no address may appear twice, the account's own included. */
export function assertAliases(account: IdentitySource): void {
  const seen = new Set([account.fromAddress.toLowerCase()]);
  account.aliases.forEach((alias, index) => {
    const field = `aliases.${index}.address`;
    assertAddress(alias.address, field);
    const key = alias.address.toLowerCase();
    if (seen.has(key)) {
      throw new AppError('invalid_input', `${alias.address} is already an address of this account.`, {
        field,
      });
    }
    seen.add(key);
  });
}
