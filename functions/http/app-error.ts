import type { ErrorCode } from '../../shared/errors.js';

/**
 * A failure with a code: thrown for broken invariants and infrastructure failures (expected outcomes are
 * returned as Result values instead). The endpoint wrapper maps the code to a status through ERROR_STATUS.
 */
export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { details?: unknown; retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
  }
}
