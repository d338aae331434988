import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../preload/contract/errors.ts';
import { classifySmtpError, type FailureClass, type SmtpErrorLike } from '../../../main/smtp/smtp-failure.ts';

/** nodemailer's error for a server reply to `command`. */
const reply = (responseCode: number, response: string, command = 'DATA'): SmtpErrorLike => ({
  code: command === 'AUTH PLAIN' ? 'EAUTH' : 'EMESSAGE',
  responseCode,
  response,
  command,
  message: `Message failed: ${response}`,
});

/** nodemailer wraps Node's socket and TLS errors as ESOCKET, keeping Node's code aside. */
const socket = (originalCode: string): SmtpErrorLike => ({
  code: 'ESOCKET',
  originalCode,
  message: `connect ${originalCode} 192.0.2.1:587`,
});

describe('classifySmtpError', () => {
  it.each<[string, SmtpErrorLike, FailureClass, ErrorCode]>([
    // -- a server reply decides
    [
      '535 credentials refused',
      reply(535, '535 5.7.8 Bad credentials', 'AUTH PLAIN'),
      'attention',
      'auth_failed',
    ],
    [
      '534 sign in through the web first',
      reply(534, '534 5.7.9 Please log in', 'AUTH PLAIN'),
      'attention',
      'auth_failed',
    ],
    [
      '530 signing in required',
      reply(530, '530 5.7.0 Authentication required', 'MAIL FROM'),
      'attention',
      'auth_required',
    ],
    ['552 too large', reply(552, '552 5.3.4 Message size exceeds limit'), 'permanent', 'message_too_large'],
    ['554 naming the size', reply(554, '554 5.3.4 Message too big'), 'permanent', 'message_too_large'],
    ['554 for another reason', reply(554, '554 5.7.1 Spam detected'), 'permanent', 'server_rejected'],
    ['550 to RCPT TO', reply(550, '550 5.1.1 No such user', 'RCPT TO'), 'permanent', 'recipient_rejected'],
    ['550 to MAIL FROM', reply(550, '550 5.7.1 Sender refused', 'MAIL FROM'), 'permanent', 'server_rejected'],
    ['500 to DATA', reply(500, '500 5.5.1 Unrecognised'), 'permanent', 'server_rejected'],
    ['451 try later', reply(451, '451 4.3.0 Try again later'), 'deferred', 'server_deferred'],
    ['421 closing', reply(421, '421 4.7.0 Closing connection', 'MAIL FROM'), 'deferred', 'server_deferred'],
    ['452 out of storage', reply(452, '452 4.3.1 Insufficient storage'), 'deferred', 'server_deferred'],
    // -- no reply: nodemailer's code and Node's
    [
      'nodemailer refusing a message over the SIZE advertised',
      { code: 'EMESSAGE', message: 'Message size larger than allowed 1000' },
      'permanent',
      'message_too_large',
    ],
    [
      'sign-in failed without a reply',
      { code: 'EAUTH', message: 'Invalid login' },
      'attention',
      'auth_failed',
    ],
    [
      'no sign-in method offered',
      { code: 'ENOAUTH', message: 'Missing credentials' },
      'attention',
      'auth_failed',
    ],
    [
      'a self-signed certificate',
      socket('DEPTH_ZERO_SELF_SIGNED_CERT'),
      'attention',
      'certificate_untrusted',
    ],
    ['an expired certificate', socket('CERT_HAS_EXPIRED'), 'attention', 'certificate_untrusted'],
    [
      'a certificate for another name (in the message only)',
      {
        code: 'ESOCKET',
        message: "Hostname/IP does not match certificate's altnames: ERR_TLS_CERT_ALTNAME_INVALID",
      },
      'attention',
      'certificate_untrusted',
    ],
    [
      'an unverifiable chain (in cause)',
      {
        code: 'ESOCKET',
        message: 'socket error',
        cause: { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' },
      } as SmtpErrorLike,
      'attention',
      'certificate_untrusted',
    ],
    [
      'no STARTTLS offered',
      { code: 'ETLS', message: 'Server does not support STARTTLS' },
      'attention',
      'starttls_unavailable',
    ],
    ['TLS broke', { code: 'ETLS', message: 'wrong version number' }, 'attention', 'tls_failed'],
    ['the name does not resolve', socket('ENOTFOUND'), 'offline', 'dns_failed'],
    [
      'DNS lookup failed (nodemailer)',
      { code: 'EDNS', message: 'getaddrinfo EAI_AGAIN' },
      'offline',
      'offline',
    ],
    ['DNS not answering', socket('EAI_AGAIN'), 'offline', 'offline'],
    ['no route to the network', socket('ENETUNREACH'), 'offline', 'offline'],
    ['network down', socket('ENETDOWN'), 'offline', 'offline'],
    ['no route to the host', socket('EHOSTUNREACH'), 'offline', 'offline'],
    [
      'a timeout (nodemailer)',
      { code: 'ETIMEDOUT', message: 'Greeting never received' },
      'deferred',
      'timeout',
    ],
    ['a timeout (socket)', socket('ETIMEDOUT'), 'deferred', 'timeout'],
    ['connection refused', socket('ECONNREFUSED'), 'deferred', 'connection_refused'],
    ['connection reset', socket('ECONNRESET'), 'deferred', 'connection_failed'],
    [
      'closed unexpectedly',
      { code: 'ECONNECTION', message: 'Connection closed unexpectedly' },
      'deferred',
      'connection_failed',
    ],
    ['nothing known', {}, 'deferred', 'connection_failed'],
    // A reply code without its text is not a reply to go by.
    [
      'a 550 with no text',
      { code: 'ESOCKET', responseCode: 550, originalCode: 'ECONNRESET' },
      'deferred',
      'connection_failed',
    ],
  ])('%s', (_name, error, failureClass, code) => {
    const failure = classifySmtpError(error);
    expect({ class: failure.class, code: failure.code }).toEqual({ class: failureClass, code });
  });

  it('keeps the server’s reply and its words in the message', () => {
    const failure = classifySmtpError(reply(550, '550 5.1.1 No such user', 'RCPT TO'));
    expect(failure).toMatchObject({ responseCode: 550, response: '550 5.1.1 No such user' });
    expect(failure.message).toContain('550 5.1.1 No such user');
  });

  it('names the socket code of a certificate it does not trust', () => {
    expect(classifySmtpError(socket('CERT_HAS_EXPIRED')).message).toContain('CERT_HAS_EXPIRED');
  });
});
