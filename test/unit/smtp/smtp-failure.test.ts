import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../preload/contract/errors.ts';
import {
  classifySignInError,
  classifySmtpError,
  type FailureClass,
  type SmtpErrorLike,
} from '../../../main/smtp/smtp-failure.ts';

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

/** nodemailer's error for a reply to STARTTLS other than 220. */
const starttls = (responseCode: number, response: string): SmtpErrorLike => ({
  code: 'ETLS',
  responseCode,
  response,
  command: 'STARTTLS',
  message: `Error upgrading connection with STARTTLS: ${response}`,
});

/** Node's error for a name getaddrinfo did not find. */
const dnsError = (code: string): SmtpErrorLike => ({
  code,
  hostname: 'smtp.example.invalid',
  message: `getaddrinfo ${code} smtp.example.invalid`,
});

/** As nodemailer reports a TLS handshake that met a plain SMTP greeting. */
const TLS_ON_PLAIN_PORT: SmtpErrorLike = {
  code: 'ESOCKET',
  originalCode: 'ERR_SSL_WRONG_VERSION_NUMBER',
  reason: 'wrong version number',
  command: 'CONN',
  message:
    '40E7:error:0A00010B:SSL routines:tls_validate_record_header:wrong version number:../deps/openssl/openssl/ssl/record/methods/tlsany_meth.c:77:\n',
};

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
    [
      'TLS broke',
      { code: 'ETLS', message: 'Error initiating TLS - sslv3 alert handshake failure' },
      'attention',
      'tls_failed',
    ],
    // -- encryption not available: never sent in clear, never "failed", never a blind retry
    [
      '454 to STARTTLS',
      starttls(454, '454 4.7.0 TLS not available due to temporary reason'),
      'attention',
      'starttls_unavailable',
    ],
    [
      '502 to STARTTLS (not offered, and the account requires it)',
      starttls(502, '502 5.5.1 Error: command not recognized'),
      'attention',
      'starttls_unavailable',
    ],
    ['a TLS account on a plaintext port', TLS_ON_PLAIN_PORT, 'attention', 'wrong_tls_mode'],
    [
      'plaintext after STARTTLS was agreed',
      { code: 'ETLS', message: 'Error initiating TLS - wrong version number', command: 'STARTTLS' },
      'attention',
      'wrong_tls_mode',
    ],
    // -- DNS: a name that does not exist is that account's problem; a resolver that cannot answer is offline
    ['the name does not resolve', dnsError('ENOTFOUND'), 'deferred', 'dns_failed'],
    ['the name does not resolve (EAI_NONAME)', dnsError('EAI_NONAME'), 'deferred', 'dns_failed'],
    [
      'the name does not resolve (nodemailer)',
      { ...dnsError('ENOTFOUND'), code: 'EDNS', originalCode: 'ENOTFOUND' },
      'deferred',
      'dns_failed',
    ],
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

  it('says which host name was not found, and to check it', () => {
    expect(classifySmtpError(dnsError('ENOTFOUND')).message).toMatch(
      /"smtp\.example\.invalid" could not be found.*check the host name/,
    );
  });

  it('says encryption was not available, with the server’s words or OpenSSL’s', () => {
    expect(classifySmtpError(starttls(454, '454 4.7.0 TLS not available')).message).toMatch(
      /^Encryption was not available: .*454 4\.7\.0 TLS not available/,
    );
    expect(classifySmtpError(TLS_ON_PLAIN_PORT).message).toMatch(
      /^Encryption was not available: .*\(wrong version number\)[^\n]*$/,
    );
  });

  it('names the socket code of a certificate it does not trust', () => {
    expect(classifySmtpError(socket('CERT_HAS_EXPIRED')).message).toContain('CERT_HAS_EXPIRED');
  });
});

describe('classifySignInError', () => {
  it.each<[ErrorCode, FailureClass]>([
    // This process cannot reach the keychain (cron, no D-Bus session): not the account's fault.
    ['keychain_unavailable', 'process'],
    ['keychain_locked', 'process'],
    // The keychain answered: no password saved, or the DKIM key gone. The user must act.
    ['auth_required', 'attention'],
    ['invalid_dkim_key', 'attention'],
    // The OAuth2 provider could not be reached to refresh the token: retried like a server.
    ['oauth_unreachable', 'deferred'],
    // The provider refused the refresh token (revoked, expired), or none was ever saved.
    ['oauth_signin_required', 'attention'],
    ['oauth_not_configured', 'attention'],
  ])('%s → %s', (code, failureClass) => {
    expect(classifySignInError({ code, message: 'm' })).toEqual({ class: failureClass, code, message: 'm' });
  });
});

describe("Microsoft's and Google's refusals at sign-in", () => {
  const GMAIL_534 =
    '534-5.7.9 Application-specific password required. For more information, go to\n' +
    '534 5.7.9  https://support.google.com/mail/?p=InvalidSecondFactor d2sm1234567wrf.1 - gsmtp';
  const GMAIL_535 =
    '535-5.7.8 Username and Password not accepted. For more information, go to\n' +
    '535 5.7.8  https://support.google.com/mail/?p=BadCredentials d2sm1234567wrf.1 - gsmtp';

  it.each<[string, number, string, FailureClass, ErrorCode, RegExp]>([
    [
      'Microsoft: no passwords for this account',
      550,
      '550 5.7.30 Basic authentication is not supported for Client Submission.',
      'attention',
      'basic_auth_unsupported',
      /^Microsoft no longer accepts a password for this account: switch it to Sign in with Microsoft\. Its queued mail waits\.$/,
    ],
    [
      'Microsoft: SMTP AUTH turned off for the tenant or mailbox',
      535,
      '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information. [PR3P191CA0010.EURP191.PROD.OUTLOOK.COM]',
      'attention',
      'smtp_auth_disabled',
      /admin must enable it.*Manage email apps.*SmtpClientAuthenticationDisabled \$false.*Signing in with Microsoft does not help/,
    ],
    [
      'Microsoft: SMTP AUTH turned off for the mailbox',
      535,
      '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.',
      'attention',
      'smtp_auth_disabled',
      /Authenticated SMTP is turned off/,
    ],
    [
      'Microsoft: 5.7.139 for another reason is a refused sign-in',
      535,
      "535 5.7.139 Authentication unsuccessful, user is locked by your organization's security defaults policy.",
      'attention',
      'auth_failed',
      /refused the user name or password/,
    ],
    [
      'Gmail: app password required',
      534,
      GMAIL_534,
      'attention',
      'auth_failed',
      /app password.*2-Step.*Sign in with Google/,
    ],
    [
      'Gmail: bad credentials',
      535,
      GMAIL_535,
      'attention',
      'auth_failed',
      /app password.*Sign in with Google/,
    ],
    [
      'another server saying 5.7.30 means something else',
      550,
      '550 5.7.30 Relaying denied',
      'permanent',
      'server_rejected',
      /The server refused/,
    ],
  ])('%s', (_name, responseCode, response, failureClass, code, message) => {
    const failure = classifySmtpError(reply(responseCode, response, 'AUTH PLAIN'));
    expect(failure).toMatchObject({ class: failureClass, code, responseCode, response });
    expect(failure.message).toMatch(message);
  });
});
