/**
 * What two callers at once must not do twice (found by a walk on PostgreSQL, where they run truly at once): the same
 * new card from ten retries is one record; a suggestion confirmed and rejected at once is decided once; a merge undone
 * ten times at once is undone once. On PGlite the requests queue, and the answers must be the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { staffToken } from '../onboarding/helpers.js';
import { customerOf, ingest } from './helpers.js';

let sys: TestSystem;
let hq: string;
let manager: string;
beforeAll(async () => {
  sys = await startTestSystem();
  hq = await staffToken(sys, 'u_hq01');
  manager = await staffToken(sys, 'u_sm01');
});
afterAll(async () => sys?.close());

function statuses(answers: { status: number }[]): Record<number, number> {
  const n: Record<number, number> = {};
  for (const a of answers) n[a.status] = (n[a.status] ?? 0) + 1;
  return n;
}

describe('at once', () => {
  it('the same new card from ten retries: one record, every answer 200', async () => {
    // half of them with the address the till added on its retry
    const card = (i: number) => ({
      sourceId: '8830000001',
      name: '韩梅',
      gender: '女',
      phone: '13957118001',
      storeCode: 'HZ001',
      ...(i % 2 ? { address: '浙江省杭州市西湖区文三路1号' } : {}),
    });
    // first the pool opens its connections (one at a time: the first requests queue behind them, no race)
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ingest(sys, [{ sourceId: `883000090${i}`, name: '暖场', phone: `1395711890${i}`, storeCode: 'HZ001' }]),
      ),
    );
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => ingest(sys, [card(i)])));
    expect(statuses(answers)).toEqual({ 200: 10 });
    const outcomes = answers.map((a) => a.body.results[0].status);
    expect(outcomes.filter((o) => o === 'created')).toHaveLength(1);
    expect(outcomes.every((o) => ['created', 'updated', 'unchanged'].includes(o))).toBe(true);
    const [n] = await sys.database.exec(
      `select count(*)::int as n from source_records where source = 'pos' and source_id = '8830000001'`,
    );
    expect(n.n).toBe(1);
  });

  it('a suggestion confirmed and rejected at once: decided once, the same decision answered alike', async () => {
    await ingest(sys, [
      { sourceId: '8830000101', name: '唐晓东', birthday: '1985-05-05', phone: '15632430101', storeCode: 'HZ001' },
    ]);
    await ingest(
      sys,
      [
        {
          sourceId: 'mall_txd',
          name: '唐晓东',
          birthday: '1985-05-05',
          phone: '17533590101',
          address: '浙江省杭州市西湖区文一路8号',
        },
      ],
      'key_mall',
    );
    const list = await sys.call('/api/staff/identity/suggestions', { token: hq });
    const s = list.body.suggestions.find((x: { a: { name: string } }) => x.a.name === '唐晓东');
    const decide = (token: string, decision: string) =>
      sys.call('/api/staff/identity/suggestions/decide', { token, body: { id: s.id, decision } });
    const answers = await Promise.all([
      ...Array.from({ length: 5 }, () => decide(hq, 'confirm')),
      ...Array.from({ length: 5 }, () => decide(manager, 'reject')),
    ]);
    // the first decision wins; the same decision again answers its outcome, the other one is refused
    const won = answers.find((a) => a.status === 200)?.body;
    expect(statuses(answers)).toEqual({ 200: 5, 409: 5 });
    for (const a of answers.filter((x) => x.status === 200)) expect(a.body).toEqual(won);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error.code).toBe('ALREADY_DECIDED');
    const merges = await sys.database.exec(
      `select count(*)::int as n from identity_merges where evidence->>'suggestion' = $1`,
      [s.id],
    );
    const apart = await sys.database.exec(
      `select count(*)::int as n from identity_separations where suggestion_id = $1`,
      [s.id],
    );
    expect([merges[0].n, apart[0].n]).toEqual(won.status === 'confirmed' ? [1, 0] : [0, 1]);
    const together = (await customerOf(sys, 'pos', '8830000101')) === (await customerOf(sys, 'mall', 'mall_txd'));
    expect(together).toBe(won.status === 'confirmed');
  });

  it('a merge undone ten times at once: undone once, one separation, one audit line', async () => {
    await ingest(sys, [
      { sourceId: '8830000201', name: '罗敏', phone: '13957118201', storeCode: 'HZ001' },
      { sourceId: '8830000202', name: '罗敏', phone: '13957118201', storeCode: 'HZ001' },
    ]);
    const [m] = await sys.database.exec(
      `select m.id from identity_merges m join source_records r on r.customer_id = m.survivor_id
        where r.source_id = '8830000201' and m.undone_at is null`,
    );
    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        sys.call('/api/staff/identity/merges/undo', { token: hq, body: { mergeId: m.id } }),
      ),
    );
    expect(statuses(answers)).toEqual({ 200: 1, 409: 9 });
    const [undone] = await sys.database.exec(
      `select (select count(*)::int from identity_separations where merge_id = $1) as separations,
              (select count(*)::int from audit_log where action = 'identity.merge_undo' and details->>'mergeId' = $1) as audits`,
      [m.id],
    );
    expect(undone).toEqual({ separations: 1, audits: 1 });
    expect(await customerOf(sys, 'pos', '8830000201')).not.toBe(await customerOf(sys, 'pos', '8830000202'));
  });
});
