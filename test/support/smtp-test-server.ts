import type { Socket } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMessage {
  readonly from: string;
  readonly to: readonly string[];
  readonly raw: Buffer;
  readonly messageId: string | undefined;
  /** What MAIL FROM declared: BODY=8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531). */
  readonly declared: { readonly body: string | undefined; readonly smtpUtf8: boolean };
}

/** What the server does with one DATA transfer. */
export type DataAction =
  | 'accept'
  /** Drops the connection after the first chunk of the body: nothing was delivered. */
  | 'drop-mid-data'
  /** Keeps the message (as a server that crashed before replying would) and drops the connection. */
  | 'drop-after-dot'
  | { readonly reply: number; readonly message: string }
  | { readonly delayMs: number };

export interface TestServerOptions {
  readonly tls?: { readonly key: string; readonly cert: string; readonly mode: 'tls' | 'starttls' };
  /** Accounts the server accepts; AUTH is required when set. */
  readonly users?: Readonly<Record<string, string>>;
  readonly authMethods?: readonly ('PLAIN' | 'LOGIN' | 'CRAM-MD5' | 'XOAUTH2')[];
  /** Answers every AUTH with this reply, whatever the credentials (a provider refusing sign-in). */
  readonly authReply?: { readonly code: number; readonly message: string };
  /**
   * Whether an XOAUTH2 access token is good for this user; AUTH is required when set. A refused one
   * gets the XOAUTH2 error challenge (334 with a JSON error), then 535.
   */
  readonly acceptToken?: (user: string, token: string) => boolean | Promise<boolean>;
  readonly size?: number;
  readonly hideSMTPUTF8?: boolean;
  /** Delays the greeting (a slow or overloaded server). */
  readonly greetingDelayMs?: number;
  /** A reply code and text to refuse a recipient with, or undefined to accept it. */
  readonly onRcptTo?: (address: string) => { code: number; message: string } | undefined;
  readonly onData?: (index: number) => DataAction;
  /** Keep only envelope and Message-ID, for tests that send thousands of messages. */
  readonly dropBodies?: boolean;
  /** The text of the 250 reply that takes a message ("2.0.0 Ok: queued as …"). */
  readonly queuedReply?: string;
  /** Answers every connection with this reply instead of a greeting (421: closing). */
  readonly refuseGreeting?: { readonly code: number; readonly message: string };
  /** Refuses STARTTLS as a server without TLS does (smtp-server's own reply; set when starting). */
  readonly disableStartTls?: boolean;
  readonly hide8BITMIME?: boolean;
  /**
   * Refuses with 500, as strict servers do, what SMTP does not allow: a line over 998 octets
   * (RFC 5321 §4.5.3.1.6), 8-bit body bytes without BODY=8BITMIME (RFC 6152), raw UTF-8 in the
   * header without SMTPUTF8 (RFC 6531).
   */
  readonly strict?: boolean;
}

/** Why a strict server refuses this message, if it does. */
function strictRefusal(raw: Buffer, declared: ReceivedMessage['declared']): string | undefined {
  const text = raw.toString('latin1');
  if (text.split('\r\n').some((line) => line.length > 998)) return '5.5.2 Line too long';
  const end = text.indexOf('\r\n\r\n');
  const eightBit = /[\x80-\xff]/;
  if (!declared.smtpUtf8 && eightBit.test(text.slice(0, end))) return '5.6.7 UTF-8 header without SMTPUTF8';
  if (declared.body !== '8bitmime' && !declared.smtpUtf8 && eightBit.test(text.slice(end))) {
    return '5.6.1 8-bit body without BODY=8BITMIME';
  }
  return undefined;
}

export interface TestServer {
  readonly port: number;
  readonly messages: ReceivedMessage[];
  readonly authAttempts: { user: string; ok: boolean }[];
  /** DATA commands that reached the body stage. */
  readonly dataCount: () => number;
  /** Connections accepted, refused greetings included. */
  readonly connectionCount: () => number;
  /** Changes behaviour while running (e.g. the right password from now on). */
  options: TestServerOptions;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string) =>
  Object.assign(new Error(message), { responseCode: code });

/** nodemailer's smtp-server on 127.0.0.1, port 0, with the faults the outbox must survive. */
export async function startTestServer(initial: TestServerOptions = {}): Promise<TestServer> {
  const messages: ReceivedMessage[] = [];
  const authAttempts: { user: string; ok: boolean }[] = [];
  let dataIndex = 0;
  let connections = 0;
  const state = { options: initial };

  const socketOf = (session: SMTPServerSession): Socket | undefined => {
    const connections = (server as unknown as { connections: Set<{ id: string; _socket: Socket }> })
      .connections;
    return [...connections].find((c) => c.id === session.id)?._socket;
  };

  const config: SMTPServerOptions = {
    secure: initial.tls?.mode === 'tls',
    ...(initial.tls ? { key: initial.tls.key, cert: initial.tls.cert } : { hideSTARTTLS: true }),
    ...(initial.users || initial.acceptToken
      ? {
          authMethods: [...(initial.authMethods ?? (initial.acceptToken ? ['XOAUTH2'] : ['PLAIN', 'LOGIN']))],
        }
      : { authOptional: true }),
    allowInsecureAuth: true,
    ...(initial.size ? { size: initial.size } : {}),
    hideSMTPUTF8: initial.hideSMTPUTF8 ?? false,
    ...(initial.disableStartTls ? { disabledCommands: ['STARTTLS'] } : {}),
    hide8BITMIME: initial.hide8BITMIME ?? false,
    logger: false,
    onConnect(_session, callback) {
      connections++;
      const refusal = state.options.refuseGreeting;
      if (refusal) {
        callback(smtpError(refusal.code, refusal.message));
        return;
      }
      const delay = state.options.greetingDelayMs ?? 0;
      if (delay > 0) setTimeout(callback, delay);
      else callback();
    },
    onAuth(auth, _session, callback) {
      const refusal = state.options.authReply;
      if (refusal) {
        authAttempts.push({ user: auth.username ?? '', ok: false });
        callback(smtpError(refusal.code, refusal.message));
        return;
      }
      if (auth.method === 'XOAUTH2') {
        const user = auth.username ?? '';
        const accept = state.options.acceptToken ?? (() => false);
        Promise.resolve(accept(user, auth.accessToken ?? '')).then((ok) => {
          authAttempts.push({ user, ok });
          if (ok) callback(null, { user });
          // RFC 7628 §3.2.2 as Google and Microsoft answer it: a 334 error challenge, then 535.
          else callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://mail.example/' } });
        }, callback);
        return;
      }
      const expected = state.options.users?.[auth.username ?? ''];
      // CRAM-MD5 sends no password, only an HMAC of the challenge, which the server checks.
      const ok =
        expected !== undefined &&
        (auth.method === 'CRAM-MD5' ? auth.validatePassword(expected) : auth.password === expected);
      authAttempts.push({ user: auth.username ?? '', ok });
      if (ok) callback(null, { user: auth.username });
      else callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
    },
    onRcptTo(address, _session, callback) {
      const refusal = state.options.onRcptTo?.(address.address);
      if (refusal) callback(smtpError(refusal.code, refusal.message));
      else callback();
    },
    onData(stream, session, callback) {
      const action = state.options.onData?.(dataIndex++) ?? 'accept';
      const chunks: Buffer[] = [];
      if (action === 'drop-mid-data') {
        stream.once('data', () => socketOf(session)?.destroy());
      }
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (action === 'drop-mid-data') return;
        if (typeof action === 'object' && 'reply' in action) {
          callback(smtpError(action.reply, action.message));
          return;
        }
        const raw = Buffer.concat(chunks);
        const envelope = session.envelope;
        const declared = { body: envelope.bodyType, smtpUtf8: envelope.smtpUtf8 === true };
        const refusal = state.options.strict ? strictRefusal(raw, declared) : undefined;
        if (refusal !== undefined) {
          callback(smtpError(500, refusal));
          return;
        }
        const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(
          raw.subarray(0, 64 * 1024).toString('latin1'),
        )?.[1];
        messages.push({
          from: envelope.mailFrom ? envelope.mailFrom.address : '',
          to: envelope.rcptTo.map((r) => r.address),
          raw: state.options.dropBodies ? Buffer.alloc(0) : raw,
          messageId,
          declared,
        });
        if (action === 'drop-after-dot') {
          socketOf(session)?.destroy();
          return;
        }
        const delay = typeof action === 'object' ? action.delayMs : 0;
        setTimeout(() => {
          callback(null, state.options.queuedReply ?? 'Message queued');
        }, delay);
      });
    },
  };
  const server = new SMTPServer(config);
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    messages,
    authAttempts,
    dataCount: () => dataIndex,
    connectionCount: () => connections,
    get options() {
      return state.options;
    },
    set options(next) {
      state.options = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
