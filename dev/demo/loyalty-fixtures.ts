/**
 * The coupon templates the demo and the sign-up flow rely on, by code. Loaded with the chain fixtures; idempotent
 * (existing codes are left alone, so a template a manager edited is never overwritten on restart).
 */
import type { Database } from '../../functions/adapters/db/client.js';

export interface DemoCouponTemplate {
  id: string;
  code: string;
  name: string;
  kind: 'amount_off' | 'percent_off';
  amountOffFen: number | null;
  percentOff: number | null;
  maxDiscountFen: number | null;
  thresholdFen: number;
  validDays: number;
  totalStock: number | null;
  perMemberLimit: number | null;
  storeIds: string[];
  categories: string[];
  includeRx: boolean;
  ownerStoreId: string | null;
}

const base = {
  percentOff: null,
  maxDiscountFen: null,
  totalStock: null,
  perMemberLimit: null,
  storeIds: [] as string[],
  categories: [] as string[],
  includeRx: false,
  ownerStoreId: null,
};

export const DEMO_COUPON_TEMPLATES: readonly DemoCouponTemplate[] = [
  // issued once per person at sign-up (functions/app/coupons/issue-coupon.ts, reason new_member)
  {
    ...base,
    id: 'ctp_new_member',
    code: 'NEW_MEMBER',
    name: '新会员见面礼',
    kind: 'amount_off',
    amountOffFen: 1000,
    thresholdFen: 0,
    validDays: 30,
    perMemberLimit: 1,
  },
  // birthday benefits by tier (shared/points/tier.rules.ts), issued once a year in the birthday month
  {
    ...base,
    id: 'ctp_birthday_basic',
    code: 'BIRTHDAY_BASIC',
    name: '生日礼券',
    kind: 'amount_off',
    amountOffFen: 500,
    thresholdFen: 3000,
    validDays: 30,
  },
  {
    ...base,
    id: 'ctp_birthday_silver',
    code: 'BIRTHDAY_SILVER',
    name: '银卡生日礼券',
    kind: 'amount_off',
    amountOffFen: 1500,
    thresholdFen: 5000,
    validDays: 30,
  },
  {
    ...base,
    id: 'ctp_birthday_gold',
    code: 'BIRTHDAY_GOLD',
    name: '金卡生日九折券',
    kind: 'percent_off',
    amountOffFen: null,
    percentOff: 10,
    maxDiscountFen: 5000,
    thresholdFen: 0,
    validDays: 30,
  },
  {
    ...base,
    id: 'ctp_full_100_15',
    code: 'FULL_100_15',
    name: '满100减15',
    kind: 'amount_off',
    amountOffFen: 1500,
    thresholdFen: 10000,
    validDays: 14,
  },
  {
    ...base,
    id: 'ctp_vitamin_88',
    code: 'VITAMIN_88',
    name: '维生素矿物质88折',
    kind: 'percent_off',
    amountOffFen: null,
    percentOff: 12,
    maxDiscountFen: 3000,
    thresholdFen: 0,
    validDays: 30,
    categories: ['维生素矿物质'],
  },
  {
    ...base,
    id: 'ctp_hz001_200_20',
    code: 'HZ001_200_20',
    name: '西湖店满200减20',
    kind: 'amount_off',
    amountOffFen: 2000,
    thresholdFen: 20000,
    validDays: 14,
    totalStock: 500,
    perMemberLimit: 2,
    storeIds: ['sto_001'],
    ownerStoreId: 'sto_001',
  },
];

/** Inserts the demo coupon templates that are missing; returns how many were inserted. */
export async function loadLoyaltyFixtures(database: Database): Promise<number> {
  const t = DEMO_COUPON_TEMPLATES;
  const rows = await database.exec(
    `insert into coupon_templates (id, code, name, kind, amount_off_fen, percent_off, max_discount_fen, threshold_fen,
       validity_kind, valid_days, total_stock, per_member_limit, store_ids, categories, include_rx, owner_store_id)
     select id, code, name, kind, amount_off_fen, percent_off, max_discount_fen, threshold_fen, 'relative', valid_days,
       total_stock, per_member_limit,
       coalesce((select array_agg(x) from jsonb_array_elements_text(stores) x), '{}'),
       coalesce((select array_agg(x) from jsonb_array_elements_text(cats) x), '{}'),
       include_rx, owner_store_id
     from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int4[], $6::int4[], $7::int4[], $8::int4[],
       $9::int4[], $10::int4[], $11::int4[], $12::jsonb[], $13::jsonb[], $14::bool[], $15::text[])
       as v(id, code, name, kind, amount_off_fen, percent_off, max_discount_fen, threshold_fen, valid_days,
         total_stock, per_member_limit, stores, cats, include_rx, owner_store_id)
     on conflict do nothing
     returning 1`,
    [
      t.map((r) => r.id),
      t.map((r) => r.code),
      t.map((r) => r.name),
      t.map((r) => r.kind),
      t.map((r) => r.amountOffFen),
      t.map((r) => r.percentOff),
      t.map((r) => r.maxDiscountFen),
      t.map((r) => r.thresholdFen),
      t.map((r) => r.validDays),
      t.map((r) => r.totalStock),
      t.map((r) => r.perMemberLimit),
      t.map((r) => JSON.stringify(r.storeIds)),
      t.map((r) => JSON.stringify(r.categories)),
      t.map((r) => r.includeRx),
      t.map((r) => r.ownerStoreId),
    ],
  );
  return rows.length;
}
