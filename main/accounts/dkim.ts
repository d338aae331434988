import { createPrivateKey, createPublicKey } from 'node:crypto';
import { AppError } from '../errors/app-error.ts';

/** RFC 8301 §3.2: signers must use RSA keys of at least 1024 bits. */
const MIN_RSA_BITS = 1024;

/**
 * Checks that `pem` is an unencrypted RSA private key nodemailer can sign with (it signs only
 * `rsa-sha256`), and returns the base64 public key, as published in the selector's `p=` tag.
 */
export function dkimPublicKey(pem: string): string {
  let key;
  try {
    key = createPrivateKey({ key: pem, format: 'pem' });
  } catch (error) {
    throw new AppError(
      'invalid_dkim_key',
      'This is not a readable private key. Paste the whole unencrypted PEM, from "-----BEGIN" to "-----END … KEY-----".',
      { field: 'secret', cause: error },
    );
  }
  if (key.asymmetricKeyType !== 'rsa') {
    throw new AppError(
      'invalid_dkim_key',
      `DKIM signing needs an RSA key; this one is ${key.asymmetricKeyType ?? 'of an unknown type'}.`,
      { field: 'secret' },
    );
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS) {
    throw new AppError(
      'invalid_dkim_key',
      `The key has ${bits} bits; receivers ignore DKIM keys under ${MIN_RSA_BITS} bits. Use a 2048-bit key.`,
      { field: 'secret' },
    );
  }
  return createPublicKey(key).export({ type: 'spki', format: 'der' }).toString('base64');
}

/** The TXT record to publish at `<selector>._domainkey.<domain>` for this key. */
export function dkimRecordFor(publicKeyBase64: string): string {
  return `v=DKIM1; k=rsa; p=${publicKeyBase64}`;
}
