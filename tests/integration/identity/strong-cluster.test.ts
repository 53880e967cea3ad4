/**
 * A QA walk found the cluster limit of strong keys blocking a value only from its 13th record on: 15 WeCom contacts
 * of 15 people exported with one unionid left records 1–12 one customer. Like the phone's limit (the ninth card
 * undoes the phone's merges), the 13th record now undoes the linker's merges made on that value; a merge made on
 * other evidence (a card on a contact's phone and name, two contacts of one name on one phone) stays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestAndLog } from '../../../functions/app/identity/ingest.js';
import { linkAll } from '../../../functions/app/identity/link-all.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { customerOf, ingest } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const SURNAMES = '王李张刘陈杨赵黄周吴徐孙胡朱郭';
const phoneOf = (i: number) => `1395713${String(i).padStart(4, '0')}`;

describe('a strong value over its limit', () => {
  it('undoes what the value linked before its 13th record, and keeps what other evidence linked', async () => {
    const contact = (i: number) => ({
      sourceId: `wc-${i}`,
      wecomId: `wc-${i}`,
      // wc-4 is wc-3's second contact: the same name on the same phone
      name: i === 4 ? '张明' : `${SURNAMES[i - 1]}明`,
      phone: phoneOf(i === 4 ? 3 : i),
      unionid: 'o6_bad_union',
    });
    for (let i = 1; i <= 15; i += 1) {
      const r = await ingest(sys, [contact(i)], 'key_wecom');
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      sys.clock.advance(60_000);
      // a POS card typed with wc-7's phone and name joins wc-7 on the phone (then the cluster's survivor)
      if (i === 7) {
        const card = await ingest(sys, [{ sourceId: 'XC-7', cardNo: 'XC-7', name: '赵明', phone: phoneOf(7) }]);
        expect(card.status, JSON.stringify(card.body)).toBe(200);
        sys.clock.advance(60_000);
      }
    }
    const customers = new Map<string, string[]>();
    const records = await sys.database.exec(
      `select source_id, customer_id from source_records where source_id like 'wc-%' or source_id = 'XC-7' order by source_id`,
    );
    for (const r of records) {
      customers.set(String(r.customer_id), [...(customers.get(String(r.customer_id)) ?? []), String(r.source_id)]);
    }
    const groups = [...customers.values()].map((g) => g.sort().join(' ')).sort();
    expect(groups).toEqual(
      [
        'wc-1',
        'wc-2',
        'wc-3 wc-4',
        'wc-5',
        'wc-6',
        'XC-7 wc-7',
        'wc-8',
        'wc-9',
        'wc-10',
        'wc-11',
        'wc-12',
        'wc-13',
        'wc-14',
        'wc-15',
      ].sort(),
    );
    const [blocked] = await sys.database.exec(`select reason from blocked_values where value = 'o6_bad_union'`);
    expect(blocked?.reason).toBe('cluster_limit');
    const live = await sys.database.exec(
      `select rule from identity_merges where undone_at is null and rule = 'unionid'`,
    );
    expect(live).toEqual([]);
    const [{ n }] = await sys.database.exec(
      `select count(*)::int as n from identity_merges where undone_by = 'linker:cluster-limit'`,
    );
    expect(n).toBeGreaterThan(0);
    expect(await customerOf(sys, 'pos', 'XC-7')).toBe(await customerOf(sys, 'wecom', 'wc-7'));
  }, 60_000);

  it('undoes what the bulk job linked on the value when later records take it over its limit', async () => {
    // an initial migration: ten WeCom contacts of ten people under one junk unionid, under the limit of 12, linked by
    // the bulk job; a POS card on contact 5's phone and name joins contact 5 there
    const contact = (i: number) => ({
      sourceId: `bw-${i}`,
      wecomId: `bw-${i}`,
      name: `${SURNAMES[i - 1]}华`,
      phone: `1385813${String(i).padStart(4, '0')}`,
      unionid: 'o6_bulk_junk',
    });
    const common = { keyId: null, requestId: null, operation: 'test:import', storeId: null } as const;
    await ingestAndLog(sys.database, {
      ...common,
      source: 'wecom',
      records: Array.from({ length: 10 }, (_, i) => contact(i + 1)),
      linking: 'deferred',
      now: sys.clock.now(),
    });
    await ingestAndLog(sys.database, {
      ...common,
      source: 'pos',
      records: [{ sourceId: 'BC-5', cardNo: 'BC-5', name: `${SURNAMES[4]}华`, phone: contact(5).phone }],
      linking: 'deferred',
      now: sys.clock.now(),
    });
    sys.clock.advance(60_000);
    await linkAll(sys.database, { now: sys.clock.now() });
    const one = await customerOf(sys, 'wecom', 'bw-1');
    for (let i = 2; i <= 10; i += 1) expect(await customerOf(sys, 'wecom', `bw-${i}`)).toBe(one);

    // then three more contacts arrive one by one: the 13th record on the value blocks it
    for (let i = 11; i <= 13; i += 1) {
      const r = await ingest(sys, [contact(i)], 'key_wecom');
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      sys.clock.advance(60_000);
    }
    const ids = await Promise.all(Array.from({ length: 13 }, (_, i) => customerOf(sys, 'wecom', `bw-${i + 1}`)));
    expect(new Set(ids).size).toBe(13);
    expect(await customerOf(sys, 'pos', 'BC-5')).toBe(ids[4]);
    const [blocked] = await sys.database.exec(`select reason from blocked_values where value = 'o6_bulk_junk'`);
    expect(blocked?.reason).toBe('cluster_limit');
  }, 60_000);
});
