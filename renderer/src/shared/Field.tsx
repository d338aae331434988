import { useId, type ReactNode } from 'react';
import type { ErrorInfo } from '../../../preload/contract/errors.ts';
import { ErrorMessage } from './ErrorMessage.tsx';

interface ControlProps {
  readonly id: string;
  readonly 'aria-describedby'?: string;
  readonly 'aria-invalid'?: true;
}

interface Props {
  readonly label: string;
  readonly hint?: ReactNode;
  readonly error?: ErrorInfo | undefined;
  readonly className?: string;
  /** Receives the id and ARIA wiring that tie the control to its label, hint and error. */
  readonly children: (control: ControlProps) => ReactNode;
}

/** A labelled form control with its hint and the error that belongs to it. */
export function Field({ label, hint, error, className, children }: Props) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`field ${className ?? ''}`}>
      <label htmlFor={id}>{label}</label>
      {children({
        id,
        ...(describedBy ? { 'aria-describedby': describedBy } : {}),
        ...(error ? { 'aria-invalid': true as const } : {}),
      })}
      {hint ? (
        <p className="field-hint" id={hintId}>
          {hint}
        </p>
      ) : null}
      <ErrorMessage error={error} {...(errorId ? { id: errorId } : {})} />
    </div>
  );
}
