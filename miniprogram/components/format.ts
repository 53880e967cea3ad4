/** 1,234,567: a count with thousands separators, the same on every WeChat base library (no Intl needed). */
export const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/**
 * A day (YYYY-MM-DD) as it is, an instant as its Asia/Shanghai day whatever the phone's zone (China has kept UTC+8
 * all year since 1991; no time-zone database needed, which not every WeChat base library has).
 */
export const shanghaiDay = (value: string): string =>
  /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : new Date(Date.parse(value) + 8 * 3_600_000).toISOString().slice(0, 10);

/** An amount in yuan as staff type it: whole yuan or up to two decimals (12, 12.5, 12.50). */
export const YUAN_TEXT = /^\d+(\.\d{1,2})?$/;
/** 12.50 → 1250 fen (the text passed YUAN_TEXT) */
export const yuanToFen = (text: string): number => Math.round(Number(text) * 100);
