import { useState } from 'react';
import type { CertificateInfo } from '../../../../preload/contract/accounts.ts';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import { Dialog } from '../../shared/Dialog.tsx';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';

interface Props {
  readonly accountId: string;
  readonly certificate: CertificateInfo;
  readonly onClose: (pinned: boolean) => void;
}

export function PinCertificateDialog({ accountId, certificate, onClose }: Props) {
  const [error, setError] = useState<ErrorInfo>();
  async function pin() {
    const result = await window.outbox.accounts.pinCertificate({
      id: accountId,
      fingerprint: certificate.fingerprint256,
    });
    if (result.ok) onClose(true);
    else setError(result.error);
  }
  return (
    <Dialog
      title="Trust this certificate?"
      onClose={() => {
        onClose(false);
      }}
    >
      <p>
        The server’s certificate is not signed by an authority this computer trusts. Trust it only if its
        fingerprint matches the one your mail provider or administrator gave you.
      </p>
      <dl className="facts">
        <dt>SHA-256 fingerprint</dt>
        <dd className="mono fingerprint">{certificate.fingerprint256}</dd>
        <dt>Issued to</dt>
        <dd>{certificate.subject}</dd>
        <dt>Issued by</dt>
        <dd>{certificate.issuer}</dd>
        <dt>Valid</dt>
        <dd>
          {certificate.validFrom} to {certificate.validTo}
        </dd>
      </dl>
      <ErrorMessage error={error} />
      <div className="dialog-actions">
        <button
          type="button"
          onClick={() => {
            onClose(false);
          }}
        >
          Don’t trust
        </button>
        <button type="button" className="primary" onClick={() => void pin()}>
          Trust this certificate
        </button>
      </div>
    </Dialog>
  );
}
