import net from 'node:net';
import type { ConnectionOptions, PeerCertificate } from 'node:tls';
import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { nodemailerAuth, nodemailerCustomAuth } from './sign-in.ts';
import type { SmtpEndpoint } from './smtp-endpoint.ts';

export interface Timeouts {
  readonly connectionMs: number;
  readonly greetingMs: number;
  readonly socketMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectionMs: 30_000, greetingMs: 30_000, socketMs: 120_000 };

/** Normalises `ab:cd:…` and `abcd…` to the `AB:CD:…` form Node reports as `fingerprint256`. */
export function normaliseFingerprint(fingerprint: string): string {
  const hex = fingerprint.replace(/[^0-9a-f]/gi, '').toUpperCase();
  return hex.match(/.{2}/g)?.join(':') ?? '';
}

/**
 * TLS settings: the system's CAs with hostname checks, TLS 1.2 at least. A pinned certificate
 * replaces the CA list with that one certificate and is matched by SHA-256 fingerprint instead of
 * hostname, so trusting a self-signed bridge trusts nothing else.
 */
export function tlsOptions(endpoint: Pick<SmtpEndpoint, 'host' | 'pinnedCert'>): ConnectionOptions {
  const base: ConnectionOptions = {
    minVersion: 'TLSv1.2',
    rejectUnauthorized: true,
    ...(net.isIP(endpoint.host) ? {} : { servername: endpoint.host }),
  };
  const pinned = endpoint.pinnedCert;
  if (!pinned) return base;
  const expected = normaliseFingerprint(pinned.sha256);
  return {
    ...base,
    ca: [pinned.pem],
    checkServerIdentity: (_host: string, cert: PeerCertificate) =>
      cert.fingerprint256 === expected
        ? undefined
        : Object.assign(new Error(`The server's certificate ${cert.fingerprint256} is not the pinned one.`), {
            code: 'ERR_TLS_CERT_PIN_MISMATCH',
          }),
  };
}

/**
 * nodemailer never sets TCP_NODELAY; with Nagle and delayed ACKs every message would stall ~40 ms.
 * Connecting the socket ourselves lets us turn Nagle off; nodemailer still does TLS on top.
 */
export function connectWithNoDelay(
  options: { host?: string; port?: number; connectionTimeout?: number },
  callback: (error: Error | null, socketOptions?: { connection: net.Socket }) => void,
): void {
  const socket = net.connect({ host: options.host ?? 'localhost', port: options.port ?? 587 });
  socket.setNoDelay(true);
  const timer = setTimeout(() => {
    socket.destroy(Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' }));
  }, options.connectionTimeout ?? DEFAULT_TIMEOUTS.connectionMs);
  const fail = (error: Error) => {
    clearTimeout(timer);
    callback(error);
  };
  socket.once('error', fail);
  socket.once('connect', () => {
    clearTimeout(timer);
    socket.off('error', fail);
    callback(null, { connection: socket });
  });
}

/** `connectWithNoDelay` as a promise: a connected socket, or the socket's error or `ETIMEDOUT`. */
export function connectSocket(host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    connectWithNoDelay({ host, port, connectionTimeout: timeoutMs }, (error, socket) => {
      if (error || !socket) reject(error ?? new Error('no socket'));
      else resolve(socket.connection);
    });
  });
}

/**
 * Options for one nodemailer SMTPConnection to this endpoint: where, which TLS, how long to wait.
 * Credentials and DKIM are not in here; they go to `login` and the signer. XOAUTH2's exchange is
 * (`customAuth`): it asks for the token when `login` runs.
 */
export function connectionOptions(
  endpoint: SmtpEndpoint,
  timeouts: Timeouts = DEFAULT_TIMEOUTS,
): SMTPConnection.Options {
  const customAuth = nodemailerCustomAuth(endpoint.auth);
  return {
    ...(customAuth ? { customAuth } : {}),
    host: endpoint.host,
    port: endpoint.port,
    secure: endpoint.security === 'tls',
    requireTLS: endpoint.security === 'starttls',
    ignoreTLS: endpoint.security === 'none',
    tls: tlsOptions(endpoint),
    ...(endpoint.clientName ? { name: endpoint.clientName } : {}),
    connectionTimeout: timeouts.connectionMs,
    greetingTimeout: timeouts.greetingMs,
    socketTimeout: timeouts.socketMs,
    logger: false,
    debug: false,
  };
}

/** nodemailer options for one account. The outbox owns every retry, so the pool never re-queues. */
export function smtpOptions(
  endpoint: SmtpEndpoint,
  extra: { maxConnections?: number; timeouts?: Timeouts } = {},
): SMTPPool.Options {
  const auth = nodemailerAuth(endpoint.auth);
  return {
    ...connectionOptions(endpoint, extra.timeouts),
    ...(auth ? { auth } : {}),
    ...(endpoint.dkim ? { dkim: { ...endpoint.dkim } } : {}),
    pool: true,
    maxConnections: extra.maxConnections ?? 3,
    maxMessages: 100,
    maxRequeues: 0,
    getSocket: connectWithNoDelay,
  } as SMTPPool.Options;
}
