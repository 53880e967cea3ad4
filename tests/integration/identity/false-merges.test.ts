/**
 * The eval's false-merge explanation (dev/identity/false-merges.ts): given the truth, a merge whose absorbed side
 * holds none of the customer's main person is listed under the link that made it, with both sides.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { explainFalseMerges } from '../../../dev/identity/false-merges.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { ingest } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

describe('explainFalseMerges', () => {
  it("names the merge that put a father's card into his son's customer, and nothing when the truth agrees", async () => {
    // the son's mall account (a nickname) and the father's POS card typed with the son's phone: same gender, no
    // birthday against it, so the unverified-phone rule joins them
    const mall = await ingest(
      sys,
      [{ sourceId: 'mall_son', mallAccount: 'mall_son', name: '向日葵', gender: '男', phone: '15138740712' }],
      'key_mall',
    );
    expect(mall.status, JSON.stringify(mall.body)).toBe(200);
    const pos = await ingest(sys, [{ sourceId: '880000367120', name: '张洋', gender: '男', phone: '151 3874 0712' }]);
    expect(pos.status, JSON.stringify(pos.body)).toBe(200);
    const [{ n }] = await sys.database.exec(
      `select count(distinct customer_id)::int as n from source_records where source_id in ('mall_son', '880000367120')`,
    );
    expect(n).toBe(1);

    const recordOf = new Map([
      ['mall\u0000mall_son', 'r1'],
      ['pos\u0000880000367120', 'r2'],
    ]);
    const wrong = await explainFalseMerges({
      db: sys.database,
      truth: new Map([
        ['r1', 'son'],
        ['r2', 'father'],
      ]),
      recordOf,
      examples: 1,
    });
    expect(wrong).toHaveLength(1);
    expect(wrong[0].merges).toBe(1);
    expect(wrong[0].cause).toMatch(/^phone/);
    expect(wrong[0].examples[0]).toContain('张洋');
    expect(wrong[0].examples[0]).toContain('向日葵');

    const right = await explainFalseMerges({
      db: sys.database,
      truth: new Map([
        ['r1', 'one'],
        ['r2', 'one'],
      ]),
      recordOf,
    });
    expect(right).toEqual([]);
  });
});
