import { isRefusalCode } from '@shared/identity/refusal';

/** What the health and data-quality cards share: the sources' names and the time format. */
export const SOURCE_LABELS: Record<string, string> = {
  pos: '门店收银系统',
  mall: '线上商城',
  wecom: '企业微信',
  wechat: '微信接口',
  miniprogram: '小程序',
  // HQ's uploads (数据导入): its own card; in the quarantine, the rows of a file that named no source MedLoop knows
  // (or could not be read), kept under this key (functions/app/identity/import-file.ts, NO_SOURCE)
  import: '文件导入',
  // a call signed with a key MedLoop does not know (a till set up with a wrong or revoked key)
  unknown: '未知来源（无效密钥）',
};

/** "11-26 20:44" in Beijing time (UTC+8, no daylight saving) without relying on the runtime's Intl data. */
export const beijingMinute = (iso: string): string =>
  new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(5, 16).replace('T', ' ');

/** What to do about a failed call, in words, from the error code the log row starts with ("CODE: detail"). */
const ADVICE: Record<string, string> = {
  SIGNATURE_EXPIRED: '签名时间与服务器相差过大：请校准该门店收银机的系统时间',
  SIGNATURE_INVALID: '签名或密钥无效：请核对收银系统里配置的接口密钥',
  UNAUTHENTICATED: '缺少签名：请核对收银系统的接口配置',
  FORBIDDEN: '该密钥无权调用此接口（例如用本店密钥提交其他门店的数据）',
  VALIDATION_FAILED: '提交的数据格式不符：请把错误详情发给收银系统服务商',
  BAD_JSON: '提交的数据无法解析：请把错误详情发给收银系统服务商',
  UNSUPPORTED_MEDIA_TYPE: '提交的数据格式不符：请把错误详情发给收银系统服务商',
  PAYLOAD_TOO_LARGE: '单次提交的数据过多：请让服务商分批提交',
  INTERNAL: 'MedLoop 服务端出错：技术人员可按错误详情排查',
};

/** A batch with refused records or orders logs the first one's refusal code (shared/identity/refusal.ts). */
const REFUSED_ADVICE = '有数据被拒收并已隔离：请在「隔离的异常数据」中查看每条的原因，在源系统更正后重新提交';

export function failureAdvice(error: string): { advice: string | null; detail: string } {
  const m = /^([A-Za-z_]+): ([\s\S]*)$/.exec(error);
  if (!m) return { advice: null, detail: error };
  if (isRefusalCode(m[1])) return { advice: REFUSED_ADVICE, detail: error };
  return { advice: ADVICE[m[1]] ?? null, detail: error };
}
