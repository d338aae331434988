import type { ErrorCode } from '../../../preload/contract/errors.ts';
import { AppError } from '../../errors/app-error.ts';
import { describeCapabilities, parseCapabilities } from '../../smtp/capabilities.ts';
import { saslExchange, type SmtpAuth, type XOAuth2SignIn } from '../../smtp/sign-in.ts';
import { ReplyTimeout, type SmtpDialogue, type SmtpReply } from '../../smtp/smtp-dialogue.ts';
import { classifySmtpError, ENCRYPTION_UNAVAILABLE, starttlsRefused } from '../../smtp/smtp-failure.ts';
import { PROVIDER_REPLY_HINTS } from '../../smtp/provider-replies.ts';
import { diagnoseSilentGreeting } from '../../smtp/tls-diagnosis.ts';
import { presetForServer } from '../provider-presets.ts';
import { StepFailed, type StepName, type TestRun } from './test-run.ts';

function replyError(run: TestRun, step: StepName, reply: SmtpReply, what: string): never {
  return run.fail(step, {
    error: {
      code: reply.code >= 500 ? 'server_rejected' : 'server_deferred',
      message: `The server answered ${what} with ${reply.code} ${reply.text}`,
    },
    hint:
      reply.code >= 500
        ? 'The server refuses this; check the host and port.'
        : 'The server is busy; try again in a few minutes.',
  });
}

function sessionError(run: TestRun, step: StepName, error: unknown): never {
  if (error instanceof StepFailed) throw error;
  const failure = classifySmtpError(error as Error);
  return run.fail(step, {
    error: { code: failure.code, message: failure.message },
    hint: 'The connection broke off; try again.',
  });
}

async function greeting(run: TestRun, session: SmtpDialogue): Promise<void> {
  let reply: SmtpReply;
  try {
    reply = await session.read(run.timeouts.greetingMs);
  } catch (error) {
    if (error instanceof ReplyTimeout) {
      const diagnosis = await diagnoseSilentGreeting(run.target, run.timeouts.replyMs);
      if (diagnosis) run.fail('ehlo', diagnosis);
    }
    throw error;
  }
  if (reply.code !== 220) replyError(run, 'ehlo', reply, 'the connection');
}

/** The `ehlo` step: the greeting (on a new connection), then EHLO and what it says the server accepts. */
export async function greetAndEhlo(run: TestRun, session: SmtpDialogue, afterTls: boolean): Promise<void> {
  try {
    if (!afterTls) await greeting(run, session);
    const ehlo = await session.command(`EHLO ${run.target.clientName ?? 'outbox.localhost'}`);
    if (ehlo.code !== 250) replyError(run, 'ehlo', ehlo, 'EHLO');
    run.capabilities = parseCapabilities(ehlo.lines);
    run.ok('ehlo', `${afterTls ? 'Over TLS: ' : ''}${describeCapabilities(run.capabilities)}`);
  } catch (error) {
    if (error instanceof ReplyTimeout) {
      run.fail('ehlo', {
        error: { code: 'timeout', message: error.message },
        hint: 'The server is very slow or is not an SMTP server. Check the port.',
      });
    }
    sessionError(run, 'ehlo', error);
  }
}

/** The `starttls` step: asks to switch to TLS; the handshake itself is the `tls` step. */
export async function startTls(run: TestRun, session: SmtpDialogue): Promise<void> {
  const { port } = run.target;
  const hint =
    'Outbox will not send your password or mail unencrypted here. Use TLS (usually port 465) if the server offers it.' +
    (port === 465 ? ' Port 465 normally expects TLS from the start: choose TLS.' : '');
  if (!run.capabilities?.starttls) {
    run.fail('starttls', {
      error: {
        code: 'starttls_unavailable',
        message: `${ENCRYPTION_UNAVAILABLE}: the server on port ${port} does not offer STARTTLS.`,
      },
      hint,
    });
  }
  try {
    const reply = await session.command('STARTTLS');
    // As delivery decides it: not 220 means no TLS, whatever the code (454 included).
    if (reply.code !== 220) {
      const { code, message } = starttlsRefused(`${reply.code} ${reply.text}`);
      run.fail('starttls', { error: { code, message }, hint });
    }
  } catch (error) {
    sessionError(run, 'starttls', error);
  }
  // Lines after the 220 came in plaintext, yet would be read as the server's answers over TLS:
  // someone on the way may have put them there (the STARTTLS command injection class of attacks).
  if (session.hasUnread()) {
    run.fail('starttls', {
      error: {
        code: 'tls_failed',
        message: 'The server sent more after agreeing to STARTTLS, before the encryption began.',
      },
      hint: 'Something between you and the server may be tampering with the connection. Try another network, or TLS (usually port 465).',
    });
  }
  run.ok('starttls', 'The server agreed to switch to TLS.');
}

const SIGN_IN_HINTS: Partial<Record<ErrorCode, string>> = {
  oauth_signin_required: "Sign in again with the account's provider, then test again.",
  oauth_unreachable: 'The sign-in provider could not be reached: check the network and try again.',
};

/** A sign-in failure of the step that read it: `signin` for an OAuth2 account, else `auth`. */
function signInFailed(run: TestRun, error: unknown): never {
  if (!(error instanceof AppError)) throw error;
  const step = run.target.oauth ? 'signin' : 'auth';
  run.fail(step, { error: error.toErrorInfo(), hint: SIGN_IN_HINTS[error.code] ?? error.message });
}

/**
 * The `signin` step of an OAuth2 account: an access token is had (held, or refreshed with the
 * refresh token in the keychain). AUTH then uses that token first, as delivery would.
 */
async function signInStep(
  run: TestRun,
  auth: XOAuth2SignIn,
): Promise<XOAuth2SignIn & { refreshed(): boolean }> {
  let held: string | undefined;
  try {
    held = await auth.token(false);
  } catch (error) {
    signInFailed(run, error);
  }
  run.ok('signin', `An access token for ${auth.user} is ready.`);
  let refreshed = false;
  return {
    ...auth,
    token: (fresh, refused) => {
      const first = held;
      held = undefined;
      if (!fresh && first !== undefined) return Promise.resolve(first);
      refreshed ||= fresh;
      return auth.token(fresh, refused);
    },
    refreshed: () => refreshed,
  };
}

/** The `auth` step: signs in with the mechanism delivery would choose, and says why it failed. */
export async function authenticate(run: TestRun, session: SmtpDialogue): Promise<void> {
  const { host, port, security } = run.target;
  let auth: SmtpAuth | undefined;
  try {
    auth = await run.target.auth();
  } catch (error) {
    signInFailed(run, error);
  }
  let tokenRefreshed = () => false;
  if (auth?.kind === 'xoauth2') {
    const signedIn = await signInStep(run, auth);
    auth = signedIn;
    tokenRefreshed = () => signedIn.refreshed();
  }
  if (auth === undefined) {
    return run.fail('auth', {
      error: { code: 'auth_required', message: 'No password is saved for this account.' },
      hint: 'Enter the password (or app password) for this account, then test again.',
    });
  }
  if (auth.kind === 'none') {
    run.skip('auth', 'This account sends without signing in.');
    return;
  }
  const offered = run.capabilities?.auth ?? [];
  const exchange = saslExchange(auth, offered);
  if (!exchange) {
    return run.fail('auth', {
      error: {
        code: 'auth_failed',
        message:
          offered.length > 0
            ? `The server offers sign-in only with ${offered.join(', ')}, which Outbox does not support.`
            : 'The server does not offer sign-in on this connection.',
      },
      hint:
        security === 'none'
          ? 'Many servers offer sign-in only over an encrypted connection: choose STARTTLS or TLS.'
          : 'Check the port: some servers accept mail from other servers only on port 25.',
    });
  }
  try {
    const reply = await exchange.run(session);
    if (reply.code === 235) {
      const refreshed = tokenRefreshed()
        ? ', after the server refused the first token and a fresh one was had'
        : '';
      run.ok('auth', `Signed in as ${auth.user} (${exchange.mechanism}${refreshed}).`);
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
      ...PROVIDER_REPLY_HINTS,
    };
    run.fail('auth', {
      error: { code: failure.code, message: failure.message },
      hint: hints[failure.code] ?? 'The server refused sign-in; try again later.',
    });
  } catch (error) {
    // A fresh token asked for after a refusal may not come (the refresh token was revoked).
    if (error instanceof AppError) {
      run.fail('auth', { error: error.toErrorInfo(), hint: SIGN_IN_HINTS[error.code] ?? error.message });
    }
    sessionError(run, 'auth', error);
  }
}
