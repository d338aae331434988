import { describe, expect, it } from 'vitest';
import type { SecurityMode } from '../../../preload/contract/accounts.ts';
import { ReplyTimeout } from '../../../main/smtp/smtp-dialogue.ts';
import {
  diagnoseHandshake,
  diagnoseUntrusted,
  type PresentedCertificate,
} from '../../../main/smtp/tls-diagnosis.ts';

const opensslError = (code: string, message: string, reason?: string) =>
  Object.assign(new Error(message), { code }, reason === undefined ? {} : { reason });

describe('diagnoseHandshake: why a TLS handshake failed', () => {
  it.each<[string, unknown, SecurityMode, string, string, RegExp]>([
    [
      'no handshake in time',
      new ReplyTimeout('The TLS handshake did not finish in time.'),
      'tls',
      'timeout',
      'The TLS handshake did not finish in time.',
      /did not negotiate TLS/,
    ],
    [
      'TLS spoken to a plain port',
      opensslError('ERR_SSL_WRONG_VERSION_NUMBER', 'error:0A00010B:SSL routines::wrong version number'),
      'tls',
      'wrong_tls_mode',
      'The server on port 2525 does not start with TLS.',
      /choose STARTTLS/,
    ],
    [
      'no TLS after the server agreed to STARTTLS',
      opensslError('ERR_SSL_PACKET_LENGTH_TOO_LONG', 'error:0A0000C6:SSL routines::packet length too long'),
      'starttls',
      'wrong_tls_mode',
      'The server on port 2525 does not start with TLS.',
      /Try TLS on port 465/,
    ],
    [
      'only TLS 1.1 or older (by code)',
      opensslError('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'alert'),
      'tls',
      'tls_failed',
      'The server does not offer TLS 1.2 or newer.',
      /older TLS/,
    ],
    [
      'only TLS 1.1 or older (by message)',
      opensslError('ERR_SSL_UNSUPPORTED_PROTOCOL', 'error:0A000102:SSL routines::unsupported protocol'),
      'starttls',
      'tls_failed',
      'The server does not offer TLS 1.2 or newer.',
      /older TLS/,
    ],
    [
      "another failure: OpenSSL's short reason, not its message",
      opensslError(
        'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
        'error:0A000410:ssl3_read_bytes',
        'sslv3 alert handshake failure',
      ),
      'tls',
      'tls_failed',
      'The secure connection failed (sslv3 alert handshake failure).',
      /security setting/,
    ],
    [
      'another failure without a reason: its code',
      opensslError('ECONNRESET', 'socket hang up'),
      'tls',
      'tls_failed',
      'The secure connection failed (ECONNRESET).',
      /security setting/,
    ],
    [
      'not even an error',
      'boom',
      'tls',
      'tls_failed',
      'The secure connection failed (TLS error).',
      /security setting/,
    ],
  ])('%s', (_name, error, security, code, message, hint) => {
    const diagnosis = diagnoseHandshake(error, { port: 2525, security });
    expect(diagnosis.error).toEqual({ code, message });
    expect(diagnosis.hint).toMatch(hint);
  });
});

describe('diagnoseUntrusted: a certificate that completed the handshake but is refused', () => {
  const certificate: PresentedCertificate = {
    info: {
      fingerprint256: 'AB:CD',
      subject: 'CN=mx',
      issuer: 'CN=mx',
      validFrom: 'then',
      validTo: 'later',
      trusted: false,
    },
    seen: { fingerprint: 'AB:CD', pem: 'PEM' },
  };

  it.each<[PresentedCertificate | undefined, boolean, string, RegExp]>([
    [
      certificate,
      true,
      "The server's certificate (AB:CD) is not the one pinned for this account.",
      /renewed/,
    ],
    [
      certificate,
      false,
      "The server's certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT). SHA-256 fingerprint: AB:CD.",
      /pin the certificate/,
    ],
    [
      undefined,
      false,
      "The server's certificate is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT). SHA-256 fingerprint: unknown.",
      /pin the certificate/,
    ],
  ])('%#: pinned %s', (presented, pinned, message, hint) => {
    const diagnosis = diagnoseUntrusted(presented, 'DEPTH_ZERO_SELF_SIGNED_CERT', pinned);
    expect(diagnosis.error).toEqual({ code: 'certificate_untrusted', message });
    expect(diagnosis.hint).toMatch(hint);
  });
});
