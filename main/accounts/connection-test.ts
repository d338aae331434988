import type { SecurityMode } from '../../preload/contract/accounts.ts';
import { SmtpDialogue } from '../smtp/smtp-dialogue.ts';
import { connect, resolveHost, secure } from './connection-test/network-steps.ts';
import { authenticate, greetAndEhlo, startTls } from './connection-test/session-steps.ts';
import {
  StepFailed,
  TestRun,
  type ConnectionTarget,
  type ConnectionTestOutcome,
  type ConnectionTestTimeouts,
  type StepName,
} from './connection-test/test-run.ts';

export type {
  ConnectionTarget,
  ConnectionTestOutcome,
  ConnectionTestTimeouts,
} from './connection-test/test-run.ts';
export type { SeenCertificate } from '../smtp/tls-diagnosis.ts';

const DEFAULT_TEST_TIMEOUTS: ConnectionTestTimeouts = {
  connectMs: 15_000,
  greetingMs: 10_000,
  replyMs: 20_000,
};

/** The steps each security mode reports, in the order a failed test lists those it did not reach. */
const PLANS: Record<SecurityMode, readonly StepName[]> = {
  tls: ['resolve', 'connect', 'tls', 'ehlo', 'starttls', 'auth'],
  starttls: ['resolve', 'connect', 'ehlo', 'starttls', 'tls', 'auth'],
  none: ['resolve', 'connect', 'ehlo', 'starttls', 'tls', 'auth'],
};

const PLAINTEXT = 'Off: this account is confirmed to send without encryption.';

/**
 * Opens a session step by step (resolve, connect, TLS, EHLO, STARTTLS, AUTH) and reports each
 * step with a hint a person can act on. Nothing is sent over a connection whose certificate is
 * not trusted or pinned: the password never leaves unless the account allows it.
 */
export async function testConnection(
  target: ConnectionTarget,
  timeouts: ConnectionTestTimeouts = DEFAULT_TEST_TIMEOUTS,
): Promise<ConnectionTestOutcome> {
  const run = new TestRun(target, timeouts);
  let dialogue: SmtpDialogue | undefined;
  try {
    await resolveHost(run);
    const socket = await connect(run);
    if (target.security === 'tls') {
      dialogue = new SmtpDialogue(await secure(run, socket), timeouts.replyMs);
      await greetAndEhlo(run, dialogue, false);
      run.skip('starttls', 'Not needed: the connection is encrypted from the start.');
    } else {
      dialogue = new SmtpDialogue(socket, timeouts.replyMs);
      await greetAndEhlo(run, dialogue, false);
      if (target.security === 'starttls') {
        await startTls(run, dialogue);
        await dialogue.upgrade((plain) => secure(run, plain));
        await greetAndEhlo(run, dialogue, true);
      } else {
        const offered = run.capabilities?.starttls
          ? ' The server offers STARTTLS: switch this account to STARTTLS to encrypt the password and mail.'
          : '';
        run.skip('starttls', `${PLAINTEXT}${offered}`);
        run.skip('tls', PLAINTEXT);
      }
    }
    await authenticate(run, dialogue);
  } catch (error) {
    if (!(error instanceof StepFailed)) throw error;
    const plan = PLANS[target.security];
    run.skipRest(target.oauth ? [...plan.slice(0, -1), 'signin', 'auth'] : plan);
  } finally {
    await dialogue?.close();
  }
  return run.outcome();
}
