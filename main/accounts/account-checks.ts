import type { Resolver } from 'node:dns/promises';
import type { SenderDomainReport } from '../../preload/contract/accounts.ts';
import { domainOf } from '../mail/address.ts';
import { pinnedCertOf } from './account-endpoint.ts';
import type { AccountSecrets } from './account-secrets.ts';
import type { StoredAccount } from './account-store.ts';
import {
  testConnection,
  type ConnectionTestOutcome,
  type ConnectionTestTimeouts,
} from './connection-test.ts';
import { dkimPublicKey } from './dkim.ts';
import { checkSenderDomain } from './sender-domain-check.ts';

/** Tests the account's server as delivery would reach it; the secret is read only when AUTH comes. */
export function testAccountConnection(
  account: StoredAccount,
  secrets: AccountSecrets,
  timeouts: ConnectionTestTimeouts | undefined,
): Promise<ConnectionTestOutcome> {
  return testConnection(
    {
      host: account.host,
      port: account.port,
      security: account.security,
      ...pinnedCertOf(account),
      auth: () => secrets.signIn(account),
      ...(account.auth === 'oauth2' ? { oauth: true } : {}),
    },
    timeouts,
  );
}

/**
 * SPF and DKIM of the domain the account signs for (its DKIM domain, else its From address's),
 * the published DKIM key compared with the public half of the saved private key.
 */
export async function checkAccountSenderDomain(
  account: StoredAccount,
  secrets: AccountSecrets,
  resolver: Resolver,
): Promise<SenderDomainReport> {
  const domain = account.dkim?.domain ?? domainOf(account.fromAddress);
  const privateKey = account.dkim ? await secrets.read(account, 'dkim') : undefined;
  return checkSenderDomain(
    resolver,
    domain,
    account.dkim && {
      selector: account.dkim.selector,
      publicKey: privateKey === undefined ? undefined : dkimPublicKey(privateKey),
    },
  );
}
