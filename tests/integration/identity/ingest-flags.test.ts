/**
 * A partner learns what of its record was kept but not used: each record's result carries its data-quality flags (an
 * invalid phone kept and flagged, a WeChat id a till cannot have ignored), so a till developer sees them per record,
 * not only as counts in the batch's log line.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { ingest } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

describe('per-record flags in the ingest answer', () => {
  it('names the flags of each record it took in, and none for a clean one', async () => {
    const r = await ingest(sys, [
      { sourceId: 'FL-1', cardNo: 'FL-1', name: '韩立', phone: '1391234', openid: 'oFakeOpenid001' },
      { sourceId: 'FL-2', cardNo: 'FL-2', name: '韩梅', phone: '13957130077', email: 'han@@example' },
      { sourceId: 'FL-3', cardNo: 'FL-3', name: '韩雪', phone: '13957130078' },
    ]);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const results = (r.body as { results: { sourceId: string; status: string; flags?: string[] }[] }).results;
    expect(results.map((x) => x.status)).toEqual(['created', 'created', 'created']);
    expect(results[0].flags).toEqual(expect.arrayContaining(['openid_ignored', 'phone_bad_length']));
    expect(results[1].flags).toEqual(['email_bad_syntax']);
    expect(results[2].flags).toBeUndefined();

    // a replay is unchanged and still says what was flagged
    const again = await ingest(sys, [
      { sourceId: 'FL-2', cardNo: 'FL-2', name: '韩梅', phone: '13957130077', email: 'han@@example' },
    ]);
    const [one] = (again.body as { results: { status: string; flags?: string[] }[] }).results;
    expect(one).toMatchObject({ status: 'unchanged', flags: ['email_bad_syntax'] });
  });
});
