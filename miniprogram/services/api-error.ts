import { type ErrorCode, isErrorCode } from '@shared/errors';
import { ERROR_MESSAGES_ZH } from '@shared/i18n/errors';

/** Failures that happen on the client side of the wire, not in an API error body. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'INVALID_RESPONSE';
export type ApiErrorCode = ErrorCode | ClientErrorCode;

const CLIENT_MESSAGES_ZH: Record<ClientErrorCode, string> = {
  NETWORK_ERROR: '网络连接失败，请检查网络后重试',
  INVALID_RESPONSE: '服务返回了无法识别的内容，请稍后重试',
};

export const messageFor = (code: ApiErrorCode): string =>
  isErrorCode(code) ? ERROR_MESSAGES_ZH[code] : CLIENT_MESSAGES_ZH[code];

/** Every failed API call surfaces as this, with Chinese text ready to show. */
export class ApiError extends Error {
  readonly code: ApiErrorCode;
  readonly requestId: string;
  /** HTTP status; 0 when the request never got an answer */
  readonly status: number;
  /** the error body's `details`, for a page that says more than the code's text (check it against its contract) */
  readonly details: unknown;

  constructor(code: ApiErrorCode, status: number, requestId: string, details?: unknown) {
    super(messageFor(code));
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.requestId = requestId;
    this.details = details;
  }
}

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;

/** Codes after which the stored session is useless and the person must log in again. */
export const isSessionError = (error: unknown): boolean =>
  isApiError(error) &&
  (error.code === 'UNAUTHENTICATED' || error.code === 'TOKEN_EXPIRED' || error.code === 'TOKEN_INVALID');
