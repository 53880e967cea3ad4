/**
 * The coupon templates the POS redemption's one-round-trip path evaluates an order against (redeem.ts), cached in
 * the process. The cache never decides anything alone: each entry carries the fingerprint of the row it was read
 * from, and pos_redeem_coupon_by_code (migration 0015) writes only when the coupon's template in the database still
 * has that fingerprint. A stale or missing entry therefore costs the slow path (read, rules, write), never a wrong
 * answer; the cache is read again after REDEEM_TEMPLATE_CACHE_SECONDS, or at once when the slow path redeemed what
 * the fast one could not (`invalidateRedeemTemplates`); in steady use it is read again in the background before
 * then (refresh-ahead.ts), so no redemption waits for it. Concurrent misses share one query. Per database handle, on
 * the monotonic clock (as partner-keys.ts).
 */
import { performance } from 'node:perf_hooks';
import { couponHeadline } from '../../../shared/coupons/coupon.describe.js';
import type { CouponTemplateRule } from '../../../shared/coupons/coupon.rules.js';
import { textArrayLiteral } from '../../adapters/db/array-literal.js';
import type { Db } from '../../adapters/db/client.js';
import { type CouponTemplateRow, couponRepo } from '../../adapters/db/repos/coupon.repo.js';
import { type RefreshAheadCache, refreshAheadCache } from '../refresh-ahead.js';

export const REDEEM_TEMPLATE_CACHE_SECONDS = 60;
/** templates beyond this many (newest first) are not cached: their coupons take the slow path */
export const REDEEM_TEMPLATE_CACHE_MAX = 500;

export interface CachedTemplate {
  id: string;
  fingerprint: string;
  rule: CouponTemplateRule;
  headline: string;
}

/** The text[] parameters of pos_redeem_coupon_by_code for a set of templates, as PostgreSQL array literals. */
export interface TemplateLiterals {
  ids: string;
  fingerprints: string;
  headlines: string;
}

export interface RedeemTemplates {
  templates: CachedTemplate[];
  /**
   * The literals for the templates at these positions of `templates` (ascending), built once per set: most orders
   * of a store are accepted by the same templates, and a redemption then serialises only its two integer arrays.
   */
  literals(positions: readonly number[]): TemplateLiterals;
}

function withLiterals(templates: CachedTemplate[]): RedeemTemplates {
  const bySet = new Map<string, TemplateLiterals>();
  return {
    templates,
    literals(positions) {
      const key = positions.join(',');
      let hit = bySet.get(key);
      if (!hit) {
        const picked = positions.map((i) => templates[i]);
        hit = {
          ids: textArrayLiteral(picked.map((t) => t.id)),
          fingerprints: textArrayLiteral(picked.map((t) => t.fingerprint)),
          headlines: textArrayLiteral(picked.map((t) => t.headline)),
        };
        // bounded: at most one entry per distinct set, and a set is a few templates out of at most
        // REDEEM_TEMPLATE_CACHE_MAX; past 1,000 sets the cache only serves what it holds
        if (bySet.size < 1_000) bySet.set(key, hit);
      }
      return hit;
    },
  };
}

const caches = new WeakMap<Db, RefreshAheadCache<'templates', RedeemTemplates>>();

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

export function redeemTemplates(db: Db, nowMs = performance.now()): Promise<RedeemTemplates> {
  let cache = caches.get(db);
  if (!cache) {
    // read again in the background after 80 % of the period: steady redemptions never wait for the templates
    cache = refreshAheadCache({
      ttlMs: REDEEM_TEMPLATE_CACHE_SECONDS * 1000,
      refreshAfterMs: REDEEM_TEMPLATE_CACHE_SECONDS * 800,
    });
    caches.set(db, cache);
  }
  return cache.get('templates', () => readTemplates(db), nowMs);
}

function readTemplates(db: Db): Promise<RedeemTemplates> {
  return couponRepo.templatesWithFingerprint(db, REDEEM_TEMPLATE_CACHE_MAX).then((rows) =>
    withLiterals(
      rows.map(({ template, fingerprint }) => {
        const rule = templateRule(template);
        return { id: template.id, fingerprint, rule, headline: couponHeadline(rule) };
      }),
    ),
  );
}

/** Read the templates again on the next request (a template changed, or a new one is being redeemed). */
export function invalidateRedeemTemplates(db: Db): void {
  caches.get(db)?.delete('templates');
}
