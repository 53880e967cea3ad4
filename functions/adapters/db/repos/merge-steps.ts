import type { SQL } from 'drizzle-orm';
import type { Db, Tx } from '../client.js';
import { loyaltyMergeRepo } from './loyalty-merge.repo.js';
import { loyaltyMergeAll } from './loyalty-merge-bulk.repo.js';

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

/*
 * Every table with a customer column, and what a merge does with it:
 * - moved by the merge itself: source_records, identities (and through identities phone_code_exchanges and the
 *   identity ids on member_codes / signup_attributions / consent_records).
 * - moved here: orders, coupons, coupon_redemptions (a redemption stays with its coupon), member_codes (a code
 *   on screen for its last ~90 s must still find the person at the till). An order that arrives after a merge
 *   through its member's card or account (orders.member_source_id) goes to the survivor unlogged; undo sends it
 *   back with that member record (undoMerge in identity.repo.ts), and the hooks' `ordersBack` what it earned.
 * - reconciled by MERGE_HOOKS (cannot be moved row by row): points_ledger (append-only: compensating transfer
 *   lines), coupon_member_counts (primary key is template + customer: summed), the new-member coupon (voided
 *   down to one per person).
 * - kept on the absorbed customer, on purpose:
 *   consent_records: append-only legal proof of what that account agreed to and when (PIPL); it is not rewritten,
 *     and the survivor's own choices stay what govern marketing (a merge must never turn a withdrawal into a yes).
 *   signup_attributions: one row per person (unique on customer); the survivor's first sign-up keeps the credit,
 *     and the absorbed account's sign-up stays counted for the store and clerk that brought it in.
 *   held_links.candidate_customer_id: readers already follow customers.merged_into, and moving could collide on
 *     the (record, candidate) unique index.
 *   source_records.origin_customer_id, identity_merges, identity_merge_moves, audit_log: history, by definition.
 * - no customer column: partner_requests (stored POS answers), phone_code_exchanges (per identity).
 */
export const MERGE_STEPS: readonly MergeStep[] = [
  { table: 'orders', idColumn: 'id', customerColumn: 'customer_id' },
  { table: 'coupons', idColumn: 'id', customerColumn: 'customer_id' },
  { table: 'coupon_redemptions', idColumn: 'id', customerColumn: 'customer_id' },
  { table: 'member_codes', idColumn: 'code', customerColumn: 'customer_id' },
];

export interface MergeHookInput {
  mergeId: string;
  survivorId: string;
  mergedId: string;
  now: Date;
}

/**
 * Steps that reconcile instead of moving. `merge` runs after the MERGE_STEPS moves (it sees the absorbed rows on
 * the survivor and their move log); `undo` runs before the moves are put back. Same transaction as the merge.
 */
export interface MergeHook {
  name: string;
  /** a predicate for the bulk linker, so it calls `merge` only for the few merges with something to reconcile */
  concerns(mergeId: SQL, mergedId: SQL): SQL;
  merge(conn: Db | Tx, m: MergeHookInput): Promise<void>;
  /**
   * Optional, for the bulk linker: the same rows as `merge` called for every row of `merges` (a relation with
   * merge_id, survivor, loser) in merge_id order, after all of their moves, but set-based. Without it the bulk
   * linker calls `merge` once per merge that `concerns` the hook.
   */
  mergeAll?(conn: Tx, merges: SQL, now: Date): Promise<void>;
  undo(conn: Db | Tx, m: MergeHookInput): Promise<void>;
  /**
   * Optional: run after an undo sent back to the absorbed customer the orders that had reached the survivor (or a
   * later survivor) after the merge through the absorbed customer's card or account, which no move log saw.
   */
  ordersBack?(conn: Db | Tx, m: MergeHookInput, orderIds: readonly string[]): Promise<void>;
}

export const MERGE_HOOKS: readonly MergeHook[] = [
  {
    name: 'loyalty',
    concerns: loyaltyMergeRepo.concerns,
    merge: loyaltyMergeRepo.merge,
    mergeAll: loyaltyMergeAll,
    undo: loyaltyMergeRepo.undo,
    ordersBack: loyaltyMergeRepo.ordersBack,
  },
];

const IDENT = /^[a-z_][a-z0-9_]*$/;
for (const s of MERGE_STEPS) {
  // identifiers are interpolated into SQL: only plain snake_case names
  if (![s.table, s.idColumn, s.customerColumn].every((n) => IDENT.test(n)))
    throw new Error(`bad merge step ${s.table}`);
}
