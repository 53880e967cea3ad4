/**
 * Coupon template management and set-based issuing: the row locks that order issues against edits and status
 * changes, issued counts, and issuing one template to many members in one INSERT … SELECT. No business rules here:
 * what may change lives in shared/coupons/template.rules.ts, the order of steps in functions/app/coupons.
 *
 * Locking, in one place: an issue of a template that counts stock takes the row FOR NO KEY UPDATE (issues of it
 * queue, so stock is never oversold); an issue of an unlimited template takes it FOR SHARE (sign-ups never queue on
 * each other); an edit or status change takes it FOR UPDATE, so it waits for issues in flight and every issue that
 * starts later sees the new values. A bulk issue takes FOR NO KEY UPDATE whatever the template: two runs never
 * interleave their stock and per-member counts.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { products, stores } from '../schema.js';
import { couponRedemptions, coupons, couponTemplates } from '../schema-loyalty.js';
import type { CouponTemplateInsert, CouponTemplateRow, Executor } from './coupon.repo.js';

export type IssueLock = 'share' | 'update';

/** One recipient's outcome in a bulk issue. `retry`: chosen but not inserted (a coupon code collided). */
export type BulkIssueOutcome = 'issued' | 'already' | 'limit' | 'stock' | 'retry';

export interface BulkIssueInput {
  templateId: string;
  /** recipients in priority order (stock runs out from the end), each with a fresh coupon id and code */
  recipients: readonly { customerId: string; couponId: string; code: string }[];
  /** issue key of each coupon: `<issueKeyPrefix><customerId>` (unique: a re-run issues nothing twice) */
  issueKeyPrefix: string;
  validFrom: Date;
  validUntil: Date;
  reason: 'manual' | 'campaign';
  storeId: string | null;
  issuedBy: string | null;
  now: Date;
}

export const couponTemplateRepo = {
  /** The template locked for a management change (edit, pause, resume, end). */
  async byCodeForUpdate(ex: Executor, code: string): Promise<CouponTemplateRow | null> {
    const [row] = await ex.select().from(couponTemplates).where(eq(couponTemplates.code, code)).for('update').limit(1);
    return row ?? null;
  },

  /** The template as it is now (the latest committed version), locked for an issue. */
  async lockForIssue(ex: Executor, id: string, lock: IssueLock): Promise<CouponTemplateRow | null> {
    const [row] = await ex
      .select()
      .from(couponTemplates)
      .where(eq(couponTemplates.id, id))
      .for(lock === 'share' ? 'share' : 'no key update')
      .limit(1);
    return row ?? null;
  },

  /** Coupons ever issued from each template, any status (the stock counter runs only for limited templates). */
  async issuedCounts(ex: Executor, templateIds: readonly string[]): Promise<Map<string, number>> {
    if (templateIds.length === 0) return new Map();
    const rows = await ex
      .select({ templateId: coupons.templateId, n: sql<number>`count(*)::int` })
      .from(coupons)
      .where(inArray(coupons.templateId, [...templateIds]))
      .groupBy(coupons.templateId);
    return new Map(rows.map((r) => [r.templateId, Number(r.n)]));
  },

  /**
   * How each template's coupons did: issued (any status), used now (a voided redemption gives its coupon back) and
   * the discount those live redemptions gave, at the till or the counter (one live redemption per coupon at most).
   */
  async usage(
    ex: Executor,
    templateIds: readonly string[],
  ): Promise<Map<string, { issued: number; used: number; discountFen: number }>> {
    if (templateIds.length === 0) return new Map();
    const rows = await ex
      .select({
        templateId: coupons.templateId,
        issued: sql<number>`count(*)::int`,
        // used on a sale that stands: a coupon whose sale was refunded after it expired stays `redeemed` (nothing
        // may use it again) but gave no discount, and the wallet lists it as expired (wallet.ts)
        used: sql<number>`(count(*) filter (where ${coupons.status} = 'redeemed' and ${couponRedemptions.couponId} is not null))::int`,
        discountFen: sql<number>`coalesce(sum(${couponRedemptions.discountFen}), 0)::bigint`,
      })
      .from(coupons)
      .leftJoin(
        couponRedemptions,
        and(eq(couponRedemptions.couponId, coupons.id), eq(couponRedemptions.status, 'redeemed')),
      )
      .where(inArray(coupons.templateId, [...templateIds]))
      .groupBy(coupons.templateId);
    return new Map(
      rows.map((r) => [
        r.templateId,
        { issued: Number(r.issued), used: Number(r.used), discountFen: Number(r.discountFen) },
      ]),
    );
  },

  async update(ex: Executor, id: string, values: Partial<CouponTemplateInsert>): Promise<void> {
    await ex.update(couponTemplates).set(values).where(eq(couponTemplates.id, id));
  },

  /**
   * Per-member counters as the issued coupons say, never lowering one: counters run only while a template has a
   * limit, so a limit set later must first count what members already hold.
   */
  async backfillMemberCounts(ex: Executor, templateId: string): Promise<void> {
    await ex.execute(sql`
      insert into coupon_member_counts (template_id, customer_id, issued)
      select template_id, customer_id, count(*)::int from coupons where template_id = ${templateId}
      group by template_id, customer_id
      on conflict (template_id, customer_id) do update
        set issued = greatest(coupon_member_counts.issued, excluded.issued)`);
  },

  /** The catalogue's product categories (those of `only` that exist, when given), sorted. */
  async catalogueCategories(ex: Executor, only?: readonly string[]): Promise<string[]> {
    const q = ex.selectDistinct({ category: products.category }).from(products);
    const rows = await (only ? q.where(inArray(products.category, [...only])) : q).orderBy(asc(products.category));
    return rows.map((r) => r.category);
  },

  /** Every store, in code order: the stores HQ may create a store's own template for. */
  async allStores(ex: Executor): Promise<{ id: string; name: string }[]> {
    return ex.select({ id: stores.id, name: stores.name }).from(stores).orderBy(asc(stores.code));
  },

  /** Store names and regions, for the views and the access policy of store-scoped templates. */
  async stores(ex: Executor, ids: readonly string[]): Promise<Map<string, { name: string; regionId: string }>> {
    if (ids.length === 0) return new Map();
    const rows = await ex
      .select({ id: stores.id, name: stores.name, regionId: stores.regionId })
      .from(stores)
      .where(inArray(stores.id, [...ids]));
    return new Map(rows.map((r) => [r.id, { name: r.name, regionId: r.regionId }]));
  },

  /**
   * Issues one template to many members in ONE statement. The caller holds the template row (lockForIssue
   * 'update') and has checked its status and validity. In order: recipients whose issue key exists are `already`;
   * of the rest, those at the per-member limit are `limit`; of the rest, the first `total_stock - issued_count`
   * (all when unlimited) are inserted, the others are `stock`; the per-member counters (limited templates) and the
   * stock counter move by exactly what was inserted. ON CONFLICT DO NOTHING covers a coupon code collision
   * (`retry`: the caller tries those again with new codes).
   */
  async issueMany(ex: Executor, input: BulkIssueInput): Promise<Map<string, BulkIssueOutcome>> {
    const out = new Map<string, BulkIssueOutcome>();
    if (input.recipients.length === 0) return out;
    const customerIds = sql.param(input.recipients.map((r) => r.customerId));
    const couponIds = sql.param(input.recipients.map((r) => r.couponId));
    const codes = sql.param(input.recipients.map((r) => r.code));
    const result = await ex.execute(sql`
      with input as (
        select u.customer_id, u.coupon_id, u.code, u.ord
        from unnest(${customerIds}::text[], ${couponIds}::text[], ${codes}::text[])
          with ordinality as u(customer_id, coupon_id, code, ord)
      ),
      tpl as (
        select id, total_stock, issued_count, per_member_limit from coupon_templates where id = ${input.templateId}
      ),
      fresh as (
        select i.* from input i
        where not exists (select 1 from coupons k where k.issue_key = ${input.issueKeyPrefix} || i.customer_id)
      ),
      under_limit as (
        select f.* from fresh f cross join tpl
        left join coupon_member_counts m on m.template_id = tpl.id and m.customer_id = f.customer_id
        where tpl.per_member_limit is null or coalesce(m.issued, 0) < tpl.per_member_limit
      ),
      picked as (
        select ul.* from under_limit ul order by ul.ord
        limit (select case when total_stock is null then null else greatest(total_stock - issued_count, 0) end from tpl)
      ),
      ins as (
        insert into coupons (id, template_id, customer_id, code, status, valid_from, valid_until, reason, issue_key,
          issued_store_id, issued_by, issued_at)
        select p.coupon_id, ${input.templateId}, p.customer_id, p.code, 'available',
          ${input.validFrom.toISOString()}::timestamptz, ${input.validUntil.toISOString()}::timestamptz,
          ${input.reason}, ${input.issueKeyPrefix} || p.customer_id, ${input.storeId}, ${input.issuedBy},
          ${input.now.toISOString()}::timestamptz
        from picked p
        on conflict do nothing
        returning customer_id
      ),
      member_counts as (
        insert into coupon_member_counts (template_id, customer_id, issued)
        select ${input.templateId}, ins.customer_id, 1 from ins where (select per_member_limit from tpl) is not null
        on conflict (template_id, customer_id) do update set issued = coupon_member_counts.issued + 1
        returning 1
      ),
      stock as (
        update coupon_templates set issued_count = issued_count + (select count(*) from ins)
        where id = ${input.templateId} and total_stock is not null
        returning 1
      )
      select i.customer_id,
        case when ins.customer_id is not null then 'issued'
             when f.customer_id is null then 'already'
             when ul.customer_id is null then 'limit'
             when p.customer_id is null then 'stock'
             else 'retry' end as outcome
      from input i
      left join fresh f on f.customer_id = i.customer_id
      left join under_limit ul on ul.customer_id = i.customer_id
      left join picked p on p.customer_id = i.customer_id
      left join ins on ins.customer_id = i.customer_id`);
    const rows = (result as unknown as { rows: { customer_id: string; outcome: BulkIssueOutcome }[] }).rows;
    for (const r of rows) out.set(r.customer_id, r.outcome);
    return out;
  },
};
