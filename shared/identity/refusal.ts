/**
 * Why a record, an order or a file row was refused, as a stable machine code with its particulars. Partners get
 * the code and the English sentence (`reason`) in each rejected result; HQ's quarantine page shows the Chinese one,
 * with the English below to forward to the system's vendor. One entry per code, both languages side by side, so a
 * new refusal cannot be added without its Chinese.
 */

import type { z } from 'zod';
import { FIELD_LABELS } from './field-labels.js';

export type RefusalParams = Readonly<Record<string, string | number>>;

/** An order's money fields, named as the export names them. */
const MONEY_FIELD = {
  unit_price: { en: 'unit price', zh: '单价' },
  amount: { en: 'amount', zh: '金额' },
  total: { en: 'total', zh: '合计金额' },
  discount: { en: 'discount', zh: '优惠金额' },
  paid: { en: 'paid', zh: '实收金额' },
} as const;
export type MoneyField = keyof typeof MONEY_FIELD;

const got = (p: RefusalParams) => (p.got === undefined || p.got === '' ? '(empty)' : String(p.got));
const gotZh = (p: RefusalParams) => (p.got === undefined || p.got === '' ? '（空）' : `“${p.got}”`);
const moneyEn = (p: RefusalParams) =>
  `${p.line === undefined ? '' : `line ${p.line}: `}${MONEY_FIELD[p.field as MoneyField]?.en ?? p.field}`;
const moneyZh = (p: RefusalParams) =>
  `${p.line === undefined ? '' : `第${p.line}行商品的`}${MONEY_FIELD[p.field as MoneyField]?.zh ?? p.field}`;
const yuanOf = (fen: string | number | undefined) => (Number(fen) / 100).toFixed(2);

/** Our field names in HQ's words (the upload formats' labels), a line's fields as 第N行商品的… */
const FIELD_ZH: Readonly<Record<string, string>> = FIELD_LABELS;
function fieldZh(path: string): string {
  const line = /^lines\.(\d+)\.(\w+)$/.exec(path);
  if (line) return `第${Number(line[1]) + 1}行商品的${FIELD_ZH[line[2]] ?? line[2]}`;
  return FIELD_ZH[path] ?? `字段 ${path} `;
}
/** What was wrong with the value, from the schema's issue (the English detail stays for the vendor) */
function issueZh(p: RefusalParams): string {
  const text = p.origin === 'string';
  if (p.issue === 'too_big') return text ? `超过 ${p.limit} 个字符` : `超过上限 ${p.limit}`;
  if (p.issue === 'too_small') return text ? `少于 ${p.limit} 个字符` : `小于下限 ${p.limit}`;
  if (p.issue === 'invalid_type') return '的类型不对（例如应为文字却是数字）';
  if (p.issue === 'unstorable_text') return '含有无法保存的字符（空字符或残缺的 Unicode 字符），请检查导出程序';
  return '的格式不对';
}

type Entry = { en: (p: RefusalParams) => string; zh: (p: RefusalParams) => string };

/**
 * A record the CSV reader (csv-parse) could not read, in Chinese: where (its file line, as Excel numbers the rows,
 * the column when the parser knew it, and its last line `to` when it runs over several: after a quote it could not
 * close, csv-parse reads on to the next quote) and what to fix, from csv-parse's error code (`code`). csv-parse's
 * own English message (`detail`) is the English sentence only, for whoever looks after the export. csv-parse 7 names
 * the opening-quote error INVALID_OPENING_QUOTE, without the CSV_ its other codes have: both spellings are read.
 * Excel writes every quote as CSV wants it, so a stray quote inside a value goes away when the file is saved again
 * from Excel; an unclosed one does not (Excel reads the rest of the file into that cell), it must be put right by hand.
 */
function csvMalformedZh(p: RefusalParams): string {
  const where = p.line === undefined ? '这一行' : `第 ${p.line} 行`;
  const column = p.column === undefined || p.column === '' ? '' : `「${p.column}」列`;
  const lost = p.to === undefined ? '这一行无法读取' : `第 ${p.line} 至 ${p.to} 行都无法读取`;
  switch (String(p.code ?? '').replace(/^CSV_/, '')) {
    case 'INVALID_OPENING_QUOTE':
      return `${where}${column}的值中间有引号（"），${lost}：请删去这个引号，或在 Excel 中打开这个文件后另存为 CSV 再上传`;
    case 'INVALID_CLOSING_QUOTE':
    case 'NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return `${where}${column}的值在引号（"）结束后还有其他文字，${lost}：引号括起的值之后应紧接逗号或换行，请改正后重新上传`;
    case 'QUOTE_NOT_CLOSED':
      return `${where}有一个引号（"）直到文件末尾都没有配对，从这一行到文件末尾都无法读取：请在这一行补上或删去引号后重新上传`;
    case 'RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'RECORD_INCONSISTENT_COLUMNS':
      return `${where}的列数与首行的列名个数不同，${lost}：请检查这一行是否多了或少了逗号，改正后重新上传`;
    case 'MAX_RECORD_SIZE':
      return `${where}过长，${lost}：多半是某处引号（"）没有配对，请检查后重新上传`;
    default:
      return `${where}不符合 CSV 格式，${lost}：请检查引号（"）和逗号，改正后重新上传`;
  }
}

const REFUSALS = {
  // ---- any record or order
  unknown_field: { en: (p) => `unknown field ${p.fields}`, zh: (p) => `含有本系统不认识的字段 ${p.fields}` },
  invalid_field: {
    en: (p) => `${p.field}: ${p.detail}`,
    zh: (p) => `${fieldZh(String(p.field))}${issueZh(p)}`,
  },
  unknown_store: {
    en: (p) => `unknown store_code ${p.storeCode}`,
    zh: (p) => `门店编码 ${p.storeCode} 不存在，请核对门店编码`,
  },
  other_store: {
    en: (p) => `store_code ${p.storeCode} is not this key's store`,
    zh: (p) => `门店编码 ${p.storeCode} 不是发送方密钥所属的门店：每家门店的收银机只能上传本店数据`,
  },
  // ---- member records
  record_of_other_store: {
    en: (p) =>
      `sourceId ${p.sourceId} is a record of another store: a store's key changes its own store's records only`,
    zh: (p) => `会员编号 ${p.sourceId} 属于其他门店：每家门店的收银机只能修改本店的会员资料`,
  },
  source_id_missing: { en: () => 'sourceId is missing', zh: () => '缺少会员编号（会员卡号或商城账号）' },
  source_id_too_long: {
    en: (p) => `sourceId is longer than ${p.max} characters`,
    zh: (p) => `会员编号超过 ${p.max} 个字符`,
  },
  source_id_repeated: {
    en: () => 'sourceId repeated in this batch',
    zh: () => '同一批数据中会员编号重复，只收第一条',
  },
  // ---- orders
  order_id_missing: { en: () => 'externalId (the order number) is missing', zh: () => '缺少订单号' },
  order_id_too_long: {
    en: (p) => `externalId is longer than ${p.max}`,
    zh: (p) => `订单号超过 ${p.max} 个字符`,
  },
  order_id_repeated: {
    en: () => 'externalId repeated in this batch',
    zh: () => '同一批数据中订单号重复，只收第一条',
  },
  ordered_at_invalid: {
    en: (p) => `orderedAt is not a time: ${got(p)}`,
    zh: (p) => `下单时间${gotZh(p)}不是有效的时间`,
  },
  ordered_at_future: {
    en: () => 'orderedAt is in the future',
    zh: () => '下单时间晚于现在：请检查收银机或导出程序的时钟与时区',
  },
  ordered_at_too_old: { en: () => 'orderedAt is before 2000', zh: () => '下单时间早于2000年，应为录入错误' },
  no_lines: { en: () => 'an order needs at least one line', zh: () => '订单没有商品明细' },
  too_many_lines: {
    en: (p) => `an order has at most ${p.max} lines`,
    zh: (p) => `一张订单最多 ${p.max} 行商品`,
  },
  line_sku_missing: { en: (p) => `line ${p.line}: sku is missing`, zh: (p) => `第${p.line}行商品缺少商品编码` },
  line_sku_too_long: {
    en: (p) => `line ${p.line}: sku is longer than ${p.max}`,
    zh: (p) => `第${p.line}行商品的编码超过 ${p.max} 个字符`,
  },
  line_quantity_invalid: {
    en: (p) => `line ${p.line}: quantity must be a whole number other than 0 (negative on a return), got ${got(p)}`,
    zh: (p) => `第${p.line}行商品的数量应为非零整数（退货为负数），收到${gotZh(p)}`,
  },
  order_mixes_return: {
    en: () => 'an order has both sold and returned (negative) lines: export an exchange as a sale and a return',
    zh: () => '同一张单据既有销售又有退货（负数量）的商品行：换货请分别导出销售单和退货单',
  },
  line_price_missing: {
    en: (p) => `line ${p.line}: needs a unit price or an amount`,
    zh: (p) => `第${p.line}行商品既无单价也无金额`,
  },
  line_amount_exceeds: {
    en: (p) =>
      `line ${p.line}: amount ${p.amount} fen is more than quantity ${p.quantity} × unit price ${p.unitPrice} fen (a line may cost less, never more)`,
    zh: (p) =>
      `第${p.line}行商品的金额 ${yuanOf(p.amount)} 元超过数量 ${p.quantity} × 单价 ${yuanOf(p.unitPrice)} 元（会员价等优惠只会更低，不会更高）`,
  },
  money_not_fen: {
    en: (p) => `${moneyEn(p)} in fen must be a whole number ≥ 0, got ${got(p)}`,
    zh: (p) => `${moneyZh(p)}（以分计）应为不小于0的整数，收到${gotZh(p)}`,
  },
  money_not_yuan: {
    en: (p) => `${moneyEn(p)} must be an amount in yuan ≥ 0 with at most two decimals, got ${got(p)}`,
    zh: (p) => `${moneyZh(p)}应为不小于0、最多两位小数的元金额，收到${gotZh(p)}`,
  },
  money_disagrees: {
    en: (p) => `${moneyEn(p)} is given twice and disagrees: ${p.fen} fen and ${p.yuan} yuan`,
    zh: (p) => `${moneyZh(p)}给了两次且不一致：${p.fen}分与${p.yuan}元`,
  },
  total_not_sum: {
    en: (p) => `total ${p.total} fen is not the sum of the lines, ${p.sum} fen`,
    zh: (p) => `合计金额 ${yuanOf(p.total)} 元不等于各行商品金额之和 ${yuanOf(p.sum)} 元`,
  },
  paid_exceeds: {
    en: (p) => `paid ${p.paid} fen is more than the lines' ${p.sum} fen, or the discount more than the total`,
    zh: (p) => `实收 ${yuanOf(p.paid)} 元超过商品金额 ${yuanOf(p.sum)} 元，或优惠超过了合计`,
  },
  paid_mismatch: {
    en: (p) => `paid ${p.paid} fen is not the total ${p.sum} fen less the discount ${p.discount} fen`,
    zh: (p) => `实收 ${yuanOf(p.paid)} 元不等于合计 ${yuanOf(p.sum)} 元减去优惠 ${yuanOf(p.discount)} 元`,
  },
  member_id_too_long: { en: () => 'memberId is longer than 128', zh: () => '会员编号超过 128 个字符' },
  order_changed: {
    en: (p) => `order ${p.externalId} is stored already with other contents`,
    zh: (p) => `订单 ${p.externalId} 已收过且内容不同：已入库的订单不会被改写，退货或更正请走退款流程`,
  },
  // ---- order files (one row per item sold)
  order_rows_disagree: {
    en: (p) => `the rows of order ${p.externalId} disagree on ${p.field}: ${p.first} and ${p.other}`,
    zh: (p) => `订单 ${p.externalId} 的各行在 ${p.field} 上不一致（${p.first} 与 ${p.other}）`,
  },
  order_rows_apart: {
    en: (p) =>
      `the rows of order ${p.externalId} are not together in the file: list each order's rows one after another (sort the export by order number)`,
    zh: (p) => `订单 ${p.externalId} 的商品行在文件中不相邻：请按订单号排序后重新导出`,
  },
  order_row_after_refused: {
    en: (p) => `a further row of order ${p.externalId}, refused above`,
    zh: (p) => `订单 ${p.externalId} 的另一行，该订单已整单拒收`,
  },
  order_source_unknown: {
    en: (p) => `unknown source ${got(p)}: orders come from pos or mall`,
    zh: (p) => `来源${gotZh(p)}不对：订单只能来自门店收银（pos）或线上商城（mall）`,
  },
  record_source_unknown: {
    en: (p) => `unknown source ${got(p)}`,
    zh: (p) => `来源${gotZh(p)}不对：会员资料只能来自 pos、mall、miniprogram 或 wecom`,
  },
  order_row_no_id: { en: () => 'the order number is missing', zh: () => '该行缺少订单号' },
  // ---- files
  csv_malformed: { en: (p) => `malformed CSV: ${p.detail}`, zh: csvMalformedZh },
  json_invalid: { en: () => 'not valid JSON', zh: () => '不是有效的 JSON' },
  json_not_object: { en: () => 'not a JSON object', zh: () => '不是 JSON 对象' },
} satisfies Record<string, Entry>;

export type RefusalCode = keyof typeof REFUSALS;
export const REFUSAL_CODES = Object.keys(REFUSALS) as RefusalCode[];

export interface Refusal {
  code: RefusalCode;
  params?: RefusalParams;
}

export const refusal = (code: RefusalCode, params?: RefusalParams): Refusal => (params ? { code, params } : { code });

export const isRefusalCode = (code: string): code is RefusalCode => Object.hasOwn(REFUSALS, code);

export function isRefusal(v: unknown): v is Refusal {
  return (
    typeof v === 'object' && v !== null && typeof (v as Refusal).code === 'string' && isRefusalCode((v as Refusal).code)
  );
}

/** The sentence for partners and logs (English), or for HQ's pages (Chinese). */
export function refusalText(r: Refusal, lang: 'en' | 'zh'): string {
  return (REFUSALS[r.code] as Entry)[lang](r.params ?? {});
}

/** What a rejected result carries: the code and its particulars for machines, the sentence for people. */
export function refusalFields(r: Refusal): { code: RefusalCode; params?: RefusalParams; reason: string } {
  return r.params
    ? { code: r.code, params: r.params, reason: refusalText(r, 'en') }
    : { code: r.code, reason: refusalText(r, 'en') };
}

/** A refusal back from a rejected result's fields (null for a result without a known code). */
export function refusalOf(x: { code?: string | null; params?: RefusalParams | null }): Refusal | null {
  if (!x.code || !isRefusalCode(x.code)) return null;
  return x.params ? { code: x.code, params: x.params } : { code: x.code };
}

/** A payload that failed its schema: an unknown field, or the first field that does not fit (`whole` names the item). */
export function refusalOfSchema(error: z.ZodError, whole: string): Refusal {
  const issue = error.issues[0];
  if (issue.code === 'unrecognized_keys') return refusal('unknown_field', { fields: issue.keys.join(', ') });
  const bound: RefusalParams =
    issue.code === 'too_big'
      ? { limit: String(issue.maximum), origin: String(issue.origin) }
      : issue.code === 'too_small'
        ? { limit: String(issue.minimum), origin: String(issue.origin) }
        : {};
  return refusal('invalid_field', {
    field: issue.path.join('.') || whole,
    detail: issue.message,
    issue: issue.code,
    ...bound,
  });
}

/**
 * The integration log's error for a batch with refusals: the first one's code and sentence ("unknown_field: unknown
 * field vipLevel"), so HQ's health page can tell a refused record from a failed call and send them to the quarantine.
 */
export function refusalLogLine(results: readonly { status: string; code?: string; reason?: string }[]): string | null {
  const first = results.find((r) => r.status === 'rejected');
  if (!first) return null;
  return first.code ? `${first.code}: ${first.reason ?? ''}` : (first.reason ?? 'rejected');
}
