/**
 * A member's birthday comes from the chain's records when she has not typed one: a QA walk confirmed a store card
 * with 钱玉兰's birthday (this month) on the member's home page, and the points page still asked her to 设置生日 (any
 * date she liked) and gave no birthday coupon. The birthday is read from the records in her account (one birthday
 * among them, or none when they disagree), so an undone merge takes it away again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { ingest } from '../identity/helpers.js';
import { signUpAs } from '../onboarding/helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const card = (sourceId: string, phone: string, birthday: string, name = '钱玉兰') => ({
  sourceId,
  cardNo: sourceId,
  name,
  gender: '女',
  birthday,
  phone,
  storeCode: 'HZ001',
  lastActive: '2026-10-01',
});

async function confirmAll(token: string) {
  const { matches } = (await sys.call('/api/identity/held-matches', { token })).body;
  for (const m of matches) {
    const r = await sys.call('/api/identity/held-matches/decide', {
      token,
      body: { matchId: m.matchId, decision: 'confirm' },
    });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  return matches.length as number;
}

const birthdayCoupons = async (customerId: string) =>
  (
    await sys.database.exec(`select count(*)::int as n from coupons where customer_id = $1 and reason = 'birthday'`, [
      customerId,
    ])
  )[0].n;

describe("the birthday on a member's confirmed card", () => {
  it('is the member’s birthday: shown, not settable again, and its coupon given this month', async () => {
    const phone = '15100000031';
    await ingest(sys, [card('BD-1', phone, '1962-11-20')]);
    const user = sys.sim.addUser({ nickname: '玉兰', phone });
    const s = await signUpAs(sys, user.id, 's1.HZ001');
    expect(await confirmAll(s.token)).toBe(1);

    const points = await sys.call('/api/loyalty/points', { token: s.token });
    expect(points.status, JSON.stringify(points.body)).toBe(200);
    expect(points.body.birthday).toBe('1962-11-20');
    expect(await birthdayCoupons(s.register.body.customerId)).toBe(1);
    const set = await sys.call('/api/loyalty/birthday', { token: s.token, body: { birthday: '1990-11-01' } });
    expect(set.body.error?.code).toBe('BIRTHDAY_ALREADY_SET');
  });

  it('is none when the cards disagree, and the member sets it herself', async () => {
    const phone = '15100000032';
    await ingest(sys, [card('BD-2', phone, '1958-03-02', '孙丽华'), card('BD-3', phone, '1958-02-03', '孙丽华')]);
    const user = sys.sim.addUser({ nickname: '丽华', phone });
    const s = await signUpAs(sys, user.id, 's1.HZ001');
    await confirmAll(s.token);
    const rows = await sys.database.exec(
      `select count(distinct customer_id)::int as n from source_records where source_id in ('BD-2', 'BD-3')`,
    );
    expect(rows[0].n).toBe(1);
    expect((await sys.call('/api/loyalty/points', { token: s.token })).body.birthday).toBeNull();
    const set = await sys.call('/api/loyalty/birthday', { token: s.token, body: { birthday: '1958-03-02' } });
    expect(set.status, JSON.stringify(set.body)).toBe(200);
    expect((await sys.call('/api/loyalty/points', { token: s.token })).body.birthday).toBe('1958-03-02');
  });
});
