import { createHmac } from 'node:crypto';
import type SMTPConnection from 'nodemailer/lib/smtp-connection';
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
 * How a session signs in: one variant per kind of credential. Delivery hands it to nodemailer
 * (`nodemailerAuth`); the connection test runs the same SASL mechanisms itself (`saslExchange`),
 * so it can report what the server said. A new kind (XOAUTH2) is a variant here, its case in
 * `nodemailerAuth` and its mechanisms in `MECHANISMS`.
 */
export type SmtpAuth = NoSignIn | PasswordSignIn;

/** A sign-in that sends credentials. */
export type Credentialed = Exclude<SmtpAuth, NoSignIn>;

/** nodemailer's `auth` option for delivery; `undefined` sends without signing in. */
export function nodemailerAuth(auth: SmtpAuth): SMTPConnection.AuthenticationType | undefined {
  switch (auth.kind) {
    case 'none':
      return undefined;
    case 'password':
      return { user: auth.user, pass: auth.pass };
  }
}

/** Signs a nodemailer session in (delivery's pool); resolves at once when there is nothing to send. */
export function logIn(connection: SMTPConnection, auth: SmtpAuth): Promise<void> {
  const options = nodemailerAuth(auth);
  if (!options) return Promise.resolve();
  return new Promise((resolve, reject) => {
    connection.login(options, (error) => {
      if (error) reject(error);
      else resolve();
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
