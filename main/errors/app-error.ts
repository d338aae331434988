import type { ErrorInfo, ErrorCode } from '../../preload/contract/errors.ts';

/**
 * An expected failure with a stable code and a sentence for people. Anything thrown that is not an
 * AppError is a bug: it is logged in main and reaches the renderer only as `internal`. SMTP replies
 * travel as `SmtpFailure` (main/smtp/smtp-failure.ts), the one internal shape beside this one.
 */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly code: ErrorCode;
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, options: { field?: string; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.field = options.field;
  }

  toErrorInfo(): ErrorInfo {
    return this.field === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, field: this.field };
  }
}

export const INTERNAL_MESSAGE = 'Something went wrong inside Outbox. The details are in its log.';

export function toErrorInfo(error: unknown): ErrorInfo {
  return error instanceof AppError ? error.toErrorInfo() : { code: 'internal', message: INTERNAL_MESSAGE };
}
