import { createHmac } from 'node:crypto';
import type SMTPConnection from 'nodemailer/lib/smtp-connection';
import { AppError } from '../errors/app-error.ts';
import type { SmtpReply } from './smtp-dialogue.ts';

/** Sends mail without AUTH (a relay that trusts the network, a local bridge). */
export interface NoSignIn {
  readonly kind: 'none';
}

/** A user name and password (or app password), sent with PLAIN, LOGIN or CRAM-MD5. */
export interface PasswordSignIn {
  readonly kind: 'password';
  readonly user: string;
  readonly pass: string;
}

/**
 * An OAuth2 access token, sent with XOAUTH2. The token is asked for when a session signs in, not
 * when the endpoint is made: a pooled session opened an hour later needs one still valid.
 */
export interface XOAuth2SignIn {
  readonly kind: 'xoauth2';
  readonly user: string;
  /**
   * A valid access token; `fresh` when the server refused the one held, `refused` being that token.
   * Throws AppError (oauth_signin_required, oauth_unreachable, keychain_*).
   */
  token(fresh: boolean, refused?: string): Promise<string>;
}

/**
 * How a session signs in: one variant per kind of credential. Delivery hands it to nodemailer
 * (`nodemailerAuth`; XOAUTH2 through `nodemailerCustomAuth`, which runs our own exchange); the
 * connection test runs the same SASL mechanisms itself (`saslExchange`), so it can report what the
 * server said. A new kind is a variant here, its case in `nodemailerAuth` and its mechanisms in
 * `MECHANISMS`.
 */
export type SmtpAuth = NoSignIn | PasswordSignIn | XOAuth2SignIn;

/** A sign-in that sends credentials. */
export type Credentialed = Exclude<SmtpAuth, NoSignIn>;

/**
 * Our XOAUTH2 as nodemailer's custom method. Not named XOAUTH2: nodemailer replaces that method,
 * when it has no refresher of its own, with the first the server offers (PLAIN at Gmail).
 */
const CUSTOM_XOAUTH2 = 'OUTBOX-XOAUTH2';

/** nodemailer's `auth` option for delivery; `undefined` sends without signing in. */
export function nodemailerAuth(auth: SmtpAuth): SMTPConnection.AuthenticationType | undefined {
  switch (auth.kind) {
    case 'none':
      return undefined;
    case 'password':
      return { user: auth.user, pass: auth.pass };
    case 'xoauth2':
      // Run by `nodemailerCustomAuth`: nodemailer's own XOAUTH2 refresher drops rotated refresh tokens.
      return { type: 'custom', method: CUSTOM_XOAUTH2, user: auth.user, pass: '' };
  }
}

/** Why a custom exchange failed before the server could refuse: the AppError is its `cause`. */
class SignInUnavailable extends Error {
  override readonly name = 'SignInUnavailable';
}

/** A server that does not offer XOAUTH2 would answer it 504, read as a permanent refusal of the message. */
function notOffered(offered: readonly string[]): AppError {
  const which = offered.length > 0 ? ` (it offers ${offered.join(', ')})` : '';
  return new AppError(
    'auth_failed',
    `The server does not offer sign-in with OAuth2 (XOAUTH2)${which}. Check the host and port.`,
  );
}

/**
 * nodemailer's `customAuth` option: XOAUTH2 runs the exchange the connection test runs (one fresh
 * token after a refusal), over nodemailer's session.
 */
export function nodemailerCustomAuth(
  auth: SmtpAuth,
): SMTPConnection.CustomAuthenticationHandlers | undefined {
  if (auth.kind !== 'xoauth2') return undefined;
  return {
    [CUSTOM_XOAUTH2]: async (context) => {
      const channel: SaslChannel = {
        command: async (line) => {
          const { status, text } = await context.sendCommand(line);
          return { code: status, text, lines: [text] };
        },
      };
      // nodemailer rewrites the code of what it is handed (to EAUTH): an AppError rides in `cause`.
      if (!context.authMethods.includes('XOAUTH2')) {
        context.reject(
          new SignInUnavailable('XOAUTH2 not offered', { cause: notOffered(context.authMethods) }),
        );
        return;
      }
      try {
        const reply = await xoauth2Exchange(channel, auth);
        if (reply.code === 235) context.resolve();
        else context.reject('Invalid login');
      } catch (error) {
        context.reject(new SignInUnavailable('No access token', { cause: error }));
      }
    },
  };
}

/** Signs a nodemailer session in (delivery's pool); resolves at once when there is nothing to send. */
export function logIn(connection: SMTPConnection, auth: SmtpAuth): Promise<void> {
  const options = nodemailerAuth(auth);
  if (!options) return Promise.resolve();
  return new Promise((resolve, reject) => {
    connection.login(options, (error) => {
      if (!error) resolve();
      else if (error instanceof SignInUnavailable && error.cause instanceof Error) reject(error.cause);
      else reject(error);
    });
  });
}

/** The one thing a SASL exchange needs from a session: send a line, read the reply. */
export interface SaslChannel {
  command(line: string): Promise<SmtpReply>;
}

type AuthOf<K extends Credentialed['kind']> = Extract<Credentialed, { kind: K }>;

/** A SASL mechanism: its name in `AUTH <name>`, and the exchange, ending with the server's last reply. */
type Mechanism<A extends Credentialed> = readonly [
  name: string,
  run: (channel: SaslChannel, auth: A) => Promise<SmtpReply>,
];

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

/**
 * One XOAUTH2 sign-in (Google's and Microsoft's spec): `user=<u>^Aauth=Bearer <t>^A^A`, base64. A
 * refused token gets a 334 with an error (base64 JSON); the client answers with an empty line and
 * the server ends with its final reply (535).
 */
async function xoauth2Attempt(channel: SaslChannel, auth: XOAuth2SignIn, token: string): Promise<SmtpReply> {
  const reply = await channel.command(
    `AUTH XOAUTH2 ${base64(`user=${auth.user}\x01auth=Bearer ${token}\x01\x01`)}`,
  );
  return reply.code === 334 ? channel.command('') : reply;
}

/**
 * XOAUTH2 with one second chance: a token the server refused (it may have been revoked or expired
 * early) is replaced by a fresh one, once; refused again, the account needs the user.
 */
async function xoauth2Exchange(channel: SaslChannel, auth: XOAuth2SignIn): Promise<SmtpReply> {
  const token = await auth.token(false);
  const reply = await xoauth2Attempt(channel, auth, token);
  return reply.code === 535 ? xoauth2Attempt(channel, auth, await auth.token(true, token)) : reply;
}

/**
 * The mechanisms each kind of sign-in can use, in nodemailer's order of preference, so the
 * connection test signs in the way delivery will.
 */
const MECHANISMS: { readonly [K in Credentialed['kind']]: readonly Mechanism<AuthOf<K>>[] } = {
  password: [
    // RFC 4616: authorisation identity (empty), user and password in one line.
    ['PLAIN', (channel, { user, pass }) => channel.command(`AUTH PLAIN ${base64(`\0${user}\0${pass}`)}`)],
    [
      'LOGIN',
      async (channel, { user, pass }) => {
        let reply = await channel.command('AUTH LOGIN');
        if (reply.code === 334) reply = await channel.command(base64(user));
        if (reply.code === 334) reply = await channel.command(base64(pass));
        return reply;
      },
    ],
    [
      'CRAM-MD5',
      // RFC 2195: the password never crosses the wire, only an HMAC of the server's challenge.
      async (channel, { user, pass }) => {
        const reply = await channel.command('AUTH CRAM-MD5');
        if (reply.code !== 334) return reply;
        const challenge = Buffer.from(reply.text, 'base64').toString('latin1');
        const digest = createHmac('md5', pass).update(challenge, 'latin1').digest('hex');
        return channel.command(base64(`${user} ${digest}`));
      },
    ],
  ],
  xoauth2: [['XOAUTH2', xoauth2Exchange]],
};

/** One SASL exchange, ready to run over a session. */
export interface SaslExchange {
  /** As in `AUTH <mechanism>`. */
  readonly mechanism: string;
  /** Runs the exchange; resolves with the server's last reply (235 when signed in). */
  run(channel: SaslChannel): Promise<SmtpReply>;
}

function firstOffered<K extends Credentialed['kind']>(
  kind: K,
  auth: AuthOf<K>,
  offered: readonly string[],
): SaslExchange | undefined {
  const found = MECHANISMS[kind].find(([name]) => offered.includes(name));
  if (!found) return undefined;
  const [mechanism, run] = found;
  return { mechanism, run: (channel) => run(channel, auth) };
}

/**
 * The exchange this sign-in uses with a server offering `offered` (EHLO's AUTH list, upper case),
 * or `undefined` when the server offers none this sign-in can use.
 */
export function saslExchange(auth: Credentialed, offered: readonly string[]): SaslExchange | undefined {
  return firstOffered(auth.kind, auth, offered);
}
