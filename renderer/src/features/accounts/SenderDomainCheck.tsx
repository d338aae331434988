import type { SenderDomainReport } from '../../../../preload/contract/accounts.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';
import { useAction } from '../../shared/use-action.ts';

const STATUS_TEXT = {
  pass: 'Passes',
  missing: 'Missing',
  mismatch: 'Does not match',
  error: 'Could not check',
} as const;

export function SenderDomainCheck({ accountId }: { readonly accountId: string }) {
  const { run: call, busy, error, value: report } = useAction<SenderDomainReport>();
  const run = () => call(() => window.outbox.accounts.checkSenderDomain({ id: accountId }));

  return (
    <section className="panel" aria-labelledby="domain-title">
      <h2 id="domain-title">Sender domain</h2>
      <p className="field-hint">
        Checks that the domain’s DNS allows this server to send for it (SPF) and publishes your DKIM key.
      </p>
      <button type="button" onClick={() => void run()} disabled={busy}>
        {busy ? 'Checking…' : 'Check sender domain'}
      </button>
      <ErrorMessage error={error} />
      {report ? (
        <dl className="facts" aria-live="polite">
          <dt>Domain</dt>
          <dd>{report.domain}</dd>
          {(['spf', 'dkim'] as const).map((kind) => (
            <div key={kind} className="fact-group">
              <dt>{kind.toUpperCase()}</dt>
              <dd>
                <span className={`check check-${report[kind].status}`}>
                  {STATUS_TEXT[report[kind].status]}
                </span>{' '}
                {report[kind].detail}
                {report[kind].record ? <pre className="server-reply">{report[kind].record}</pre> : null}
              </dd>
            </div>
          ))}
        </dl>
      ) : null}
    </section>
  );
}
