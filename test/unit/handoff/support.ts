import { AppError } from '../../../main/errors/app-error.ts';
import type { ComposeRequest } from '../../../main/handoff/compose-request.ts';
import type { ErrorCode } from '../../../preload/contract/errors.ts';

/** The code `run` is refused with, or undefined when it returns; anything else thrown fails the test. */
export function refusalOf(run: () => unknown): ErrorCode | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

/** A compose request with every list empty unless given. */
export const request = (fields: Partial<ComposeRequest>): ComposeRequest => ({
  to: [],
  cc: [],
  bcc: [],
  attachments: [],
  ...fields,
});

/** [input, the request it opens, or the code it is refused with]. */
export type Row = readonly [input: string, expected: ComposeRequest | ErrorCode];
