import type { ReactNode, Ref } from 'react';
import type { ErrorInfo } from '../../../preload/contract/errors.ts';
import { Field } from './Field.tsx';

interface Props {
  readonly label: string;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly error?: ErrorInfo | undefined;
  readonly hint?: ReactNode;
  readonly type?: 'text' | 'email' | 'number' | 'password' | 'color';
  readonly multiline?: boolean;
  readonly autoComplete?: string;
  readonly placeholder?: string;
  readonly onBlur?: () => void;
  /** For moving focus to the field (a notice that closed). */
  readonly inputRef?: Ref<HTMLInputElement>;
}

export function TextField({ label, value, onChange, error, hint, type = 'text', multiline, ...rest }: Props) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(control) =>
        multiline ? (
          <textarea
            {...control}
            value={value}
            rows={4}
            placeholder={rest.placeholder}
            onChange={(event) => {
              onChange(event.target.value);
            }}
          />
        ) : (
          <input
            {...control}
            type={type}
            value={value}
            autoComplete={rest.autoComplete ?? 'off'}
            placeholder={rest.placeholder}
            onBlur={rest.onBlur}
            ref={rest.inputRef}
            onChange={(event) => {
              onChange(event.target.value);
            }}
          />
        )
      }
    </Field>
  );
}
