/** Shared steps of the identity tests: signed ingest calls and a snapshot of everything a merge may move. */
import { DEMO_PARTNER_KEYS } from '../../../dev/demo/fixtures.js';
import { partnerHeaders } from '../../../functions/adapters/auth/partner-signature.js';
import type { TestSystem } from '../../support/system.js';

export async function ingest(sys: TestSystem, records: unknown[], keyId = 'key_pos_hz001') {
  const key = DEMO_PARTNER_KEYS.find((k) => k.id === keyId);
  if (!key) throw new Error(`no demo key ${keyId}`);
  const body = JSON.stringify({ records });
  const headers = partnerHeaders({
    keyId: key.id,
    secret: key.secret,
    method: 'POST',
    path: '/api/ingest/records',
    body,
    now: sys.clock.now(),
  });
  return sys.call('/api/ingest/records', { raw: body, headers });
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
