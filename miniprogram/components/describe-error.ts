import { PlatformError } from '../platform';
import { isApiError } from '../services/api-error';

export interface ErrorView {
  message: string;
  requestId?: string;
  /** the person declined a WeChat prompt: offer to try again, not to "reload" */
  cancelled: boolean;
}

/** Turns anything thrown by services/ or platform/ into text a member can act on. */
export function describeError(error: unknown): ErrorView {
  if (isApiError(error)) return { message: error.message, requestId: error.requestId || undefined, cancelled: false };
  if (error instanceof PlatformError) {
    return error.cancelled
      ? { message: '需要微信授权登录后才能使用会员服务', cancelled: true }
      : { message: `微信接口调用失败（${error.errMsg}）`, cancelled: false };
  }
  return { message: '出了点问题，请稍后重试', cancelled: false };
}
