import { describe, expect, it } from 'vitest';
import {
  nodemailerAuth,
  saslExchange,
  type PasswordSignIn,
  type SaslChannel,
  type SmtpAuth,
  type XOAuth2SignIn,
} from '../../../main/smtp/sign-in.ts';
import type { SmtpReply } from '../../../main/smtp/smtp-dialogue.ts';

// RFC 2195's own example, so the CRAM-MD5 digest is checked against the RFC, not against ourselves.
const TIM: PasswordSignIn = { kind: 'password', user: 'tim', pass: 'tanstaaftanstaaf' };
const RFC_2195_CHALLENGE = 'PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+';
const RFC_2195_RESPONSE = 'dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw';

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function reply(code: number, text = ''): SmtpReply {
  return { code, text, lines: [text] };
}

/** A server that answers each command with the next scripted reply and records what it was sent. */
function scripted(replies: SmtpReply[]): SaslChannel & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    command(line) {
      sent.push(line);
      const next = replies.shift();
      return next ? Promise.resolve(next) : Promise.reject(new Error(`no reply scripted for ${line}`));
    },
  };
}

describe('nodemailerAuth: the sign-in as delivery hands it to nodemailer', () => {
  it.each<[SmtpAuth, unknown]>([
    [{ kind: 'none' }, undefined],
    [
      { kind: 'password', user: 'ada@example.com', pass: 'secret' },
      { user: 'ada@example.com', pass: 'secret' },
    ],
  ])('%j', (auth, options) => {
    expect(nodemailerAuth(auth)).toEqual(options);
  });
});

describe('saslExchange: the mechanism chosen from what the server offers (nodemailer: PLAIN, LOGIN, CRAM-MD5)', () => {
  it.each<[string[], string | undefined]>([
    [['PLAIN', 'LOGIN'], 'PLAIN'],
    [['LOGIN', 'PLAIN'], 'PLAIN'],
    [['LOGIN'], 'LOGIN'],
    [['CRAM-MD5', 'LOGIN'], 'LOGIN'],
    [['CRAM-MD5'], 'CRAM-MD5'],
    [['GSSAPI', 'CRAM-MD5', 'PLAIN'], 'PLAIN'],
    [['XOAUTH2', 'GSSAPI'], undefined],
    [[], undefined],
  ])('offered %j: %s', (offered, mechanism) => {
    expect(saslExchange(TIM, offered)?.mechanism).toBe(mechanism);
  });
});

describe('the SASL steps of a password sign-in', () => {
  it.each<[string, SmtpReply[], string[], number]>([
    ['PLAIN', [reply(235)], [`AUTH PLAIN ${b64('\0tim\0tanstaaftanstaaf')}`], 235],
    ['PLAIN', [reply(535, '5.7.8 bad')], [`AUTH PLAIN ${b64('\0tim\0tanstaaftanstaaf')}`], 535],
    [
      'LOGIN',
      [reply(334, b64('Username:')), reply(334, b64('Password:')), reply(235)],
      ['AUTH LOGIN', b64('tim'), b64('tanstaaftanstaaf')],
      235,
    ],
    ['LOGIN', [reply(334, b64('Username:')), reply(535)], ['AUTH LOGIN', b64('tim')], 535],
    ['LOGIN', [reply(504, 'not now')], ['AUTH LOGIN'], 504],
    ['CRAM-MD5', [reply(334, RFC_2195_CHALLENGE), reply(235)], ['AUTH CRAM-MD5', RFC_2195_RESPONSE], 235],
    ['CRAM-MD5', [reply(504)], ['AUTH CRAM-MD5'], 504],
  ])('%s, server says %j: sends %j, ends with %i', async (mechanism, replies, sent, last) => {
    const channel = scripted(replies);
    const exchange = saslExchange(TIM, [mechanism]);
    expect(exchange?.mechanism).toBe(mechanism);
    await expect(exchange?.run(channel)).resolves.toMatchObject({ code: last });
    expect(channel.sent).toEqual(sent);
  });

  it('CRAM-MD5 never puts the password on the wire', async () => {
    const channel = scripted([reply(334, RFC_2195_CHALLENGE), reply(235)]);
    await saslExchange(TIM, ['CRAM-MD5'])?.run(channel);
    const wire = channel.sent
      .map((line) => `${line} ${Buffer.from(line, 'base64').toString('latin1')}`)
      .join('\n');
    expect(wire).not.toContain(TIM.pass);
  });
});

describe('the SASL steps of an XOAUTH2 sign-in (one fresh token after a refusal)', () => {
  /** A sign-in whose tokens are numbered, recording whether each was asked to be fresh. */
  function oauth(): XOAuth2SignIn & { asked: boolean[] } {
    const asked: boolean[] = [];
    return {
      kind: 'xoauth2',
      user: 'ada@example.com',
      asked,
      token(fresh) {
        asked.push(fresh);
        return Promise.resolve(`token-${asked.length}`);
      },
    };
  }
  const xoauth2 = (token: string) =>
    `AUTH XOAUTH2 ${b64(`user=ada@example.com\x01auth=Bearer ${token}\x01\x01`)}`;
  const challenge = reply(334, b64('{"status":"401","schemes":"bearer","scope":"https://mail.google.com/"}'));

  it.each<[string, SmtpReply[], string[], boolean[], number]>([
    ['accepted', [reply(235)], [xoauth2('token-1')], [false], 235],
    [
      'refused with the error challenge, then accepted',
      [challenge, reply(535, '5.7.8 bad'), reply(235)],
      [xoauth2('token-1'), '', xoauth2('token-2')],
      [false, true],
      235,
    ],
    [
      'refused with a plain 535, then accepted',
      [reply(535, '5.7.8 bad'), reply(235)],
      [xoauth2('token-1'), xoauth2('token-2')],
      [false, true],
      235,
    ],
    [
      'refused twice: no third try',
      [challenge, reply(535), challenge, reply(535)],
      [xoauth2('token-1'), '', xoauth2('token-2'), ''],
      [false, true],
      535,
    ],
    ['another refusal is not retried', [reply(454, '4.7.0 later')], [xoauth2('token-1')], [false], 454],
  ])('%s', async (_name, replies, sent, asked, last) => {
    const auth = oauth();
    const channel = scripted(replies);
    const exchange = saslExchange(auth, ['PLAIN', 'XOAUTH2']);
    expect(exchange?.mechanism).toBe('XOAUTH2');
    await expect(exchange?.run(channel)).resolves.toMatchObject({ code: last });
    expect(channel.sent).toEqual(sent);
    expect(auth.asked).toEqual(asked);
  });

  it('is not offered to a server without XOAUTH2', () => {
    expect(saslExchange(oauth(), ['PLAIN', 'LOGIN'])).toBeUndefined();
  });
});
