/**
 * What moves with a customer when two are merged, and back when the merge is undone. Each step is a table with a
 * text primary key and a customer column; the merge logs every row it moves (identity_merge_moves) so undo puts
 * exactly those rows back. Another context whose rows belong to a person adds ONE line here (append-only tables
 * such as a points ledger cannot be moved by UPDATE: they post compensating entries in their own step instead).
 * Source records and identities are moved by the merge itself.
 */
export interface MergeStep {
  table: string;
  idColumn: string;
  customerColumn: string;
}

export const MERGE_STEPS: readonly MergeStep[] = [
  { table: 'orders', idColumn: 'id', customerColumn: 'customer_id' },
  // a coupon belongs to the person; the once-per-person counters (coupon_member_counts) and the append-only points
  // ledger are the loyalty context's to reconcile in their own step
  { table: 'coupons', idColumn: 'id', customerColumn: 'customer_id' },
];

const IDENT = /^[a-z_][a-z0-9_]*$/;
for (const s of MERGE_STEPS) {
  // identifiers are interpolated into SQL: only plain snake_case names
  if (![s.table, s.idColumn, s.customerColumn].every((n) => IDENT.test(n)))
    throw new Error(`bad merge step ${s.table}`);
}
