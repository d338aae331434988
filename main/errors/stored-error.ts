import { z } from 'zod';
import { isErrorCode, type ErrorInfo } from '../../preload/contract/errors.ts';

/**
 * An error as the stores keep it (a message's last error, an account's attention). The code is a
 * plain string: the wire's list of codes may rename or drop one, and what is on disk must stay
 * readable; only the way out (`toErrorInfo`) is bound to today's list.
 */
export const storedError = z.object({
  code: z.string().min(1),
  message: z.string(),
  field: z.string().optional(),
});
export type StoredError = z.infer<typeof storedError>;

/** A stored error as the bridge and the CLI show it; a code this build no longer knows is `internal`. */
export function storedErrorInfo(stored: StoredError): ErrorInfo {
  const code = isErrorCode(stored.code) ? stored.code : 'internal';
  return stored.field === undefined
    ? { code, message: stored.message }
    : { code, message: stored.message, field: stored.field };
}
