import { useState } from 'react';
import type { ConnectionReport } from '../../../../preload/contract/accounts.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';
import { formatBytes } from '../../shared/format.ts';
import { useAction } from '../../shared/use-action.ts';
import { PinCertificateDialog } from './PinCertificateDialog.tsx';

const STEP_NAMES = {
  resolve: 'Find the server',
  connect: 'Connect',
  tls: 'Secure the connection (TLS)',
  ehlo: 'Greet the server (EHLO)',
  starttls: 'Switch to encryption (STARTTLS)',
  signin: 'Check the sign-in',
  auth: 'Log in',
} as const;

const STATUS_TEXT = { ok: 'OK', failed: 'Failed', skipped: 'Skipped' } as const;

interface Props {
  readonly accountId: string;
}

/** Runs the connection test and shows each step; an untrusted certificate can be pinned from here. */
export function ConnectionTest({ accountId }: Props) {
  const { run: call, busy, error, value: report } = useAction<ConnectionReport>();
  const [pinning, setPinning] = useState(false);
  const run = () => call(() => window.outbox.accounts.test({ id: accountId }));

  const certificate = report?.certificate;
  return (
    <section className="panel" aria-labelledby="test-title">
      <h2 id="test-title">Connection test</h2>
      <button type="button" onClick={() => void run()} disabled={busy}>
        {busy ? 'Testing…' : 'Test connection'}
      </button>
      <ErrorMessage error={error} />
      {report ? (
        <div aria-live="polite">
          <p className={report.ok ? 'result-ok' : 'result-failed'}>
            {report.ok ? 'The server accepted the connection and the login.' : 'The connection test failed.'}
          </p>
          <ol className="test-steps">
            {report.steps.map((step) => (
              <li key={step.step} className={`step step-${step.status}`}>
                <span className="step-name">{STEP_NAMES[step.step]}</span>
                <span className="step-status">{STATUS_TEXT[step.status]}</span>
                <span className="step-detail">{step.detail}</span>
                {step.hint ? <span className="step-hint">{step.hint}</span> : null}
                <ErrorMessage error={step.error} />
              </li>
            ))}
          </ol>
          {report.capabilities ? (
            <p className="field-hint">
              The server accepts messages up to{' '}
              {report.capabilities.size ? formatBytes(report.capabilities.size) : 'an unstated size'}; login
              methods: {report.capabilities.auth.join(', ') || 'none'}.
            </p>
          ) : null}
          {certificate && !certificate.trusted ? (
            <button
              type="button"
              onClick={() => {
                setPinning(true);
              }}
            >
              Review and trust this certificate…
            </button>
          ) : null}
        </div>
      ) : null}
      {pinning && certificate ? (
        <PinCertificateDialog
          accountId={accountId}
          certificate={certificate}
          onClose={(pinned) => {
            setPinning(false);
            if (pinned) void run();
          }}
        />
      ) : null}
    </section>
  );
}
