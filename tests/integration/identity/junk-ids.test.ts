/**
 * A QA walk found junk linking strangers as a strong identifier: WeCom contacts of three people exported with the
 * unionid 'null', mall accounts with the card number 'NULL' or 'undefined', WeCom ids '-' and '0'. Such a
 * value is blocked like a placeholder phone: stored, never linked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { ingest } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

async function customers(like: string) {
  const [{ n, r }] = await sys.database.exec(
    `select count(distinct customer_id)::int as n, count(*)::int as r from source_records where source_id like $1`,
    [like],
  );
  return { customers: Number(n), records: Number(r) };
}

describe('junk written where an export had no value', () => {
  it("does not join three people's WeCom contacts on the unionid 'null'", async () => {
    const people = [
      ['王芳', '13957120001', 'null'],
      ['李强', '13957120002', 'NULL'],
      ['张伟', '13957120003', ' null '],
    ];
    for (const [i, [name, phone, unionid]] of people.entries()) {
      const r = await ingest(sys, [{ sourceId: `wm-${i}`, name, phone, unionid, wecomId: `wm-${i}` }], 'key_wecom');
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      sys.clock.advance(60_000);
    }
    expect(await customers('wm-%')).toEqual({ customers: 3, records: 3 });
    const [{ q }] = await sys.database.exec(
      `select string_agg(distinct quality, ',') as q from identities where kind = 'unionid' and source_id like 'wm-%'`,
    );
    expect(q).toBe('blocked');
  });

  it("does not join mall accounts on the card number 'NULL' or 'undefined'", async () => {
    const accounts = [
      ['赵静', '13957120011', 'NULL'],
      ['孙磊', '13957120012', 'NULL'],
      ['周强', '13957120013', 'undefined'],
      ['陈敏', '13957120014', 'undefined'],
      ['吴丽', '13957120015', 'N/A'],
      ['郑红', '13957120016', 'n/a'],
    ];
    for (const [i, [name, phone, cardNo]] of accounts.entries()) {
      const r = await ingest(sys, [{ sourceId: `mall-${i}`, name, phone, cardNo }], 'key_mall');
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      sys.clock.advance(60_000);
    }
    expect(await customers('mall-%')).toEqual({ customers: 6, records: 6 });
  });

  it("does not join WeCom contacts on the WeCom id '-', '0' or '无'", async () => {
    for (const [i, [name, phone, wecomId]] of [
      ['刘洋', '13957120021', '-'],
      ['杨丽', '13957120022', '-'],
      ['黄勇', '13957120023', '0'],
      ['林芳', '13957120024', '0'],
      ['何军', '13957120025', '无'],
      ['高敏', '13957120026', '无'],
    ].entries()) {
      const r = await ingest(sys, [{ sourceId: `wx-${i}`, name, phone, wecomId }], 'key_wecom');
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      sys.clock.advance(60_000);
    }
    expect(await customers('wx-%')).toEqual({ customers: 6, records: 6 });
    const merges = await sys.database.exec('select id from identity_merges');
    expect(merges).toEqual([]);
  });
});
