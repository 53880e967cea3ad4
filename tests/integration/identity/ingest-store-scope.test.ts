/**
 * A store's till key ingests its own store's records only. A QA walk found the check made on the incoming store code
 * alone: store HZ002's till sent another store's card number without a store code (or with its own) and renamed,
 * renumbered and re-homed store HZ001's card. A record another store holds is refused (and quarantined); its own
 * store still updates it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { ingest } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const card = async (sourceId: string) =>
  (
    await sys.database.exec(
      `select r.name, r.phone, s.code from source_records r left join stores s on s.id = r.store_id
       where r.source = 'pos' and r.source_id = $1`,
      [sourceId],
    )
  )[0];

type Results = { results: { status: string; code?: string; reason?: string }[]; created: number; updated: number };

describe("a store's till and another store's card", () => {
  it('refuses to change a card of another store, and lets its own store change it', async () => {
    const first = await ingest(sys, [
      { sourceId: 'QC53336054', name: '李小花', phone: '13957131001', storeCode: 'HZ001' },
    ]);
    expect((first.body as Results).created).toBe(1);
    sys.clock.advance(60_000);

    for (const attempt of [
      { sourceId: 'QC53336054', name: '王大锤', phone: '13957131002', storeCode: 'HZ002' },
      { sourceId: 'QC53336054', name: '王大锤', phone: '13957131002' },
    ]) {
      const r = await ingest(
        sys,
        [attempt, { sourceId: 'QC-HZ002-1', name: '赵小青', phone: '13957131003' }],
        'key_pos_hz002',
      );
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      const body = r.body as Results;
      expect(body.results[0]).toMatchObject({ status: 'rejected', code: 'record_of_other_store' });
      expect(body.results[0].reason).toContain('QC53336054');
      // the rest of the batch lands
      expect(body.results[1].status).toMatch(/created|unchanged/);
      expect(await card('QC53336054')).toEqual({ name: '李小花', phone: '13957131001', code: 'HZ001' });
      sys.clock.advance(60_000);
    }
    const [q] = await sys.database.exec(
      `select count(*)::int as n from ingest_quarantine where source = 'pos' and source_id = 'QC53336054' and code = 'record_of_other_store' and resolved_at is null`,
    );
    expect(q.n).toBeGreaterThan(0);

    // its own store's till updates it
    const own = await ingest(sys, [
      { sourceId: 'QC53336054', name: '李小花', phone: '13957131004', storeCode: 'HZ001' },
    ]);
    expect((own.body as Results).updated).toBe(1);
    expect((await card('QC53336054'))?.phone).toBe('13957131004');
  });
});
