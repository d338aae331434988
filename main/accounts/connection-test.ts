import { createHmac, X509Certificate } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { CertificateInfo, ConnectionReport, SecurityMode } from '../../preload/contract/accounts.ts';
import type { ErrorInfo, ErrorCode } from '../../preload/contract/errors.ts';
import { AppError } from '../errors/app-error.ts';
import { classifySmtpError } from '../smtp/smtp-failure.ts';
import { tlsOptions } from '../smtp/transport-options.ts';
import { presetForServer } from './provider-presets.ts';
import { ReplyTimeout, SmtpDialogue, type SmtpReply } from './smtp-dialogue.ts';

type StepName = ConnectionReport['steps'][number]['step'];
type Step = ConnectionReport['steps'][number];
type Capabilities = NonNullable<ConnectionReport['capabilities']>;

/** The methods delivery signs in with (nodemailer's order of preference), so the test tries the same. */
const SIGN_IN_METHODS = ['PLAIN', 'LOGIN', 'CRAM-MD5'] as const;

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

async function signIn(
  session: SmtpDialogue,
  method: (typeof SIGN_IN_METHODS)[number],
  user: string,
  password: string,
): Promise<SmtpReply> {
  if (method === 'PLAIN') return session.command(`AUTH PLAIN ${base64(`\0${user}\0${password}`)}`);
  if (method === 'LOGIN') {
    let reply = await session.command('AUTH LOGIN');
    if (reply.code === 334) reply = await session.command(base64(user));
    if (reply.code === 334) reply = await session.command(base64(password));
    return reply;
  }
  // CRAM-MD5 (RFC 2195): the password never crosses the wire, only an HMAC of the server's challenge.
  const reply = await session.command('AUTH CRAM-MD5');
  if (reply.code !== 334) return reply;
  const challenge = Buffer.from(reply.text, 'base64').toString('latin1');
  const digest = createHmac('md5', password).update(challenge, 'latin1').digest('hex');
  return session.command(base64(`${user} ${digest}`));
}

export interface ConnectionTarget {
  readonly host: string;
  readonly port: number;
  readonly security: SecurityMode;
  readonly pinnedCert?: { readonly sha256: string; readonly pem: string };
  /** Absent when the account sends without signing in. The password is read only when needed. */
  readonly auth?: { readonly user: string; readonly password: () => Promise<string | undefined> };
  readonly clientName?: string;
}

export interface ConnectionTestTimeouts {
  readonly connectMs: number;
  /** How long to wait for the greeting; a silent server may be waiting for TLS instead. */
  readonly greetingMs: number;
  readonly replyMs: number;
}

const DEFAULT_TEST_TIMEOUTS: ConnectionTestTimeouts = {
  connectMs: 15_000,
  greetingMs: 10_000,
  replyMs: 20_000,
};

/** The certificate the server presented, kept so the user can pin exactly what they were shown. */
export interface SeenCertificate {
  readonly fingerprint: string;
  readonly pem: string;
}

export interface ConnectionTestOutcome {
  readonly report: ConnectionReport;
  readonly seenCertificate?: SeenCertificate;
}

/** Aborts the remaining steps once one has failed. */
class StepFailed extends Error {}

const PLANS: Record<SecurityMode, readonly StepName[]> = {
  tls: ['resolve', 'connect', 'tls', 'ehlo', 'starttls', 'auth'],
  starttls: ['resolve', 'connect', 'ehlo', 'starttls', 'tls', 'auth'],
  none: ['resolve', 'connect', 'ehlo', 'starttls', 'tls', 'auth'],
};

const TLS_TOO_OLD = /PROTOCOL_VERSION|unsupported protocol/i;
const TLS_PROTOCOL_MISMATCH =
  /wrong version number|unknown protocol|packet length too long|http request|record layer/i;

function parseCapabilities(ehlo: SmtpReply): Capabilities {
  // The first line is the server's greeting name; each further line is one extension (RFC 5321 §4.1.1.1).
  const extensions = ehlo.lines.slice(1).map((line) => line.trim().toUpperCase());
  const keyword = (name: string) => extensions.find((line) => line === name || line.startsWith(`${name} `));
  const size = /^SIZE\s+(\d+)/.exec(keyword('SIZE') ?? '')?.[1];
  const auth = keyword('AUTH')?.split(/\s+/).slice(1) ?? [];
  return {
    ...(size === undefined ? {} : { size: Number(size) }),
    auth,
    pipelining: keyword('PIPELINING') !== undefined,
    smtputf8: keyword('SMTPUTF8') !== undefined,
    starttls: keyword('STARTTLS') !== undefined,
  };
}

function describeCapabilities(capabilities: Capabilities): string {
  const parts = [
    capabilities.size ? `messages up to ${capabilities.size} bytes` : 'no size limit announced',
    capabilities.auth.length > 0 ? `sign-in with ${capabilities.auth.join(', ')}` : 'no sign-in offered',
    capabilities.pipelining ? 'PIPELINING' : undefined,
    capabilities.smtputf8 ? 'SMTPUTF8' : undefined,
    capabilities.starttls ? 'STARTTLS' : undefined,
  ];
  return `The server accepts ${parts.filter((part) => part !== undefined).join('; ')}.`;
}

function certificateInfo(
  socket: tls.TLSSocket,
): { info: CertificateInfo; seen: SeenCertificate } | undefined {
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

function bridge(code: ErrorCode, message: string): ErrorInfo {
  return { code, message };
}

function errorCode(error: unknown): string {
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

/**
 * Opens a session step by step (resolve, connect, TLS, EHLO, STARTTLS, AUTH) and reports each
 * step with a hint a person can act on. Nothing is sent over a connection whose certificate is
 * not trusted or pinned: the password never leaves unless the account allows it.
 */
export async function testConnection(
  target: ConnectionTarget,
  timeouts: ConnectionTestTimeouts = DEFAULT_TEST_TIMEOUTS,
): Promise<ConnectionTestOutcome> {
  const steps: Step[] = [];
  let capabilities: Capabilities | undefined;
  let certificate: CertificateInfo | undefined;
  let seenCertificate: SeenCertificate | undefined;
  let dialogue: SmtpDialogue | undefined;
  const { host, port, security } = target;

  const ok = (step: StepName, detail: string) => steps.push({ step, status: 'ok', detail });
  const skip = (step: StepName, detail: string) => steps.push({ step, status: 'skipped', detail });
  const fail = (step: StepName, error: ErrorInfo, hint: string): never => {
    steps.push({ step, status: 'failed', detail: error.message, hint, error });
    throw new StepFailed();
  };

  async function resolve(): Promise<void> {
    if (net.isIP(host) !== 0) {
      ok('resolve', `${host} is an IP address; nothing to look up.`);
      return;
    }
    try {
      const addresses = await lookup(host, { all: true });
      if (addresses.length === 0)
        throw Object.assign(new Error(`No address for ${host}.`), { code: 'ENOTFOUND' });
      ok('resolve', `${host} is ${addresses.map((entry) => entry.address).join(', ')}.`);
    } catch (error) {
      const code = errorCode(error);
      fail(
        'resolve',
        bridge('dns_failed', `The name ${host} could not be looked up (${code || 'DNS error'}).`),
        code === 'ENOTFOUND'
          ? 'Check the server name for typos. If it is right, your network or DNS may be down.'
          : 'The name server did not answer. Check your network connection, then try again.',
      );
    }
  }

  async function connect(): Promise<net.Socket> {
    // By name, not by the address looked up: Node then tries IPv6 and IPv4 in turn (happy eyeballs).
    const socket = net.connect({ host, port });
    socket.setNoDelay(true);
    try {
      await settled(socket, 'connect', timeouts.connectMs, () =>
        Object.assign(new Error('Connection timeout'), { code: 'ETIMEDOUT' }),
      );
    } catch (error) {
      socket.destroy();
      const failure = classifySmtpError(error as Error);
      const hints: Partial<Record<ErrorCode, string>> = {
        connection_refused: `Nothing accepts connections on port ${port}. Check the port: usually 465 for TLS or 587 for STARTTLS.`,
        timeout: `No answer within ${timeouts.connectMs / 1000} s. A firewall or your provider may block port ${port} (port 25 is often blocked); try 465 or 587.`,
        offline: 'The network cannot reach the server. Check your connection.',
      };
      return fail(
        'connect',
        bridge(failure.code, failure.message),
        hints[failure.code] ?? 'Check the server name and port.',
      );
    }
    ok('connect', `Connected to ${socket.remoteAddress ?? host} port ${port}.`);
    return socket;
  }

  /** Negotiates TLS over `plain`, checking the certificate ourselves so the user can be shown it. */
  async function handshake(plain: net.Socket): Promise<tls.TLSSocket> {
    const secure = tls.connect({
      ...tlsOptions({
        host,
        port,
        security,
        ...(target.pinnedCert ? { pinnedCert: target.pinnedCert } : {}),
      }),
      host,
      socket: plain,
      // Verification still runs and sets `authorized`; refusing by hand below lets us report the
      // certificate. We close before writing a single SMTP byte over an untrusted connection.
      rejectUnauthorized: false,
    });
    try {
      await settled(
        secure,
        'secureConnect',
        timeouts.replyMs,
        () => new ReplyTimeout('The TLS handshake did not finish in time.'),
      );
    } catch (error) {
      secure.destroy();
      if (error instanceof ReplyTimeout) {
        return fail(
          'tls',
          bridge('timeout', error.message),
          'The server took the connection but did not negotiate TLS. Check the port and security setting.',
        );
      }
      const text = `${errorCode(error)} ${error instanceof Error ? error.message : ''}`;
      if (TLS_PROTOCOL_MISMATCH.test(text)) {
        return fail(
          'tls',
          bridge('wrong_tls_mode', `The server on port ${port} does not start with TLS.`),
          security === 'tls'
            ? `Port ${port} expects plain SMTP first: choose STARTTLS (usually port 587), or use port 465 for TLS.`
            : 'The server answered STARTTLS but then did not speak TLS. Try TLS on port 465.',
        );
      }
      if (TLS_TOO_OLD.test(text)) {
        return fail(
          'tls',
          bridge('tls_failed', 'The server does not offer TLS 1.2 or newer.'),
          'Outbox refuses older TLS as unsafe. Ask the provider to update the server.',
        );
      }
      // OpenSSL's `reason` is a short phrase; its message carries file names and line numbers.
      const reason =
        typeof error === 'object' && error !== null && 'reason' in error ? String(error.reason) : '';
      return fail(
        'tls',
        bridge('tls_failed', `The secure connection failed (${reason || errorCode(error) || 'TLS error'}).`),
        'Check the port and security setting, then try again.',
      );
    }
    const seen = certificateInfo(secure);
    certificate = seen?.info;
    seenCertificate = seen?.seen;
    if (!secure.authorized) {
      secure.destroy();
      const fingerprint = seen?.info.fingerprint256 ?? 'unknown';
      const reason = String(secure.authorizationError);
      if (target.pinnedCert) {
        return fail(
          'tls',
          bridge(
            'certificate_untrusted',
            `The server's certificate (${fingerprint}) is not the one pinned for this account.`,
          ),
          'The server now shows another certificate. If it was renewed, confirm the new fingerprint with its administrator and pin it again; otherwise someone may be intercepting the connection.',
        );
      }
      return fail(
        'tls',
        bridge(
          'certificate_untrusted',
          `The server's certificate is not trusted (${reason}). SHA-256 fingerprint: ${fingerprint}.`,
        ),
        'If this is your own server or a local bridge (such as Proton Mail Bridge), compare this fingerprint with the one it shows and pin the certificate for this account.',
      );
    }
    ok(
      'tls',
      `${secure.getProtocol() ?? 'TLS'} with a ${target.pinnedCert ? 'pinned' : 'trusted'} certificate for ${seen?.info.subject ?? host}.`,
    );
    return secure;
  }

  /** True if something on the port completes a TLS handshake: the sign of an implicit-TLS port. */
  async function speaksTls(): Promise<boolean> {
    // Only a probe: no data is ever written, so the certificate does not matter here.
    const probe = tls.connect({ host, port, rejectUnauthorized: false });
    try {
      await settled(probe, 'secureConnect', timeouts.replyMs, () => new ReplyTimeout('No TLS handshake.'));
      return true;
    } catch {
      return false;
    } finally {
      probe.destroy();
    }
  }

  function replyError(step: StepName, reply: SmtpReply, what: string): never {
    return fail(
      step,
      bridge(
        reply.code >= 500 ? 'server_rejected' : 'server_deferred',
        `The server answered ${what} with ${reply.code} ${reply.text}`,
      ),
      reply.code >= 500
        ? 'The server refuses this; check the host and port.'
        : 'The server is busy; try again in a few minutes.',
    );
  }

  function sessionError(step: StepName, error: unknown): never {
    if (error instanceof StepFailed) throw error;
    const failure = classifySmtpError(error as Error);
    return fail(step, bridge(failure.code, failure.message), 'The connection broke off; try again.');
  }

  async function greetAndEhlo(session: SmtpDialogue, afterTls: boolean): Promise<void> {
    try {
      if (!afterTls) {
        let greeting: SmtpReply;
        try {
          greeting = await session.read(timeouts.greetingMs);
        } catch (error) {
          if (error instanceof ReplyTimeout && security !== 'tls' && (await speaksTls())) {
            fail(
              'ehlo',
              bridge(
                'wrong_tls_mode',
                `The server on port ${port} expects TLS from the start and never greeted.`,
              ),
              `Choose TLS for port ${port}${port === 465 ? '' : ' (as on port 465)'}, or use port 587 for STARTTLS.`,
            );
          }
          throw error;
        }
        if (greeting.code !== 220) replyError('ehlo', greeting, 'the connection');
      }
      const ehlo = await session.command(`EHLO ${target.clientName ?? 'outbox.localhost'}`);
      if (ehlo.code !== 250) replyError('ehlo', ehlo, 'EHLO');
      capabilities = parseCapabilities(ehlo);
      ok('ehlo', `${afterTls ? 'Over TLS: ' : ''}${describeCapabilities(capabilities)}`);
    } catch (error) {
      if (error instanceof ReplyTimeout) {
        fail(
          'ehlo',
          bridge('timeout', error.message),
          'The server is very slow or is not an SMTP server. Check the port.',
        );
      }
      sessionError('ehlo', error);
    }
  }

  async function starttls(session: SmtpDialogue): Promise<void> {
    if (!capabilities?.starttls) {
      fail(
        'starttls',
        bridge('starttls_unavailable', `The server on port ${port} does not offer STARTTLS.`),
        'Outbox will not send your password or mail unencrypted here. Use TLS (usually port 465) if the server offers it.' +
          (port === 465 ? ' Port 465 normally expects TLS from the start: choose TLS.' : ''),
      );
    }
    try {
      const reply = await session.command('STARTTLS');
      if (reply.code !== 220) replyError('starttls', reply, 'STARTTLS');
    } catch (error) {
      sessionError('starttls', error);
    }
    // Lines after the 220 came in plaintext, yet would be read as the server's answers over TLS:
    // someone on the way may have put them there (the STARTTLS command injection class of attacks).
    if (session.hasUnread()) {
      fail(
        'starttls',
        bridge('tls_failed', 'The server sent more after agreeing to STARTTLS, before the encryption began.'),
        'Something between you and the server may be tampering with the connection. Try another network, or TLS (usually port 465).',
      );
    }
    ok('starttls', 'The server agreed to switch to TLS.');
  }

  async function authenticate(session: SmtpDialogue): Promise<void> {
    const auth = target.auth;
    if (!auth) {
      skip('auth', 'This account sends without signing in.');
      return;
    }
    let password: string | undefined;
    try {
      password = await auth.password();
    } catch (error) {
      if (error instanceof AppError) fail('auth', error.toErrorInfo(), error.message);
      throw error;
    }
    if (password === undefined) {
      return fail(
        'auth',
        bridge('auth_required', 'No password is saved for this account.'),
        'Enter the password (or app password) for this account, then test again.',
      );
    }
    const offered = capabilities?.auth ?? [];
    const method = SIGN_IN_METHODS.find((candidate) => offered.includes(candidate));
    if (!method) {
      return fail(
        'auth',
        bridge(
          'auth_failed',
          offered.length > 0
            ? `The server offers sign-in only with ${offered.join(', ')}, which Outbox does not support.`
            : 'The server does not offer sign-in on this connection.',
        ),
        security === 'none'
          ? 'Many servers offer sign-in only over an encrypted connection: choose STARTTLS or TLS.'
          : 'Check the port: some servers accept mail from other servers only on port 25.',
      );
    }
    try {
      const reply = await signIn(session, method, auth.user, password);
      if (reply.code === 235) {
        ok('auth', `Signed in as ${auth.user} (${method}).`);
        return;
      }
      const failure = classifySmtpError({
        responseCode: reply.code,
        response: `${reply.code} ${reply.text}`,
        command: 'AUTH',
      });
      const note = presetForServer(host, port)?.note;
      const hints: Partial<Record<ErrorCode, string>> = {
        auth_failed: `Check the user name and password.${note ? ` ${note}` : ''}`,
        auth_required:
          'The server wants something before sign-in, usually an encrypted connection: choose STARTTLS or TLS.',
      };
      fail(
        'auth',
        bridge(failure.code, failure.message),
        hints[failure.code] ?? 'The server refused sign-in; try again later.',
      );
    } catch (error) {
      sessionError('auth', error);
    }
  }

  try {
    await resolve();
    const socket = await connect();
    if (security === 'tls') {
      dialogue = new SmtpDialogue(await handshake(socket), timeouts.replyMs);
      await greetAndEhlo(dialogue, false);
      skip('starttls', 'Not needed: the connection is encrypted from the start.');
    } else {
      dialogue = new SmtpDialogue(socket, timeouts.replyMs);
      await greetAndEhlo(dialogue, false);
      if (security === 'starttls') {
        await starttls(dialogue);
        await dialogue.upgrade(handshake);
        await greetAndEhlo(dialogue, true);
      } else {
        const offered = capabilities?.starttls
          ? ' The server offers STARTTLS: switch this account to STARTTLS to encrypt the password and mail.'
          : '';
        skip('starttls', `Off: this account is confirmed to send without encryption.${offered}`);
        skip('tls', 'Off: this account is confirmed to send without encryption.');
      }
    }
    await authenticate(dialogue);
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    const done = new Set(steps.map((step) => step.step));
    for (const step of PLANS[security].filter((name) => !done.has(name))) {
      skip(step, 'Not tried because an earlier step failed.');
    }
  } finally {
    await dialogue?.close();
  }

  const report: ConnectionReport = {
    ok: steps.every((step) => step.status !== 'failed'),
    steps,
    ...(capabilities ? { capabilities } : {}),
    ...(certificate ? { certificate } : {}),
  };
  return seenCertificate ? { report, seenCertificate } : { report };
}
