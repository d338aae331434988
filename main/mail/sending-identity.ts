/** An address an account sends as: its own, or an alias, each with the name shown beside it. */
export interface SendingIdentity {
  readonly address: string;
  readonly displayName: string;
}

/** What of an account says which addresses it sends as. */
export interface IdentitySource {
  readonly fromAddress: string;
  readonly displayName: string;
  readonly aliases: readonly SendingIdentity[];
}

/**
 * The account's identity for `address` (its own address or an alias; addresses compare without
 * case), or undefined when the account does not send as it. The one rule a message's From is
 * checked by when it is queued, and the account a message is queued through is chosen by when
 * only its sender is given (sendmail's From, `outbox send --from`).
 */
export function identityFor(account: IdentitySource, address: string): SendingIdentity | undefined {
  const wanted = address.toLowerCase();
  if (account.fromAddress.toLowerCase() === wanted) {
    return { address: account.fromAddress, displayName: account.displayName };
  }
  return account.aliases.find((alias) => alias.address.toLowerCase() === wanted);
}

/**
 * The account that sends as `address`, if any: `preferred` (the default account) when it does, else
 * the first that does, and otherwise `preferred` still (or undefined without one).
 */
export function accountSendingAs<T extends IdentitySource & { readonly id: string }>(
  accounts: readonly T[],
  address: string,
  preferred?: string,
): T | undefined {
  const fallback = accounts.find((account) => account.id === preferred);
  if (fallback && identityFor(fallback, address)) return fallback;
  return accounts.find((account) => identityFor(account, address) !== undefined) ?? fallback;
}
