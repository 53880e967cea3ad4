/** What the health and data-quality cards share: the sources' names and the time format. */
export const SOURCE_LABELS: Record<string, string> = {
  pos: '门店收银系统',
  mall: '线上商城',
  wecom: '企业微信',
  wechat: '微信接口',
  miniprogram: '小程序',
  // a call signed with a key MedLoop does not know (a till set up with a wrong or revoked key)
  unknown: '未知来源（无效密钥）',
};

/** "11-26 20:44" in Beijing time (UTC+8, no daylight saving) without relying on the runtime's Intl data. */
export const beijingMinute = (iso: string): string =>
  new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(5, 16).replace('T', ' ');
