import type { KeyObject } from 'node:crypto';
import { dkimVerify } from 'mailauth';

/** Verifies the DKIM signatures on `raw` against `publicKey` published as `selector._domainkey.domain`. */
export async function dkimResults(
  raw: Buffer,
  key: { readonly selector: string; readonly domain: string; readonly publicKey: KeyObject },
): Promise<[string, string][]> {
  const record = `v=DKIM1; k=rsa; p=${key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
  const resolver = (name: string, type: string) =>
    name === `${key.selector}._domainkey.${key.domain}` && type === 'TXT'
      ? Promise.resolve([[record]])
      : Promise.reject(Object.assign(new Error('not found'), { code: 'ENOTFOUND' }));
  const verified = await dkimVerify(raw, { resolver });
  return verified.results.map((r) => [r.signingDomain, r.status.result]);
}
