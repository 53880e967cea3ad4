/**
 * The fields an upload format (数据导入 → 新建导入格式) can fill, per kind of file, in HQ's words: what each is, whether
 * a file must have it, and the column headers chains' exports commonly give it, so the page can propose a mapping
 * from a sample file's header row. The names are the ingest's own (IngestRecordSchema, IngestOrderSchema): a saved
 * format is `{ field: column }`, the same shape as config/import-mappings/*.json.
 */

import { FIELD_LABELS } from './field-labels.js';

export type ImportKind = 'records' | 'orders';

export interface ImportField {
  field: string;
  label: string;
  /** a file without this column cannot be imported with the format */
  required: boolean;
  hint?: string;
  /** headers that name this field in common exports (matched ignoring case, spaces and punctuation) */
  headers: readonly string[];
}

export const IMPORT_FIELDS: Record<ImportKind, readonly ImportField[]> = {
  records: [
    {
      field: 'sourceId',
      label: FIELD_LABELS.sourceId,
      required: true,
      hint: '每位会员在该系统里唯一的编号，通常就是会员卡号',
      headers: [
        '会员编号',
        '会员卡号',
        '卡号',
        '会员号',
        '会员ID',
        '会员id',
        '客户编号',
        '客户ID',
        'vip卡号',
        'source_id',
        'sourceId',
        'member_id',
      ],
    },
    {
      field: 'cardNo',
      label: FIELD_LABELS.cardNo,
      required: false,
      headers: ['会员卡号', '卡号', 'vip卡号', '实体卡号', 'card_no', 'cardNo'],
    },
    {
      field: 'mallAccount',
      label: FIELD_LABELS.mallAccount,
      required: false,
      headers: ['商城账号', '用户账号', '账号', '用户名', 'mall_account', 'mallAccount'],
    },
    {
      field: 'name',
      label: FIELD_LABELS.name,
      required: false,
      headers: ['姓名', '会员姓名', '客户姓名', '客户名称', '名字', 'name'],
    },
    {
      field: 'phone',
      label: FIELD_LABELS.phone,
      required: false,
      headers: ['手机号', '手机', '手机号码', '联系电话', '电话', '移动电话', 'phone', 'mobile'],
    },
    {
      field: 'gender',
      label: FIELD_LABELS.gender,
      required: false,
      headers: ['性别', 'gender', 'sex'],
    },
    {
      field: 'birthday',
      label: FIELD_LABELS.birthday,
      required: false,
      headers: ['生日', '出生日期', '出生年月', '出生年月日', 'birthday', 'birth_date'],
    },
    {
      field: 'email',
      label: FIELD_LABELS.email,
      required: false,
      headers: ['邮箱', '电子邮箱', 'email', 'e-mail'],
    },
    {
      field: 'address',
      label: FIELD_LABELS.address,
      required: false,
      headers: ['地址', '住址', '联系地址', '家庭地址', '收货地址', 'address'],
    },
    {
      field: 'storeCode',
      label: FIELD_LABELS.storeCode,
      required: false,
      hint: '与系统中的门店编码一致（如 HZ001）',
      headers: ['门店编码', '门店编号', '门店代码', '开卡门店', '所属门店', '店号', 'store_code', 'storeCode'],
    },
    {
      field: 'lastActive',
      label: FIELD_LABELS.lastActive,
      required: false,
      hint: '用于判断久未使用的卡（号码可能已被运营商回收）',
      headers: ['最近消费日期', '最后消费日期', '最近消费', '最后消费时间', '最近到店', 'last_active', 'lastActive'],
    },
  ],
  orders: [
    {
      field: 'externalId',
      label: FIELD_LABELS.externalId,
      required: true,
      hint: '同一张单的多行商品单据号相同',
      headers: ['单据号', '订单号', '小票号', '流水号', '销售单号', 'order_id', 'externalId'],
    },
    {
      field: 'orderedAt',
      label: FIELD_LABELS.orderedAt,
      required: true,
      headers: ['销售时间', '销售日期', '下单时间', '交易时间', '日期', 'ordered_at', 'orderedAt'],
    },
    {
      field: 'sku',
      label: FIELD_LABELS.sku,
      required: true,
      headers: ['商品编码', '商品编号', '货号', '药品编码', 'sku', '商品代码'],
    },
    {
      field: 'quantity',
      label: FIELD_LABELS.quantity,
      required: true,
      hint: '退货为负数',
      headers: ['数量', '销售数量', 'quantity', 'qty'],
    },
    {
      field: 'unitPrice',
      label: FIELD_LABELS.unitPrice,
      required: false,
      hint: '单价和金额至少要有一列',
      headers: ['单价', '售价', '零售价', 'unit_price', 'unitPrice', 'price'],
    },
    {
      field: 'amount',
      label: FIELD_LABELS.amount,
      required: false,
      hint: '该行商品的金额',
      headers: ['金额', '行金额', '商品金额', '小计', 'amount'],
    },
    {
      field: 'memberId',
      label: FIELD_LABELS.memberId,
      required: false,
      hint: '非会员的散客销售可为空',
      headers: ['会员卡号', '会员编号', '卡号', '会员号', 'vip卡号', 'member_id', 'memberId'],
    },
    {
      field: 'storeCode',
      label: FIELD_LABELS.storeCode,
      required: false,
      headers: ['门店编码', '门店编号', '门店代码', '店号', 'store_code', 'storeCode'],
    },
    {
      field: 'productName',
      label: FIELD_LABELS.productName,
      required: false,
      headers: ['商品名称', '品名', '药品名称', '商品名', 'product_name', 'productName'],
    },
    {
      field: 'discount',
      label: FIELD_LABELS.discount,
      required: false,
      headers: ['整单优惠', '优惠金额', '折扣金额', '优惠', 'discount'],
    },
    {
      field: 'paid',
      label: FIELD_LABELS.paid,
      required: false,
      headers: ['实收金额', '实收', '实付金额', '应收金额', 'paid'],
    },
    {
      field: 'total',
      label: FIELD_LABELS.total,
      required: false,
      headers: ['合计金额', '合计', '总金额', '订单金额', 'total'],
    },
    {
      field: 'originalExternalId',
      label: FIELD_LABELS.originalExternalId,
      required: false,
      headers: ['原单号', '原单据号', '原订单号', 'original_order_id'],
    },
  ],
};

/** The sources an upload format may name, per kind (orders come from the tills and the mall only). */
export const IMPORT_FORMAT_SOURCES: Record<ImportKind, readonly string[]> = {
  records: ['pos', 'mall', 'wecom'],
  orders: ['pos', 'mall'],
};

/**
 * A header as compared: full-width letters folded, lower case, a bracketed remark dropped (“手机号码（必填）” reads
 * 手机号码), without spaces or punctuation.
 */
const headerKey = (h: string) =>
  h
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[(（[【][^)）\]】]*[)）\]】]/g, '')
    .replace(/[\s_\-·.:：*]/g, '');

/**
 * The mapping a file's header row suggests: for each field, the first column whose header is one of the field's
 * common headers (exactly, after headerKey), each column used once, required fields first.
 */
export function suggestMapping(kind: ImportKind, columns: readonly string[]): Record<string, string> {
  const byKey = new Map<string, string>();
  for (const c of columns) if (!byKey.has(headerKey(c))) byKey.set(headerKey(c), c);
  const used = new Set<string>();
  const out: Record<string, string> = {};
  const fields = [...IMPORT_FIELDS[kind]].sort((a, b) => Number(b.required) - Number(a.required));
  for (const f of fields) {
    const hit = f.headers.map((h) => byKey.get(headerKey(h))).find((c) => c !== undefined && !used.has(c));
    if (hit === undefined) continue;
    out[f.field] = hit;
    // a card number is often the member's id too: the same column may fill both
    if (!(kind === 'records' && (f.field === 'sourceId' || f.field === 'cardNo'))) used.add(hit);
  }
  return out;
}

/** What a format's fields lack: the required fields not mapped (and, for orders, neither a unit price nor an amount). */
export function missingFields(kind: ImportKind, fields: Readonly<Record<string, string>>): string[] {
  const missing = IMPORT_FIELDS[kind].filter((f) => f.required && !fields[f.field]).map((f) => f.label);
  if (kind === 'orders' && !fields.unitPrice && !fields.amount) missing.push('单价或金额');
  return missing;
}
