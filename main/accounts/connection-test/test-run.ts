import type { ConnectionReport } from '../../../preload/contract/accounts.ts';
import type { Capabilities } from '../../smtp/capabilities.ts';
import type { SmtpAuth } from '../../smtp/sign-in.ts';
import type { SmtpEndpoint } from '../../smtp/smtp-endpoint.ts';
import type { Diagnosis, PresentedCertificate, SeenCertificate } from '../../smtp/tls-diagnosis.ts';

export type StepName = ConnectionReport['steps'][number]['step'];
type Step = ConnectionReport['steps'][number];

/** Where to connect, as delivery would, but with the sign-in read only at the AUTH step. */
export interface ConnectionTarget extends Pick<
  SmtpEndpoint,
  'host' | 'port' | 'security' | 'pinnedCert' | 'clientName'
> {
  /**
   * The account's sign-in with its secret, read when the test gets to AUTH so that a keychain
   * failure is reported there; `undefined` when the secret was never saved.
   */
  readonly auth: () => Promise<SmtpAuth | undefined>;
  /** An OAuth2 account: its token is fetched in a `signin` step before AUTH. */
  readonly oauth?: boolean;
}

export interface ConnectionTestTimeouts {
  readonly connectMs: number;
  /** How long to wait for the greeting; a silent server may be waiting for TLS instead. */
  readonly greetingMs: number;
  readonly replyMs: number;
}

export interface ConnectionTestOutcome {
  readonly report: ConnectionReport;
  readonly seenCertificate?: SeenCertificate;
}

/** Aborts the remaining steps once one has failed. */
export class StepFailed extends Error {}

/** One test under way: its target, what the steps found so far, and each step's outcome in order. */
export class TestRun {
  readonly target: ConnectionTarget;
  readonly timeouts: ConnectionTestTimeouts;
  capabilities: Capabilities | undefined;
  certificate: PresentedCertificate | undefined;
  readonly #steps: Step[] = [];

  constructor(target: ConnectionTarget, timeouts: ConnectionTestTimeouts) {
    this.target = target;
    this.timeouts = timeouts;
  }

  ok(step: StepName, detail: string): void {
    this.#steps.push({ step, status: 'ok', detail });
  }

  skip(step: StepName, detail: string): void {
    this.#steps.push({ step, status: 'skipped', detail });
  }

  /** Records the failure and ends the test (the runner catches `StepFailed`). */
  fail(step: StepName, { error, hint }: Diagnosis): never {
    this.#steps.push({ step, status: 'failed', detail: error.message, hint, error });
    throw new StepFailed();
  }

  /** Marks each step of `plan` that has not run as skipped. */
  skipRest(plan: readonly StepName[]): void {
    const done = new Set(this.#steps.map((step) => step.step));
    for (const step of plan.filter((name) => !done.has(name))) {
      this.skip(step, 'Not tried because an earlier step failed.');
    }
  }

  outcome(): ConnectionTestOutcome {
    const { capabilities, certificate } = this;
    const report: ConnectionReport = {
      ok: this.#steps.every((step) => step.status !== 'failed'),
      steps: this.#steps,
      ...(capabilities ? { capabilities } : {}),
      ...(certificate ? { certificate: certificate.info } : {}),
    };
    return certificate ? { report, seenCertificate: certificate.seen } : { report };
  }
}
