import type { BridgeError } from '../../../preload/contract/errors.ts';
import { errorText } from './error-text.ts';

interface Props {
  readonly error: BridgeError | undefined;
  readonly id?: string;
}

/** A typed error in words, announced to screen readers as it appears. */
export function ErrorMessage({ error, id }: Props) {
  if (!error) return null;
  return (
    <p className="error-message" role="alert" id={id}>
      {errorText(error)}
    </p>
  );
}
