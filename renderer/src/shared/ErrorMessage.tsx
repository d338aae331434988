import type { ErrorInfo } from '../../../preload/contract/errors.ts';
import { errorWords } from './error-text.ts';

interface Props {
  readonly error: ErrorInfo | undefined;
  readonly id?: string;
}

/** A typed error in words, then main's specifics (the server's reply, the value at fault). */
export function ErrorMessage({ error, id }: Props) {
  if (!error) return null;
  const words = errorWords(error.code);
  return (
    <p className="error-message" role="alert" id={id}>
      <strong>{words}</strong>
      {error.message && error.message !== words ? ` ${error.message}` : null}
    </p>
  );
}
