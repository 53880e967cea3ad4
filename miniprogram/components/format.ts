/** 1,234,567: a count with thousands separators, the same on every WeChat base library (no Intl needed). */
export const thousands = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
