import type { ErrorCode } from '../../../shared/errors.js';
import { WeChatError } from '../../adapters/wechat/wechat.port.js';
import { AppError } from '../../http/app-error.js';

/**
 * WeChat's errcodes become our codes: an invalid/used code is the caller's problem (4xx), anything the
 * platform may recover from (-1 busy, 45009 rate limit, network) is UPSTREAM_UNAVAILABLE so clients retry.
 */
export function wechatFailure(error: unknown, invalidCode: ErrorCode): never {
  if (error instanceof WeChatError) {
    if (error.errcode === 40029 || error.errcode === 40163) {
      throw new AppError(invalidCode, `WeChat rejected the code (errcode ${error.errcode})`, { cause: error });
    }
    throw new AppError('UPSTREAM_UNAVAILABLE', `WeChat is unavailable (errcode ${error.errcode})`, {
      cause: error,
      retryable: error.retryable,
    });
  }
  throw error;
}
