import type { BridgeError, ErrorCode } from '../../preload/contract/errors.ts';

/** SMTP context kept with an error inside main, for logs and classification; never sent to the renderer. */
export interface SmtpContext {
  readonly responseCode?: number;
  readonly response?: string;
  readonly command?: string;
}

/**
 * An expected failure with a stable code and a sentence for people. Anything thrown that is not an
 * AppError is a bug: it is logged in main and reaches the renderer only as `internal`.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly field: string | undefined;
  readonly smtp: SmtpContext | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { field?: string; cause?: unknown; smtp?: SmtpContext } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.field = options.field;
    this.smtp = options.smtp;
  }

  toBridge(): BridgeError {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

export const INTERNAL_MESSAGE = 'Something went wrong inside Outbox. The details are in its log.';

export function toBridgeError(error: unknown): BridgeError {
  return error instanceof AppError ? error.toBridge() : { code: 'internal', message: INTERNAL_MESSAGE };
}
