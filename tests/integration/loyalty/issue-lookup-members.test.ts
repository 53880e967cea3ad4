/**
 * 给会员发券 finds members, people who signed up and see the coupon in their wallet: the single lookup and a pasted
 * list answer a phone alike (`loyaltyMemberRepo.byPhones`). A family phone typed on store cards and a mall account
 * and proven by one member is that member, whoever asks; a phone only customers who never signed up carry is not
 * found, exactly as a phone of no one and a member outside the caller's stores; the name shown is the masked real
 * name the member's records give (a store card's), not an empty display name or a WeChat nickname. The issue by
 * customer id reaches members only. (A QA walk of the HQ console: 18820778818 in the demo data read as 金** in the
 * lookup and as 杨宇's card in a list, and 周强's list issued a coupon to that card after his lookup said 找不到.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, startTestSystem, type TestSystem } from '../../support/system.js';
import { count, staffSession } from './loyalty-fixtures.js';

let sys: TestSystem;
let hq: string;
let regional: string;
beforeAll(async () => {
  sys = await startTestSystem();
  hq = await staffSession(sys, 'stf_hq01');
  regional = await staffSession(sys, 'stf_rm01'); // 周强, 杭州区域 (sto_001–sto_014)
});
afterAll(async () => sys?.close());

let seq = 0;
const nextId = (prefix: string) => `${prefix}_fam${String(++seq).padStart(3, '0')}`;

/** A record of the chain's (its card, account or WeChat login), its name and its phone identity. */
async function record(
  customerId: string,
  r: {
    source: 'pos' | 'mall' | 'miniprogram';
    name: string | null;
    phone: string;
    verified: boolean;
    storeId?: string;
  },
) {
  const id = nextId('rec');
  await sys.database.exec(
    `insert into source_records (id, source, source_id, customer_id, origin_customer_id, store_id, name, name_kind,
       phone, phone_verified, last_active, payload, payload_hash)
     values ($1, $2, $1, $3, $3, $4, $5, $6, $7, $8, '2026-10-01', '{}'::jsonb, $1)`,
    [
      id,
      r.source,
      customerId,
      r.storeId ?? null,
      r.name,
      r.source === 'miniprogram' ? 'unknown' : 'real',
      r.phone,
      r.verified,
    ],
  );
  await sys.database.exec(
    `insert into identities (id, customer_id, kind, value, verified, source, source_id)
     values ($1, $2, 'phone', $3, $4, $5, $6)`,
    [nextId('idn'), customerId, r.phone, r.verified, r.source, id],
  );
}

/** A store card or a mall account nobody signed up with: a customer of the chain, no member. */
async function card(phone: string, name: string, source: 'pos' | 'mall', storeId: string | null): Promise<string> {
  const id = nextId('cus');
  // as the demo has them: a card's customer carries no display name, a mall account's the account's name
  await sys.database.exec(`insert into customers (id, display_name, home_store_id) values ($1, $2, $3)`, [
    id,
    source === 'mall' ? name : null,
    storeId,
  ]);
  await record(id, { source, name, phone, verified: false, storeId: storeId ?? undefined });
  return id;
}

/**
 * A member as sign-up leaves one: registered, the phone proven in WeChat, the WeChat nickname (or nothing) as the
 * display name; `card`: a store card of hers she confirmed (its phone verified then, its real name hers).
 */
async function member(
  phone: string,
  m: { nickname: string | null; storeId: string; card?: string; registeredAt?: string; id?: string },
): Promise<string> {
  const id = m.id ?? nextId('cus');
  await sys.database.exec(
    `insert into customers (id, display_name, home_store_id, registered_at) values ($1, $2, $3, $4)`,
    [id, m.nickname, m.storeId, m.registeredAt ?? '2026-03-01T02:00:00Z'],
  );
  await record(id, { source: 'miniprogram', name: m.nickname, phone, verified: true });
  if (m.card) await record(id, { source: 'pos', name: m.card, phone, verified: true, storeId: m.storeId });
  return id;
}

const lookup = (phone: string, token: string) => sys.call(`/api/staff/coupons/member?phone=${phone}`, { token });
const resolve = (phones: string[], token: string) =>
  sys.call('/api/staff/coupons/resolve-phones', { token, body: { phones } });
/** what an answer tells its reader: status and body, minus the request id every answer has its own of */
const told = (r: { status: number; body: { error?: { requestId?: string } } }) =>
  JSON.stringify({ status: r.status, body: r.body?.error ? { ...r.body.error, requestId: undefined } : r.body });

describe('a family phone', () => {
  it('with store cards, a mall account and one member: the member, in the lookup and in a list, for HQ and 周强', async () => {
    const phone = '18820770001';
    // as 18820778818 in the demo: 杨宇's card at 江南大道店, 金秀兰's mall account, and 王雨桐, who signed up at
    // 湖滨店 under her WeChat nickname and confirmed her card there
    await card(phone, '杨宇', 'pos', 'sto_007');
    await card(phone, '金秀兰', 'mall', null);
    const wang = await member(phone, { nickname: '向日葵', storeId: 'sto_003', card: '王雨桐' });

    for (const token of [hq, regional]) {
      const single = await lookup(phone, token);
      expect(single.status).toBe(200);
      expect(single.body).toEqual({
        customerId: wang,
        maskedPhone: '188****0001',
        maskedName: '王**',
        homeStoreName: '湖滨店',
        availableCoupons: 0,
      });
      const list = await resolve([phone], token);
      expect(list.body).toEqual({
        results: [{ status: 'found', customerId: wang, maskedPhone: '188****0001', maskedName: '王**' }],
        customerIds: [wang],
      });
    }
  });

  it('with store cards and a mall account only: not found in the lookup and in a list, for HQ and 周强 alike', async () => {
    const phone = '18820770002';
    const yang = await card(phone, '杨宇', 'pos', 'sto_007');
    const jin = await card(phone, '金秀兰', 'mall', null);
    const wang = await card(phone, '王雨桐', 'pos', 'sto_003');
    const nobody = '18820770009';

    for (const token of [hq, regional]) {
      const single = await lookup(phone, token);
      expect(codeOf(single)).toEqual({ status: 404, code: 'MEMBER_NOT_FOUND' });
      // the same words as a phone of no one: nothing tells the caller that cards carry it
      expect(told(single)).toBe(told(await lookup(nobody, token)));
      const list = await resolve([phone, nobody], token);
      expect(list.body).toEqual({ results: [{ status: 'not_found' }, { status: 'not_found' }], customerIds: [] });
    }
    // and a coupon is not issued to any of them by id (周强's list issued one to 杨宇's card)
    const issued = await sys.call('/api/staff/coupons/issue', {
      token: regional,
      body: { templateCode: 'HZ001_200_20', customerIds: [yang, jin, wang], batchKey: 'family-cards-only-1' },
    });
    expect(issued.body).toEqual({
      issued: 0,
      alreadyIssued: 0,
      refused: [yang, jin, wang].map((customerId) => ({ customerId, code: 'MEMBER_NOT_FOUND' })),
    });
    expect(
      await count(sys.database, `select count(*) from coupons where customer_id = any($1::text[])`, [
        [yang, jin, wang],
      ]),
    ).toBe(0);
  });

  it('with a member of another region and a card of his: 周强 reads it as no one, as HQ finds the member', async () => {
    const phone = '18820770003';
    await card(phone, '杨宇', 'pos', 'sto_001'); // his region's card: no member
    const ningbo = await member(phone, { nickname: null, storeId: 'sto_017', card: '赵静' });
    const nobody = '18820770008';

    const single = await lookup(phone, regional);
    expect(codeOf(single)).toEqual({ status: 404, code: 'MEMBER_NOT_FOUND' });
    expect(told(single)).toBe(told(await lookup(nobody, regional)));
    const list = await resolve([phone, nobody], regional);
    expect(list.body.results).toEqual([{ status: 'not_found' }, { status: 'not_found' }]);
    expect(JSON.stringify(list.body.results[0])).toBe(JSON.stringify(list.body.results[1]));

    expect((await lookup(phone, hq)).body).toMatchObject({ customerId: ningbo, maskedName: '赵*' });
    expect((await resolve([phone], hq)).body.customerIds).toEqual([ningbo]);
  });

  it('is never a closed account, nor a member merged away: the member it was merged into', async () => {
    const phone = '18820770004';
    const closed = await member(phone, { nickname: '已注销', storeId: 'sto_001' });
    await sys.database.exec(`update customers set status = 'closed', closed_at = now() where id = $1`, [closed]);
    expect(codeOf(await lookup(phone, hq))).toEqual({ status: 404, code: 'MEMBER_NOT_FOUND' });

    const other = '18820770005';
    const absorbed = await member(other, { nickname: null, storeId: 'sto_001', card: '孙婷' });
    const survivor = await member('18820770006', { nickname: null, storeId: 'sto_002', card: '孙婷' });
    await sys.database.exec(`update customers set status = 'merged', merged_into = $2 where id = $1`, [
      absorbed,
      survivor,
    ]);
    expect((await lookup(other, hq)).body).toMatchObject({ customerId: survivor, homeStoreName: '古荡店' });
    expect((await resolve([other], hq)).body.customerIds).toEqual([survivor]);
  });

  it('held verified by two members (data from before sign-up took one per phone): the latest, then the lower id', async () => {
    const phone = '18820770007';
    await member(phone, { nickname: null, storeId: 'sto_001', card: '周敏', registeredAt: '2025-05-01T02:00:00Z' });
    const later = await member(phone, {
      nickname: null,
      storeId: 'sto_001',
      card: '吴芳',
      registeredAt: '2026-05-01T02:00:00Z',
    });
    expect((await lookup(phone, hq)).body.customerId).toBe(later);
    expect((await resolve([phone], hq)).body.customerIds).toEqual([later]);

    const tie = '18820770010';
    const at = '2026-06-01T02:00:00Z';
    // inserted the higher id first: the plan's order is not the answer
    await member(tie, { id: 'cus_fam_tie_b', nickname: null, storeId: 'sto_001', card: '何军', registeredAt: at });
    await member(tie, { id: 'cus_fam_tie_a', nickname: null, storeId: 'sto_001', card: '何强', registeredAt: at });
    for (let i = 0; i < 3; i++) {
      expect((await lookup(tie, hq)).body.customerId).toBe('cus_fam_tie_a');
      expect((await resolve([tie, phone], hq)).body.customerIds).toEqual(['cus_fam_tie_a', later]);
    }
  });
});

describe('the name a member is shown by', () => {
  it('is the masked real name of her records (a confirmed store card), else her display name', async () => {
    // as 15121164986 in the demo once signed up: 王海涛's card, and a member with no display name
    const plain = await member('15121160001', { nickname: null, storeId: 'sto_010', card: '王海涛' });
    const nick = await member('15121160002', { nickname: '夕阳红', storeId: 'sto_001', card: '李颖' });
    const only = await member('15121160003', { nickname: '知足常乐', storeId: 'sto_001' });
    const none = await member('15121160004', { nickname: null, storeId: 'sto_001' });

    expect((await lookup('15121160001', hq)).body).toMatchObject({
      customerId: plain,
      maskedPhone: '151****0001',
      maskedName: '王**',
    });
    expect((await lookup('15121160002', hq)).body).toMatchObject({ customerId: nick, maskedName: '李*' });
    expect((await lookup('15121160003', hq)).body).toMatchObject({ customerId: only, maskedName: '知***' });
    expect((await lookup('15121160004', hq)).body).toMatchObject({ customerId: none, maskedName: null });

    const list = await resolve(['15121160001', '15121160002', '15121160003', '15121160004'], hq);
    expect(list.body.results.map((r: { maskedName: string | null }) => r.maskedName)).toEqual([
      '王**',
      '李*',
      '知***',
      null,
    ]);
    // masked only: the full name never leaves the server
    expect(JSON.stringify(list.body)).not.toContain('王海涛');
  });
});

describe('issuing by customer id', () => {
  it('reaches members only: a card or mall account, a closed account and one merged away read as unknown ids', async () => {
    const phone = '18820770011';
    const posCard = await card(phone, '钱伟', 'pos', 'sto_001');
    const mall = await card(phone, '钱丽', 'mall', null);
    const sheMember = await member('18820770012', { nickname: null, storeId: 'sto_001', card: '钱芳' });
    const closed = await member('18820770013', { nickname: null, storeId: 'sto_001' });
    await sys.database.exec(`update customers set status = 'closed', closed_at = now() where id = $1`, [closed]);
    const absorbed = await member('18820770014', { nickname: null, storeId: 'sto_001' });
    await sys.database.exec(`update customers set status = 'merged', merged_into = $2 where id = $1`, [
      absorbed,
      sheMember,
    ]);

    // a segment's ids, as a segment feature hands them in: HQ may issue the store's template to anyone in scope
    const ids = [posCard, mall, sheMember, closed, absorbed, 'cus_nobody_fam'];
    const res = await sys.call('/api/staff/coupons/issue', {
      token: hq,
      body: { templateCode: 'HZ001_200_20', customerIds: ids, batchKey: 'members-only-1' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      issued: 1,
      alreadyIssued: 0,
      refused: ids.filter((id) => id !== sheMember).map((customerId) => ({ customerId, code: 'MEMBER_NOT_FOUND' })),
    });
    const holders = await sys.database.exec(
      `select customer_id from coupons where issue_key like 'members-only-1:%' order by customer_id`,
    );
    expect(holders.map((r) => r.customer_id)).toEqual([sheMember]);
  });
});
