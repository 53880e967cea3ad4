/**
 * The coupon templates the POS redemption's one-round-trip path evaluates an order against (redeem.ts), cached in
 * the process. The cache never decides anything alone: each entry carries the fingerprint of the row it was read
 * from, and pos_redeem_coupon_by_code (migration 0015) writes only when the coupon's template in the database still
 * has that fingerprint. A stale or missing entry therefore costs the slow path (read, rules, write), never a wrong
 * answer; the cache is read again after REDEEM_TEMPLATE_CACHE_SECONDS, or at once when the slow path redeemed what
 * the fast one could not (`invalidateRedeemTemplates`). Concurrent misses share one query. Per database handle, on
 * the monotonic clock (as partner-keys.ts).
 */
import { performance } from 'node:perf_hooks';
import { couponHeadline } from '../../../shared/coupons/coupon.describe.js';
import type { CouponTemplateRule } from '../../../shared/coupons/coupon.rules.js';
import type { Db } from '../../adapters/db/client.js';
import { type CouponTemplateRow, couponRepo } from '../../adapters/db/repos/coupon.repo.js';

export const REDEEM_TEMPLATE_CACHE_SECONDS = 60;
/** templates beyond this many (newest first) are not cached: their coupons take the slow path */
export const REDEEM_TEMPLATE_CACHE_MAX = 500;

export interface CachedTemplate {
  id: string;
  fingerprint: string;
  rule: CouponTemplateRule;
  headline: string;
}

interface Entry {
  readAt: number;
  templates: Promise<CachedTemplate[]>;
}

const caches = new WeakMap<Db, Entry>();

export function templateRule(t: CouponTemplateRow): CouponTemplateRule {
  return {
    kind: t.kind,
    amountOffFen: t.amountOffFen,
    percentOff: t.percentOff,
    maxDiscountFen: t.maxDiscountFen,
    thresholdFen: t.thresholdFen,
    storeIds: t.storeIds,
    categories: t.categories,
    includeRx: t.includeRx,
  };
}

export function redeemTemplates(db: Db, nowMs = performance.now()): Promise<CachedTemplate[]> {
  const hit = caches.get(db);
  if (hit && nowMs - hit.readAt < REDEEM_TEMPLATE_CACHE_SECONDS * 1000) return hit.templates;
  const entry: Entry = {
    readAt: nowMs,
    templates: couponRepo.templatesWithFingerprint(db, REDEEM_TEMPLATE_CACHE_MAX).then((rows) =>
      rows.map(({ template, fingerprint }) => {
        const rule = templateRule(template);
        return { id: template.id, fingerprint, rule, headline: couponHeadline(rule) };
      }),
    ),
  };
  caches.set(db, entry);
  // a failed read is not kept: the next request tries again
  entry.templates.catch(() => caches.get(db) === entry && caches.delete(db));
  return entry.templates;
}

/** Read the templates again on the next request (a template changed, or a new one is being redeemed). */
export function invalidateRedeemTemplates(db: Db): void {
  caches.delete(db);
}
