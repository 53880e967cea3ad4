/**
 * 注销会员: a member with a linked POS card, points, a coupon and a purchase closes the account. Their personal data
 * is gone from every table (not hidden), their session ends, the purchase record stays (GSP) and points and coupons
 * lapse; the merges that joined their records can no longer be listed or undone; signing up again with the same
 * phone makes a new member, without a second new-member coupon; the bulk re-link leaves the erased account alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPID } from '../../../dev/system.js';
import { linkAll } from '../../../functions/app/identity/link-all.js';
import { startTestSystem, type TestSystem } from '../../support/system.js';
import { ingest, ingestOrders } from '../identity/helpers.js';
import { count, posCall, staffSession, uniqueKey } from '../loyalty/loyalty-fixtures.js';
import { memberToken, signUpAs } from './helpers.js';

let sys: TestSystem;
beforeAll(async () => {
  sys = await startTestSystem();
});
afterAll(async () => sys?.close());

const PHONE = '13957118462';
const NAME = '韩立平';
const CARD = '6600009001';

const card = () => ({
  sourceId: CARD,
  cardNo: CARD,
  name: NAME,
  birthday: '1971-03-09',
  gender: 'male',
  phone: PHONE,
  address: '浙江省杭州市西湖区留下街道屏基山路 907 号',
  storeCode: 'HZ001',
  lastActive: '2026-11-20',
});

/** Every table that could hold a trace of the person, each row as text. */
const TRACE_TABLES = [
  'customers',
  'source_records',
  'source_record_revisions',
  'identities',
  'phone_code_exchanges',
  'member_codes',
  'held_links',
  'merge_suggestions',
  'identity_merges',
  'signup_attributions',
  'consent_records',
  'coupons',
  'points_ledger',
  'orders',
  'audit_log',
  'closed_member_phones',
  'ingest_quarantine',
];
async function tracesOf(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const table of TRACE_TABLES) {
    if ((await count(sys.database, `select count(*) from ${table} t where t::text like $1`, [`%${text}%`])) > 0)
      found.push(table);
  }
  return found;
}

describe('closing a member account', () => {
  let token: string;
  let userId: string;
  let customerId: string;

  it('shows what closing would take away before anything is done', async () => {
    expect((await ingest(sys, [card()])).status).toBe(200);
    const user = sys.sim.addUser({ nickname: '立平', phone: PHONE });
    userId = user.id;
    const { token: t, register } = await signUpAs(sys, userId, 's1.HZ001');
    expect(register.status).toBe(200);
    // a named card and a WeChat nickname on one phone: held until the member says the card is theirs
    expect(register.body).toMatchObject({ newCustomer: true, welcomeCoupon: { created: true } });
    expect(register.body.heldMatches).toHaveLength(1);
    token = t;
    customerId = register.body.customerId;
    const mine = await sys.call('/api/identity/held-matches/decide', {
      token,
      body: { matchId: register.body.heldMatches[0].matchId, decision: 'confirm' },
    });
    expect(mine.status).toBe(200);
    const sale = await posCall(sys, '/api/pos/orders', {
      idempotencyKey: uniqueKey('ord'),
      externalId: 'HZ001-CLOSE-1',
      posCardNo: CARD,
      orderedAt: sys.clock.now().toISOString(),
      totalFen: 25000,
      discountFen: 0,
      paidFen: 25000,
      lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 25000, amountFen: 25000 }],
    });
    expect(sale.status).toBe(200);
    expect(sale.body.pointsEarned).toBe(500);
    // the person's records were joined by a merge, which HQ could list and undo until now
    expect(
      await count(sys.database, `select count(*) from identity_merges where survivor_id = $1 or merged_id = $1`, [
        customerId,
      ]),
    ).toBeGreaterThan(0);

    const preview = await sys.call('/api/member/account', { token });
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({ points: 500, coupons: 1, orders: 1, posCards: 1 });
  });

  it('refuses a close that was not confirmed, and changes nothing', async () => {
    const unconfirmed = await sys.call('/api/member/account/close', { token, body: {} });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.error.code).toBe('VALIDATION_FAILED');
    const me = await sys.call('/api/me', { token });
    expect(me.body).toMatchObject({ registered: true, customerId });
  });

  it('refuses a visitor who never signed up', async () => {
    const visitor = sys.sim.addUser({ nickname: '路人', phone: '13957118463' });
    const t = await memberToken(sys, visitor.id);
    const r = await sys.call('/api/member/account/close', { token: t, body: { confirm: true } });
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('NOT_REGISTERED');
  });

  it('erases the person, ends the session, keeps the purchase and lapses points and coupons', async () => {
    // refused attempts in the quarantine: the card again with a field the till should not send, a second card typed
    // with the phone in another form at a store that does not exist, a sale of the card that makes no sense; and a
    // stranger's refused card, which stays
    const refused = await ingest(sys, [
      { ...card(), vipLevel: 'gold' },
      { sourceId: '6600009002', name: NAME, phone: '+86 139-5711-8462', storeCode: 'ZZ999' },
      { sourceId: '6600009999', name: '路人甲', phone: '13957110000', storeCode: 'ZZ999' },
    ]);
    expect(refused.body.results.map((r: { status: string }) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    const sale = await ingestOrders(sys, [
      { externalId: 'HZ001-CLOSE-Q1', memberId: CARD, orderedAt: '2026-11-20T10:00:00+08:00', lines: [] },
    ]);
    expect(sale.body.results[0].status).toBe('rejected');
    expect(await count(sys.database, 'select count(*) from ingest_quarantine where payload is not null')).toBe(4);

    const closed = await sys.call('/api/member/account/close', { token, body: { confirm: true } });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ pointsForfeited: 500, couponsVoided: 1, ordersKept: 1, recordsErased: 2 });

    // no table holds the phone, the name, the card number or the address any more
    expect(await tracesOf(PHONE)).toEqual([]);
    expect(await tracesOf(NAME)).toEqual([]);
    expect(await tracesOf(CARD)).toEqual([]);
    expect(await tracesOf('屏基山路')).toEqual([]);
    // the person's refused attempts left HQ's quarantine list with their contents; the stranger's is still there
    expect(
      await sys.database.exec(
        `select payload->>'name' as name, resolution, resolved_by from ingest_quarantine order by created_at, id`,
      ),
    ).toEqual(
      expect.arrayContaining([
        { name: '路人甲', resolution: null, resolved_by: null },
        { name: null, resolution: 'handled', resolved_by: 'account_closed' },
      ]),
    );
    expect(
      await count(sys.database, `select count(*) from ingest_quarantine where resolved_by = 'account_closed'`),
    ).toBe(3);

    const [c] = await sys.database.exec(
      `select status, closed_at, display_name, birthday from customers where id = $1`,
      [customerId],
    );
    expect(c).toMatchObject({ status: 'closed', display_name: null, birthday: null });
    expect(c.closed_at).not.toBeNull();
    expect(await count(sys.database, `select count(*) from identities where customer_id = $1`, [customerId])).toBe(0);
    expect(
      await count(sys.database, `select count(*) from source_records where customer_id = $1 and erased_at is null`, [
        customerId,
      ]),
    ).toBe(0);
    // the sale stays (GSP), on the erased customer; the points and the coupon are gone
    expect(
      await count(
        sys.database,
        `select count(*) from orders where external_id = 'HZ001-CLOSE-1' and customer_id = $1`,
        [customerId],
      ),
    ).toBe(1);
    expect(
      await count(sys.database, `select coalesce(sum(points), 0) from points_ledger where customer_id = $1`, [
        customerId,
      ]),
    ).toBe(0);
    expect(
      await sys.database.exec(`select status, void_reason from coupons where customer_id = $1`, [customerId]),
    ).toEqual([{ status: 'voided', void_reason: '会员已注销，优惠券作废' }]);
    // every consent withdrawn, on the record
    const consents = await sys.database.exec(
      `select distinct on (purpose) purpose, granted, source from consent_records where customer_id = $1
       order by purpose, id desc`,
      [customerId],
    );
    expect(consents).toEqual([
      { purpose: 'health_data', granted: false, source: 'closure' },
      { purpose: 'marketing', granted: false, source: 'closure' },
      { purpose: 'service', granted: false, source: 'closure' },
    ]);
    expect(
      await count(
        sys.database,
        `select count(*) from audit_log where action = 'member.account_close' and customer_id = $1`,
        [customerId],
      ),
    ).toBe(1);

    // the session named an identity that no longer exists: it ends, and a retried close changes nothing
    expect((await sys.call('/api/me', { token })).status).toBe(401);
    const retry = await sys.call('/api/member/account/close', { token, body: { confirm: true } });
    expect(retry.status).toBe(401);
    expect(retry.body.error.code).toBe('TOKEN_INVALID');
  });

  it('takes the merges out of HQ history: nothing to list, and no undo', async () => {
    const hq = await staffSession(sys, 'stf_hq01');
    const list = await sys.call(`/api/staff/identity/merges?customerId=${customerId}`, { token: hq });
    expect(list.status).toBe(200);
    expect(list.body.merges).toEqual([]);
    const [m] = await sys.database.exec(`select id, evidence from identity_merges where survivor_id = $1 limit 1`, [
      customerId,
    ]);
    expect(m.evidence).toEqual({ erased: true });
    const undo = await sys.call('/api/staff/identity/merges/undo', { token: hq, body: { mergeId: m.id } });
    expect(undo.status).toBe(409);
    expect(undo.body.error.code).toBe('MERGE_ERASED');
  });

  it('makes a new member of the same person later, without a second new-member coupon', async () => {
    const again = await signUpAs(sys, userId, 's1.HZ001');
    // told at the phone step, before consenting, that there is no new-member coupon this time
    expect(again.verify.body).toMatchObject({ newMemberCouponWithheld: true });
    expect(again.register.status).toBe(200);
    expect(again.register.body).toMatchObject({
      newCustomer: true,
      alreadyMember: false,
      welcomeCoupon: null,
      welcomeWithheld: true,
    });
    expect(again.register.body.customerId).not.toBe(customerId);
    // nor does a store manager hand it over: the per-person limit holds across the closed account
    const manager = await staffSession(sys, 'stf_sm01');
    // and the store's sign-up figures count the person once: the closed account no longer counts
    const stats = await sys.call('/api/staff/signup-stats?storeId=sto_001', { token: manager });
    expect(stats.body).toMatchObject({ total: 1, newCustomers: 1 });
    const byHand = await sys.call('/api/staff/coupons/issue', {
      token: manager,
      body: { templateCode: 'NEW_MEMBER', customerIds: [again.register.body.customerId], batchKey: uniqueKey('nm') },
    });
    // sign-up's coupon is never issued by hand (manualIssueRefusal), so no hand can give it a second time
    expect(byHand.status).toBe(409);
    expect(byHand.body.error.code).toBe('COUPON_TEMPLATE_AUTO_ISSUED');
    // the till sends the card again: a new record, and the erased one stays erased on the closed account
    const resent = await ingest(sys, [card()]);
    expect(resent.body).toMatchObject({ created: 1 });
    expect(
      await count(sys.database, `select count(*) from source_records where source_id = $1 and customer_id = $2`, [
        CARD,
        customerId,
      ]),
    ).toBe(0);
  });

  it('stays closed and erased through a full re-link', async () => {
    await linkAll(sys.database, { now: sys.clock.now() });
    const [c] = await sys.database.exec(`select status from customers where id = $1`, [customerId]);
    expect(c.status).toBe('closed');
    expect(
      await count(
        sys.database,
        `select count(*) from source_records where customer_id = $1 and erased_at is not null`,
        [customerId],
      ),
    ).toBe(2);
    expect(await count(sys.database, `select count(*) from source_records where customer_id = $1`, [customerId])).toBe(
      2,
    );
  });
});

describe('closing an account that said a family card on its phone is not theirs', () => {
  const FAMILY_PHONE = '13957118470';
  const familyCard = {
    sourceId: '6600009002',
    cardNo: '6600009002',
    name: '韩丽',
    birthday: '1998-05-02',
    gender: 'female',
    phone: FAMILY_PHONE,
    storeCode: 'HZ001',
    lastActive: '2026-11-20',
  };

  it('erases only the member: the family card keeps its data, and the decision leaves HQ’s list', async () => {
    expect((await ingest(sys, [familyCard])).status).toBe(200);
    const user = sys.sim.addUser({ nickname: '阿平', phone: FAMILY_PHONE });
    const { token, register } = await signUpAs(sys, user.id, 's1.HZ001');
    expect(register.body.heldMatches).toHaveLength(1);
    const declined = await sys.call('/api/identity/held-matches/decide', {
      token,
      body: { matchId: register.body.heldMatches[0].matchId, decision: 'decline' },
    });
    expect(declined.status).toBe(200);
    const hq = await staffSession(sys, 'stf_hq01');
    const listed = async () =>
      (await sys.call('/api/staff/identity/separations', { token: hq })).body.separations.filter(
        (x: { a: { name: string | null }; b: { name: string | null } }) =>
          [x.a.name, x.b.name].some((n) => n?.startsWith('韩')),
      );
    const [decision] = await listed();
    expect(decision).toMatchObject({ reason: 'match_declined' });

    expect((await sys.call('/api/member/account/close', { token, body: { confirm: true } })).status).toBe(200);

    // the family member's card is theirs, not the closed account's: untouched
    const [kept] = await sys.database.exec(
      `select name, phone, erased_at from source_records where source = 'pos' and source_id = '6600009002'`,
    );
    expect(kept).toEqual({ name: '韩丽', phone: FAMILY_PHONE, erased_at: null });
    // the member's word about it went with the member: not listed, and nothing to take back (no hold reopened)
    expect(await listed()).toEqual([]);
    const lift = await sys.call('/api/staff/identity/separations/lift', { token: hq, body: { id: decision.id } });
    expect(lift.status).toBe(404);
    expect(
      await count(
        sys.database,
        `select count(*) from held_links h join source_records r on r.id = h.record_id
         where r.source_id = '6600009002' and h.status = 'open'`,
      ),
    ).toBe(0);
  });
});

describe('a refund after the account closed', () => {
  it('gives the used coupon back to nobody and takes no points back a second time', async () => {
    const user = sys.sim.addUser({ nickname: '晓梅', phone: '13957118480' });
    const { token, register } = await signUpAs(sys, user.id, 's1.HZ001');
    const customerId = register.body.customerId;
    const [coupon] = await sys.database.exec(`select code from coupons where id = $1`, [
      register.body.welcomeCoupon.couponId,
    ]);
    const codeRes = await sys.call('/api/member/code', { token });
    const redeemed = await posCall(sys, '/api/pos/redeem', {
      idempotencyKey: uniqueKey('red'),
      couponCode: coupon.code,
      orderAmountFen: 26000,
      externalOrderId: 'HZ001-CLOSE-2',
    });
    expect(redeemed.status).toBe(200);
    const sale = await posCall(sys, '/api/pos/orders', {
      idempotencyKey: uniqueKey('ord'),
      externalId: 'HZ001-CLOSE-2',
      memberCode: codeRes.body.code,
      orderedAt: sys.clock.now().toISOString(),
      totalFen: 26000,
      discountFen: 1000,
      paidFen: 25000,
      lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 26000, amountFen: 26000 }],
    });
    expect(sale.body.pointsEarned).toBe(500);
    const closed = await sys.call('/api/member/account/close', { token, body: { confirm: true } });
    expect(closed.body).toMatchObject({ pointsForfeited: 500, couponsVoided: 0 });
    // the store's list of the day says so, so the clerk is not told a void returns the coupon
    const manager = await staffSession(sys, 'stf_sm01');
    const today = await sys.call('/api/staff/counter/redemptions', { token: manager });
    expect(
      today.body.items.find((i: { redemptionId: string }) => i.redemptionId === redeemed.body.redemptionId),
    ).toMatchObject({ memberClosed: true, nameMasked: null });

    // the customer brings the goods back: the till refunds the order
    const refund = await posCall(sys, '/api/pos/void', {
      idempotencyKey: uniqueKey('void'),
      externalOrderId: 'HZ001-CLOSE-2',
    });
    expect(refund.status).toBe(200);
    expect(refund.body).toEqual({
      voided: [{ redemptionId: redeemed.body.redemptionId, couponId: expect.any(String), couponReturned: false }],
      pointsReversed: 0,
      pointsReturned: 0,
    });
    expect(
      await count(sys.database, `select coalesce(sum(points), 0) from points_ledger where customer_id = $1`, [
        customerId,
      ]),
    ).toBe(0);
    const [c] = await sys.database.exec(`select status from coupons where code = $1`, [coupon.code]);
    expect(c.status).toBe('redeemed');
  });
});

describe('a closure racing a sign-up on the same phone', () => {
  it('ends with the second account erased with the first, a member of its own, or asked for its phone again; never half of each', async () => {
    const PHONE2 = '13957118490';
    const first = sys.sim.addUser({ nickname: '一号', phone: PHONE2 });
    const { token } = await signUpAs(sys, first.id, 's1.HZ001');
    const closedId = (await sys.call('/api/me', { token })).body.customerId;
    // a second WeChat account on the same phone signs up while the first closes
    const second = sys.sim.addUser({ nickname: '二号', phone: PHONE2 });
    const [closed, other] = await Promise.all([
      sys.call('/api/member/account/close', { token, body: { confirm: true } }),
      signUpAs(sys, second.id, 's1.HZ001'),
    ]);
    expect(closed.status).toBe(200);
    // the closed account holds nothing that links: no identity, no unerased record
    expect(await count(sys.database, `select count(*) from identities where customer_id = $1`, [closedId])).toBe(0);
    expect(
      await count(sys.database, `select count(*) from source_records where customer_id = $1 and erased_at is null`, [
        closedId,
      ]),
    ).toBe(0);
    if (other.register.status === 200 && other.register.body.customerId !== closedId) {
      // the sign-up came after: a member of its own, with its phone, on an active account
      const [c] = await sys.database.exec(`select status from customers where id = $1`, [
        other.register.body.customerId,
      ]);
      expect(c.status).toBe('active');
      expect((await sys.call('/api/me', { token: other.token })).body).toMatchObject({ registered: true });
    } else if (other.register.status === 200) {
      // it came first and joined the account being closed: erased with it, its session ended
      expect((await sys.call('/api/me', { token: other.token })).status).toBe(401);
    } else {
      // the closure came between its phone step and its submit, and erased the phone it had traded (a trace of
      // the person): the submit is refused as a spent phone code, nothing written, and the page asks for the phone
      // again; the WeChat is still a visitor
      expect(other.register.status).toBe(400);
      expect(other.register.body.error.code).toBe('WX_PHONE_CODE_INVALID');
      expect((await sys.call('/api/me', { token: other.token })).body).toMatchObject({ registered: false });
    }
    // either way no active account is left without its phone
    expect(
      await count(
        sys.database,
        `select count(*) from customers c where c.status = 'active' and c.registered_at is not null
           and exists (select 1 from source_records r where r.customer_id = c.id and r.erased_at is not null)`,
      ),
    ).toBe(0);
  });
});

describe('closing an account at the store, for a card holder without the mini-program', () => {
  const SHARED = '13957118499';
  const cards = [
    { sourceId: '6600009101', cardNo: '6600009101', name: '柴建华', gender: 'male', birthday: '1958-02-11' },
    { sourceId: '6600009102', cardNo: '6600009102', name: '吕秀英', gender: 'female', birthday: '1961-07-30' },
  ].map((c) => ({ ...c, phone: SHARED, storeCode: 'HZ001', lastActive: '2026-10-02' }));

  it('lists each person on the phone to the store manager, masked, and closes only the one chosen', async () => {
    expect((await ingest(sys, cards)).status).toBe(200);
    const manager = await staffSession(sys, 'stf_sm01');
    const list = await sys.call(`/api/staff/members/closable?phone=${SHARED}`, { token: manager });
    expect(list.status).toBe(200);
    expect(list.body.phoneMasked).toBe('139****8499');
    const byName = (n: string) => list.body.members.find((m: { nameMasked: string }) => m.nameMasked === n);
    expect(list.body.members).toHaveLength(2);
    expect(byName('柴**')).toMatchObject({ registered: false, posCards: 1, points: 0, lastActive: '2026-10-02' });
    expect(JSON.stringify(list.body)).not.toContain('柴建华');

    // a clerk may not; the confirmation that the ID was checked is required
    const clerk = await staffSession(sys, 'stf_ck01');
    expect((await sys.call(`/api/staff/members/closable?phone=${SHARED}`, { token: clerk })).status).toBe(403);
    const target = byName('柴**').customerId;
    const unchecked = await sys.call('/api/staff/members/close', { token: manager, body: { customerId: target } });
    expect(unchecked.status).toBe(400);

    const closed = await sys.call('/api/staff/members/close', {
      token: manager,
      body: { customerId: target, identityChecked: true },
    });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ recordsErased: 1 });
    expect(await tracesOf('柴建华')).toEqual([]);
    // the other person on the phone is untouched, and is all the phone lists now
    const [other] = await sys.database.exec(`select name, phone from source_records where source_id = '6600009102'`);
    expect(other).toEqual({ name: '吕秀英', phone: SHARED });
    const after = await sys.call(`/api/staff/members/closable?phone=${SHARED}`, { token: manager });
    expect(after.body.members.map((m: { nameMasked: string }) => m.nameMasked)).toEqual(['吕**']);
    // a second tap finds no account to close; the audit names the manager and why
    const again = await sys.call('/api/staff/members/close', {
      token: manager,
      body: { customerId: target, identityChecked: true },
    });
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe('MEMBER_NOT_FOUND');
    const [audit] = await sys.database.exec(
      `select actor_kind, actor_id, reason from audit_log where action = 'member.account_close' and customer_id = $1`,
      [target],
    );
    expect(audit).toEqual({ actor_kind: 'staff', actor_id: 'stf_sm01', reason: '本人到店申请注销，已核对身份证件' });
  });

  it('says when each person was last seen: a sale on the card today, not the old date the till sent', async () => {
    const PHONE3 = '13957118497';
    const sent = { sourceId: '6600009301', cardNo: '6600009301', name: '骆永康', gender: 'male' };
    expect((await ingest(sys, [{ ...sent, phone: PHONE3, storeCode: 'HZ001', lastActive: '2025-01-05' }])).status).toBe(
      200,
    );
    const sale = await posCall(sys, '/api/pos/orders', {
      idempotencyKey: uniqueKey('ord'),
      externalId: uniqueKey('HZ001-SEEN'),
      posCardNo: sent.cardNo,
      orderedAt: sys.clock.now().toISOString(),
      totalFen: 3000,
      discountFen: 0,
      paidFen: 3000,
      lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 3000, amountFen: 3000 }],
    });
    expect(sale.status).toBe(200);
    const manager = await staffSession(sys, 'stf_sm01');
    const list = await sys.call(`/api/staff/members/closable?phone=${PHONE3}`, { token: manager });
    const today = new Date(sys.clock.now().getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    expect(list.body.members).toEqual([expect.objectContaining({ nameMasked: '骆**', lastActive: today })]);
  });

  it('does not reach a customer outside the manager’s stores', async () => {
    expect(
      (
        await ingest(
          sys,
          [
            {
              sourceId: '6600009201',
              cardNo: '6600009201',
              name: '温丽娟',
              phone: '13957118498',
              storeCode: 'NB001',
              lastActive: '2026-10-02',
            },
          ],
          'key_pos_nb001',
        )
      ).status,
    ).toBe(200);
    const [row] = await sys.database.exec(`select customer_id from source_records where source_id = '6600009201'`);
    const manager = await staffSession(sys, 'stf_sm01');
    const list = await sys.call('/api/staff/members/closable?phone=13957118498', { token: manager });
    expect(list.body.members).toEqual([]);
    const close = await sys.call('/api/staff/members/close', {
      token: manager,
      body: { customerId: row.customer_id, identityChecked: true },
    });
    expect(close.status).toBe(404);
    const [still] = await sys.database.exec(`select name from source_records where source_id = '6600009201'`);
    expect(still.name).toBe('温丽娟');
  });
});

describe('back on the same WeChat after closing', () => {
  it('is not promised the new-member coupon as a visitor, nor given it with another phone; a stranger still is', async () => {
    const user = sys.sim.addUser({ nickname: '回头客', phone: '13957118475' });
    const first = await signUpAs(sys, user.id, 's1.HZ001');
    expect(first.register.body.welcomeCoupon, JSON.stringify(first.register.body)).not.toBeNull();
    const closed = await sys.call('/api/member/account/close', { token: first.token, body: { confirm: true } });
    expect(closed.status).toBe(200);

    // the visitor's home asks what sign-up would give: nothing this time, on this WeChat
    const offer = async (userId: string) =>
      (await sys.call('/api/loyalty/new-member-offer', { token: await memberToken(sys, userId) })).body.offer;
    expect(await offer(user.id)).toBeNull();
    const stranger = sys.sim.addUser({ nickname: '新客', phone: '13957118476' });
    expect(await offer(stranger.id)).toMatchObject({ headline: expect.any(String) });

    // the same WeChat, now bound to another phone: still the same person, no second coupon
    // (the simulator keeps the object addUser returned: changing it is the user re-binding WeChat to a new phone)
    user.phone = '13957118477';
    const again = await signUpAs(sys, user.id, 's1.HZ001');
    expect(again.verify.body).toMatchObject({ phoneMasked: '139****8477', newMemberCouponWithheld: true });
    expect(again.register.body).toMatchObject({ newCustomer: true, welcomeCoupon: null, welcomeWithheld: true });
    // what is kept of the closed account: keyed digests of the phone, the openid and the unionid, none in the clear
    const kept = await sys.database.exec('select phone_digest from closed_member_phones where customer_id = $1', [
      first.register.body.customerId,
    ]);
    expect(kept).toHaveLength(3);
    const clear = [sys.sim.openid(DEMO_APPID, user.id), sys.sim.unionid(user.id), '13957118475'];
    expect(kept.filter((k) => clear.some((c) => String(k.phone_digest).includes(c)))).toEqual([]);
  });
});
