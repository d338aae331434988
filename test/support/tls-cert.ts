import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface TestCert {
  readonly key: string;
  readonly cert: string;
  /** `AB:CD:…`, as Node reports `fingerprint256`. */
  readonly sha256: string;
}

/** openssl's self-signed certificate and its new RSA key, valid two days, with `extensions` (`-addext`). */
export function opensslSelfSigned(
  keyFile: string,
  certFile: string,
  subject: string,
  extensions: readonly string[],
): void {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-subj',
      subject,
      ...extensions.flatMap((extension) => ['-addext', extension]),
    ],
    { stdio: 'ignore' },
  );
}

/** A self-signed certificate for 127.0.0.1, made by openssl at test time (nothing secret is checked in). */
export function makeSelfSignedCert(dir: string): TestCert {
  const keyFile = path.join(dir, 'key.pem');
  const certFile = path.join(dir, 'cert.pem');
  opensslSelfSigned(keyFile, certFile, '/CN=outbox-test', ['subjectAltName=IP:127.0.0.1,DNS:localhost']);
  const cert = fs.readFileSync(certFile, 'utf8');
  return { key: fs.readFileSync(keyFile, 'utf8'), cert, sha256: new X509Certificate(cert).fingerprint256 };
}
