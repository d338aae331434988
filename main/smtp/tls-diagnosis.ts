import { X509Certificate } from 'node:crypto';
import type net from 'node:net';
import tls from 'node:tls';
import type { CertificateInfo } from '../../preload/contract/accounts.ts';
import type { ErrorInfo } from '../../preload/contract/errors.ts';
import type { SmtpEndpoint } from './smtp-endpoint.ts';
import { ReplyTimeout } from './smtp-dialogue.ts';
import { TLS_PROTOCOL_MISMATCH } from './smtp-failure.ts';
import { tlsOptions } from './transport-options.ts';

/** A failure put so a person can act on it: what went wrong, and what to do. */
export interface Diagnosis {
  readonly error: ErrorInfo;
  readonly hint: string;
}

/** The certificate the server presented, kept so the user can pin exactly what they were shown. */
export interface SeenCertificate {
  readonly fingerprint: string;
  readonly pem: string;
}

export interface PresentedCertificate {
  /** As the report shows it. */
  readonly info: CertificateInfo;
  readonly seen: SeenCertificate;
}

export type TlsTarget = Pick<SmtpEndpoint, 'host' | 'port' | 'security' | 'pinnedCert'>;

export type TlsOutcome =
  | {
      readonly ok: true;
      readonly socket: tls.TLSSocket;
      readonly certificate?: PresentedCertificate;
      /** The protocol and whose certificate, for the report. */
      readonly detail: string;
    }
  | { readonly ok: false; readonly diagnosis: Diagnosis; readonly certificate?: PresentedCertificate };

const TLS_TOO_OLD = /PROTOCOL_VERSION|unsupported protocol/i;

/** Node's and OpenSSL's `code` on an error, or ''. */
export function errorCode(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
}

/** Resolves on `event`, rejects on the socket's error or after `ms`. */
function settled(socket: net.Socket, event: string, ms: number, timeoutError: () => Error): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const finish = (error?: Error) => {
      clearTimeout(timer);
      socket.off(event, onEvent);
      socket.off('error', finish);
      if (error) reject(error);
      else resolve();
    };
    const onEvent = () => {
      finish();
    };
    const timer = setTimeout(() => {
      finish(timeoutError());
    }, ms);
    socket.once(event, onEvent);
    socket.once('error', finish);
  });
}

function certificateOf(socket: tls.TLSSocket): PresentedCertificate | undefined {
  const peer = socket.getPeerCertificate();
  if (Object.keys(peer).length === 0) return undefined;
  const x509 = new X509Certificate(peer.raw);
  const oneLine = (name: string) => name.split('\n').filter(Boolean).join(', ');
  return {
    info: {
      fingerprint256: x509.fingerprint256,
      subject: oneLine(x509.subject),
      issuer: oneLine(x509.issuer),
      validFrom: x509.validFrom,
      validTo: x509.validTo,
      trusted: socket.authorized,
    },
    seen: { fingerprint: x509.fingerprint256, pem: x509.toString() },
  };
}

/** Why a TLS handshake failed, from the error Node or OpenSSL raised (or our `ReplyTimeout`). */
export function diagnoseHandshake(error: unknown, target: Pick<TlsTarget, 'port' | 'security'>): Diagnosis {
  const { port, security } = target;
  if (error instanceof ReplyTimeout) {
    return {
      error: { code: 'timeout', message: error.message },
      hint: 'The server took the connection but did not negotiate TLS. Check the port and security setting.',
    };
  }
  const text = `${errorCode(error)} ${error instanceof Error ? error.message : ''}`;
  if (TLS_PROTOCOL_MISMATCH.test(text)) {
    return {
      error: { code: 'wrong_tls_mode', message: `The server on port ${port} does not start with TLS.` },
      hint:
        security === 'tls'
          ? `Port ${port} expects plain SMTP first: choose STARTTLS (usually port 587), or use port 465 for TLS.`
          : 'The server answered STARTTLS but then did not speak TLS. Try TLS on port 465.',
    };
  }
  if (TLS_TOO_OLD.test(text)) {
    return {
      error: { code: 'tls_failed', message: 'The server does not offer TLS 1.2 or newer.' },
      hint: 'Outbox refuses older TLS as unsafe. Ask the provider to update the server.',
    };
  }
  // OpenSSL's `reason` is a short phrase; its message carries file names and line numbers.
  const reason = typeof error === 'object' && error !== null && 'reason' in error ? String(error.reason) : '';
  return {
    error: {
      code: 'tls_failed',
      message: `The secure connection failed (${reason || errorCode(error) || 'TLS error'}).`,
    },
    hint: 'Check the port and security setting, then try again.',
  };
}

/** Why a certificate that completed the handshake is refused: not the pinned one, or not trusted. */
export function diagnoseUntrusted(
  certificate: PresentedCertificate | undefined,
  authorizationError: unknown,
  pinned: boolean,
): Diagnosis {
  const fingerprint = certificate?.info.fingerprint256 ?? 'unknown';
  if (pinned) {
    return {
      error: {
        code: 'certificate_untrusted',
        message: `The server's certificate (${fingerprint}) is not the one pinned for this account.`,
      },
      hint: 'The server now shows another certificate. If it was renewed, confirm the new fingerprint with its administrator and pin it again; otherwise someone may be intercepting the connection.',
    };
  }
  return {
    error: {
      code: 'certificate_untrusted',
      message: `The server's certificate is not trusted (${String(authorizationError)}). SHA-256 fingerprint: ${fingerprint}.`,
    },
    hint: 'If this is your own server or a local bridge (such as Proton Mail Bridge), compare this fingerprint with the one it shows and pin the certificate for this account.',
  };
}

/**
 * Negotiates TLS over `plain` with delivery's settings, but checks the certificate itself so the
 * user can be shown it. An untrusted connection is closed before a single SMTP byte is written.
 */
export async function negotiateTls(
  plain: net.Socket,
  target: TlsTarget,
  timeoutMs: number,
): Promise<TlsOutcome> {
  const secure = tls.connect({
    ...tlsOptions(target),
    host: target.host,
    socket: plain,
    // Verification still runs and sets `authorized`; refusing by hand below lets us report the certificate.
    rejectUnauthorized: false,
  });
  try {
    await settled(
      secure,
      'secureConnect',
      timeoutMs,
      () => new ReplyTimeout('The TLS handshake did not finish in time.'),
    );
  } catch (error) {
    secure.destroy();
    return { ok: false, diagnosis: diagnoseHandshake(error, target) };
  }
  const certificate = certificateOf(secure);
  const presented = certificate ? { certificate } : {};
  if (!secure.authorized) {
    secure.destroy();
    const diagnosis = diagnoseUntrusted(
      certificate,
      secure.authorizationError,
      target.pinnedCert !== undefined,
    );
    return { ok: false, diagnosis, ...presented };
  }
  const detail = `${secure.getProtocol() ?? 'TLS'} with a ${target.pinnedCert ? 'pinned' : 'trusted'} certificate for ${certificate?.info.subject ?? target.host}.`;
  return { ok: true, socket: secure, detail, ...presented };
}

/** True if something on the port completes a TLS handshake: the sign of an implicit-TLS port. */
async function speaksTls(host: string, port: number, timeoutMs: number): Promise<boolean> {
  // Only a probe: no data is ever written, so the certificate does not matter here.
  const probe = tls.connect({ host, port, rejectUnauthorized: false });
  try {
    await settled(probe, 'secureConnect', timeoutMs, () => new ReplyTimeout('No TLS handshake.'));
    return true;
  } catch {
    return false;
  } finally {
    probe.destroy();
  }
}

/**
 * A server that never greets on a plain connection may be waiting for TLS: if the port completes
 * a handshake, the account's security mode is the wrong one. `undefined` when that is not it.
 */
export async function diagnoseSilentGreeting(
  target: TlsTarget,
  timeoutMs: number,
): Promise<Diagnosis | undefined> {
  const { host, port } = target;
  if (target.security === 'tls' || !(await speaksTls(host, port, timeoutMs))) return undefined;
  return {
    error: {
      code: 'wrong_tls_mode',
      message: `The server on port ${port} expects TLS from the start and never greeted.`,
    },
    hint: `Choose TLS for port ${port}${port === 465 ? '' : ' (as on port 465)'}, or use port 587 for STARTTLS.`,
  };
}
