import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { opensslSelfSigned } from './tls-cert.ts';

export interface TestCa {
  /** The CA's certificate (PEM): what a test trusts, as `extraCa`. */
  readonly ca: string;
  /** A server certificate signed by the CA for every name asked for, and its key. */
  readonly key: string;
  readonly cert: string;
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });

/**
 * A certificate authority made by openssl at test time, and one leaf it signed for `names` (DNS
 * names in its subjectAltName). Nothing secret is checked in; each run makes its own.
 */
export function makeTestCa(dir: string, names: readonly string[]): TestCa {
  const file = (name: string) => path.join(dir, name);
  opensslSelfSigned(file('ca-key.pem'), file('ca.pem'), '/CN=Outbox Test CA', [
    'basicConstraints=critical,CA:TRUE',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  openssl([
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('leaf-key.pem'),
    '-out',
    file('leaf.csr'),
    '-subj',
    `/CN=${names[0] ?? 'localhost'}`,
  ]);
  fs.writeFileSync(
    file('leaf.ext'),
    [
      'basicConstraints=CA:FALSE',
      'keyUsage=digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}`,
    ].join('\n'),
  );
  openssl([
    'x509',
    '-req',
    '-in',
    file('leaf.csr'),
    '-CA',
    file('ca.pem'),
    '-CAkey',
    file('ca-key.pem'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    file('leaf.ext'),
    '-out',
    file('leaf.pem'),
  ]);
  const read = (name: string) => fs.readFileSync(file(name), 'utf8');
  return { ca: read('ca.pem'), key: read('leaf-key.pem'), cert: read('leaf.pem') };
}
