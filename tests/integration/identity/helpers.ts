/** Shared steps of the identity tests: signed ingest calls and a snapshot of everything a merge may move. */
import { DEMO_PARTNER_KEYS } from '../../../dev/demo/fixtures.js';
import { partnerHeaders } from '../../../functions/adapters/auth/partner-signature.js';
import type { TestSystem } from '../../support/system.js';

export function ingest(sys: TestSystem, records: unknown[], keyId = 'key_pos_hz001') {
  return signedPost(sys, '/api/ingest/records', { records }, keyId);
}

export function ingestOrders(sys: TestSystem, orders: unknown[], keyId = 'key_pos_hz001') {
  return signedPost(sys, '/api/ingest/orders', { orders }, keyId);
}

/** A POST signed with a demo partner key, as a POS or the mall sends it. */
export async function signedPost(sys: TestSystem, path: string, payload: unknown, keyId: string) {
  const key = DEMO_PARTNER_KEYS.find((k) => k.id === keyId);
  if (!key) throw new Error(`no demo key ${keyId}`);
  const body = JSON.stringify(payload);
  const headers = partnerHeaders({
    keyId: key.id,
    secret: key.secret,
    method: 'POST',
    path,
    body,
    now: sys.clock.now(),
  });
  return sys.call(path, { raw: body, headers });
}

/** Every row linking may touch, in a stable order: equal snapshots mean nothing changed. */
export async function snapshot(sys: TestSystem) {
  const q = (sql: string) => sys.database.exec(sql);
  return {
    customers: await q('select id, status, merged_into, registered_at::text from customers order by id'),
    records: await q(
      'select id, source, source_id, customer_id, payload_hash, updated_at::text from source_records order by id',
    ),
    identities: await q(
      'select id, customer_id, kind, value, verified, quality, source, source_id from identities order by id',
    ),
    orders: await q('select id, customer_id from orders order by id'),
    coupons: await q('select id, customer_id from coupons order by id'),
    merges: await q('select id, survivor_id, merged_id, undone_at::text from identity_merges order by id'),
    holds: await q(
      'select record_id, candidate_customer_id, status from held_links order by record_id, candidate_customer_id',
    ),
  };
}

export async function customerOf(sys: TestSystem, source: string, sourceId: string): Promise<string> {
  const rows = await sys.database.exec('select customer_id from source_records where source = $1 and source_id = $2', [
    source,
    sourceId,
  ]);
  if (!rows[0]) throw new Error(`no record ${source}/${sourceId}`);
  return String(rows[0].customer_id);
}

/**
 * Loyalty rows written directly, as earlier use cases would have left them, for the merge tests: ledger lines and
 * coupons (a new-member one counts towards the per-member counter; a redeemed one has its redemption row).
 */
export function loyaltyRows(sys: TestSystem) {
  const exec = (q: string, p?: unknown[]) => sys.database.exec(q, p);
  let ids: Promise<{ newMember: string; manual: string }> | null = null;
  const templates = () => {
    ids ??= (async () => {
      const [nm] = await exec("select id from coupon_templates where code = 'NEW_MEMBER'");
      const [other] = await exec("select id from coupon_templates where code <> 'NEW_MEMBER' order by id");
      return { newMember: String(nm.id), manual: String(other.id) };
    })();
    return ids;
  };

  async function earn(customerId: string, key: string, points: number, earnYear: number, at: string) {
    await exec(
      `insert into points_ledger (customer_id, kind, points, entry_key, earn_year, note, occurred_at)
       values ($1, 'earn', $2, $3, $4, 'test', $5::timestamptz)`,
      [customerId, points, key, earnYear, at],
    );
  }

  async function spend(customerId: string, key: string, points: number, at: string) {
    await exec(
      `insert into points_ledger (customer_id, kind, points, entry_key, note, occurred_at)
       values ($1, 'spend', $2, $3, 'test', $4::timestamptz)`,
      [customerId, -points, key, at],
    );
  }

  /** a coupon valid for `days` (default 400) from `issuedAt` */
  async function coupon(
    id: string,
    customerId: string,
    o: { newMember?: boolean; issuedAt: string; days?: number; redeemed?: boolean },
  ): Promise<void> {
    const t = await templates();
    await exec(
      `insert into coupons (id, template_id, customer_id, code, status, valid_from, valid_until, reason, issue_key,
         issued_at, redeemed_at, redeemed_store_id)
       values ($1, $2, $3, $1, $4, $5::timestamptz, $5::timestamptz + make_interval(days => $6), $7, $1,
         $5::timestamptz, $8::timestamptz, $9)`,
      [
        id,
        o.newMember ? t.newMember : t.manual,
        customerId,
        o.redeemed ? 'redeemed' : 'available',
        o.issuedAt,
        o.days ?? 400,
        o.newMember ? 'new_member' : 'manual',
        o.redeemed ? o.issuedAt : null,
        o.redeemed ? 'sto_001' : null,
      ],
    );
    if (o.redeemed) {
      await exec(
        `insert into coupon_redemptions (id, coupon_id, customer_id, store_id, order_amount_fen, discount_fen, redeemed_at)
         values ($1, $2, $3, 'sto_001', 5000, 500, $4::timestamptz)`,
        [`rdm_${id}`, id, customerId, o.issuedAt],
      );
    }
    if (o.newMember) {
      await exec(
        `insert into coupon_member_counts (template_id, customer_id, issued) values ($1, $2, 1)
         on conflict (template_id, customer_id) do update set issued = coupon_member_counts.issued + 1`,
        [t.newMember, customerId],
      );
    }
  }

  return { templates, earn, spend, coupon };
}
