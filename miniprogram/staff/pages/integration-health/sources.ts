/** What the health and data-quality cards share: the sources' names and the time format. */
export const SOURCE_LABELS: Record<string, string> = {
  pos: '门店收银系统',
  mall: '线上商城',
  wecom: '企业微信',
  wechat: '微信接口',
  miniprogram: '小程序',
};

/** "11-26 20:44" in Beijing time (UTC+8, no daylight saving) without relying on the runtime's Intl data. */
export const beijingMinute = (iso: string): string =>
  new Date(Date.parse(iso) + 8 * 3_600_000).toISOString().slice(5, 16).replace('T', ' ');
