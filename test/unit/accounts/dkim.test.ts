import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { dkimPublicKey, dkimRecordFor } from '../../../main/accounts/dkim.ts';
import { AppError } from '../../../main/errors/app-error.ts';

function refusal(pem: string): string {
  try {
    dkimPublicKey(pem);
  } catch (error) {
    if (error instanceof AppError) return `${error.code}: ${error.message}`;
    throw error;
  }
  throw new Error('the key was accepted');
}

describe('DKIM private keys', () => {
  test('an RSA key in PKCS#8 or PKCS#1 PEM gives the base64 public key for the p= tag', () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const expected = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    for (const type of ['pkcs8', 'pkcs1'] as const) {
      const pem = privateKey.export({ type, format: 'pem' }).toString();
      expect(dkimPublicKey(pem)).toBe(expected);
    }
    expect(dkimRecordFor(expected)).toBe(`v=DKIM1; k=rsa; p=${expected}`);
    expect(
      createPublicKey({ key: Buffer.from(expected, 'base64'), format: 'der', type: 'spki' })
        .asymmetricKeyType,
    ).toBe('rsa');
  });

  test.each([
    ['text that is no key', 'hello'],
    [
      'a truncated PEM',
      '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----',
    ],
    [
      'a public key instead of the private one',
      generateKeyPairSync('rsa', { modulusLength: 2048 })
        .publicKey.export({ type: 'spki', format: 'pem' })
        .toString(),
    ],
    [
      'a passphrase-protected key',
      generateKeyPairSync('rsa', { modulusLength: 2048 })
        .privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'x' })
        .toString(),
    ],
  ])('%s is unreadable', (_name, pem) => {
    expect(refusal(pem)).toMatch(/^invalid_dkim_key: This is not a readable private key/);
  });

  test('an Ed25519 key is refused: nodemailer signs with RSA only', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    expect(refusal(pem)).toMatch(/^invalid_dkim_key: .*needs an RSA key; this one is ed25519/);
  });

  test('an RSA key under 1024 bits is refused (RFC 8301)', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 768 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(refusal(pem)).toMatch(/^invalid_dkim_key: The key has 768 bits/);
  });
});
