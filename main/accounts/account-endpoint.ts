import { AppError } from '../errors/app-error.ts';
import type { SmtpEndpoint } from '../smtp/smtp-endpoint.ts';
import type { AccountSecrets } from './account-secrets.ts';
import type { StoredAccount } from './account-store.ts';

/** The certificate the user pinned for this account, when there is one (both halves are needed). */
export function pinnedCertOf(account: StoredAccount): Pick<SmtpEndpoint, 'pinnedCert'> {
  return account.pinnedCertSha256 && account.pinnedCertPem
    ? { pinnedCert: { sha256: account.pinnedCertSha256, pem: account.pinnedCertPem } }
    : {};
}

async function dkimOf(account: StoredAccount, secrets: AccountSecrets): Promise<SmtpEndpoint['dkim']> {
  if (!account.dkim || !account.hasDkimKey) return undefined;
  const privateKey = await secrets.read(account, 'dkim');
  if (privateKey === undefined) {
    throw new AppError(
      'invalid_dkim_key',
      `The DKIM key of "${account.label}" is no longer in the keychain. Set it again, or turn DKIM off.`,
    );
  }
  return { domainName: account.dkim.domain, keySelector: account.dkim.selector, privateKey };
}

/** What delivery needs to send as this account, secrets read from the keychain now. */
export async function endpointOf(account: StoredAccount, secrets: AccountSecrets): Promise<SmtpEndpoint> {
  const auth = await secrets.signIn(account);
  if (!auth) {
    throw new AppError(
      'auth_required',
      `No password is saved for "${account.label}". Enter it in the account settings.`,
    );
  }
  const dkim = await dkimOf(account, secrets);
  return {
    host: account.host,
    port: account.port,
    security: account.security,
    auth,
    ...pinnedCertOf(account),
    ...(dkim ? { dkim } : {}),
  };
}
