import type { ErrorCode } from '../errors.js';

/**
 * Chinese text shown to members and staff for every API error code.
 * A Record over ErrorCode: a new code without a message fails the type check.
 */
export const ERROR_MESSAGES_ZH: Record<ErrorCode, string> = {
  BAD_JSON: '请求格式有误，请稍后重试',
  VALIDATION_FAILED: '提交的信息不完整或格式不正确',
  METHOD_NOT_ALLOWED: '不支持的操作',
  NOT_FOUND: '请求的内容不存在',
  PAYLOAD_TOO_LARGE: '提交的内容过大',
  UNSUPPORTED_MEDIA_TYPE: '不支持的内容格式',
  RATE_LIMITED: '操作太频繁，请稍后再试',
  INTERNAL: '服务开小差了，请稍后重试',
  UPSTREAM_UNAVAILABLE: '服务暂时不可用，请稍后重试',
  UNAUTHENTICATED: '请先登录',
  TOKEN_EXPIRED: '登录已过期，请重新登录',
  TOKEN_INVALID: '登录状态无效，请重新登录',
  STAFF_DISABLED: '该员工账号已停用，请联系门店店长或总部管理员',
  STAFF_NOT_BOUND: '该微信尚未绑定员工账号，请验证受邀手机号',
  FORBIDDEN: '没有权限进行此操作',
  WX_CODE_INVALID: '微信登录凭证已失效，请重试',
  WX_PHONE_CODE_INVALID: '手机号授权已失效，请重新授权',
  PHONE_NOT_INVITED: '该手机号未被邀请为员工，请联系门店店长或总部管理员开通',
  SIGNATURE_INVALID: '接口签名无效',
  SIGNATURE_EXPIRED: '接口签名已过期，请校准收银系统时间后重试',
  IDEMPOTENCY_CONFLICT: '同一请求编号已用于不同的内容',
};

export const errorMessageZh = (code: ErrorCode): string => ERROR_MESSAGES_ZH[code];
