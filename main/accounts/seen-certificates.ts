import { AppError } from '../errors/app-error.ts';
import { normaliseFingerprint } from '../smtp/transport-options.ts';
import type { InternalFields } from './account-store.ts';
import type { SeenCertificate } from './connection-test.ts';

/**
 * The certificate each account's server showed at its last connection test, kept for this session
 * only: a pin is trusted because the user compared this very certificate, never because a fingerprint
 * was typed (or sent by a compromised window).
 */
export class SeenCertificates {
  readonly #byAccount = new Map<string, SeenCertificate>();

  remember(accountId: string, certificate: SeenCertificate): void {
    this.#byAccount.set(accountId, certificate);
  }

  forget(accountId: string): void {
    this.#byAccount.delete(accountId);
  }

  /** The pin to store for a requested fingerprint: only the certificate this session's test showed. */
  pinFor(accountId: string, fingerprint: string): InternalFields {
    const seen = this.#byAccount.get(accountId);
    const wanted = normaliseFingerprint(fingerprint);
    if (!seen || normaliseFingerprint(seen.fingerprint) !== wanted) {
      throw new AppError(
        'invalid_state',
        'Only the certificate shown by the last connection test can be pinned. Run the test again and compare the fingerprint.',
        { field: 'fingerprint' },
      );
    }
    return { pinnedCertSha256: wanted, pinnedCertPem: seen.pem };
  }
}
