import type { SecurityMode } from '../../../../preload/contract/accounts.ts';
import type { ErrorInfo } from '../../../../preload/contract/errors.ts';
import { ErrorMessage } from '../../shared/ErrorMessage.tsx';
import { Field } from '../../shared/Field.tsx';

interface Props {
  readonly security: SecurityMode;
  readonly allowPlaintext: boolean;
  readonly onSecurity: (mode: SecurityMode) => void;
  readonly onAllowPlaintext: (allowed: boolean) => void;
  readonly error?: ErrorInfo | undefined;
  readonly plaintextError?: ErrorInfo | undefined;
}

const MODES: Record<SecurityMode, string> = {
  tls: 'TLS from the start (usually port 465)',
  starttls: 'STARTTLS (usually port 587)',
  none: 'None: unencrypted',
};

export function SecurityFields({
  security,
  allowPlaintext,
  onSecurity,
  onAllowPlaintext,
  error,
  plaintextError,
}: Props) {
  return (
    <>
      <Field label="Security" error={error}>
        {(control) => (
          <select
            {...control}
            value={security}
            onChange={(event) => {
              onSecurity(event.target.value as SecurityMode);
            }}
          >
            {Object.entries(MODES).map(([mode, label]) => (
              <option key={mode} value={mode}>
                {label}
              </option>
            ))}
          </select>
        )}
      </Field>
      {security === 'none' ? (
        <div className="warning" role="note">
          <p>
            Without encryption, your password and every message travel across the network in plain text.
            Anyone on the way can read or change them. Use this only for a server on your own machine or
            network.
          </p>
          <label className="inline-check">
            <input
              type="checkbox"
              checked={allowPlaintext}
              onChange={(event) => {
                onAllowPlaintext(event.target.checked);
              }}
            />
            I understand: send through this account without encryption
          </label>
          <ErrorMessage error={plaintextError} />
        </div>
      ) : null}
    </>
  );
}
