/**
 * The file formats HQ can upload from the staff pages: the mappings in config/import-mappings (the same files the
 * CLI takes with --mapping) and the two default column sets, each with a Chinese label and the source its rows
 * come from. A chain whose POS exports other columns adds a mapping file and a line here.
 */
import posLegacy from '../../../config/import-mappings/pos-legacy.json' with { type: 'json' };
import posOrdersLegacy from '../../../config/import-mappings/pos-orders-legacy.json' with { type: 'json' };
import { DEFAULT_MAPPING, type FieldMapping, FieldMappingSchema } from './import-file.js';
import { DEFAULT_ORDER_MAPPING } from './import-orders.js';

export interface UploadMapping {
  name: string;
  kind: 'records' | 'orders';
  label: string;
  /** every row's source; null: the file's source column names it per row */
  source: string | null;
  mapping: FieldMapping;
}

const MAPPINGS: readonly UploadMapping[] = [
  {
    name: 'pos-legacy',
    kind: 'records',
    label: '门店收银会员资料（中文列名：会员卡号、姓名、手机号…）',
    source: 'pos',
    mapping: FieldMappingSchema.parse(posLegacy),
  },
  {
    name: 'pos-orders-legacy',
    kind: 'orders',
    label: '门店收银销售明细（中文列名：单据号、会员卡号、商品编码…，金额以元计）',
    source: 'pos',
    mapping: FieldMappingSchema.parse(posOrdersLegacy),
  },
  {
    name: 'records-standard',
    kind: 'records',
    label: '会员资料（MedLoop 标准列，source 列注明来源）',
    source: null,
    mapping: DEFAULT_MAPPING,
  },
  {
    name: 'orders-standard',
    kind: 'orders',
    label: '订单明细（MedLoop 标准列，source 列注明 pos 或 mall）',
    source: null,
    mapping: DEFAULT_ORDER_MAPPING,
  },
];

export const uploadMappings = (): readonly UploadMapping[] => MAPPINGS;

export const uploadMapping = (name: string): UploadMapping | null => MAPPINGS.find((m) => m.name === name) ?? null;

/** The file's columns a mapping reads, its source column first, each once. */
export function mappingColumns(m: UploadMapping): string[] {
  const columns = [...(m.mapping.sourceColumn ? [m.mapping.sourceColumn] : []), ...Object.values(m.mapping.fields)];
  return [...new Set(columns)];
}
