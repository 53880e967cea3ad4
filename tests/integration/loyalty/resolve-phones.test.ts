/**
 * 批量发券: a pasted list of phones resolved to the members in the caller's scope (POST
 * /api/staff/coupons/resolve-phones), then issued with one batch key. A member of another region's store reads
 * exactly as a phone of no member; formats normalise as the single lookup's; duplicates collapse; more than 500 is a
 * coded 422; the answer is masked and audited; and the list issued twice under one key issues nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolvePhones } from '../../../functions/app/coupons/staff-coupons.js';
import type { StaffActor } from '../../../shared/access/policy.js';
import { codeOf, startTestSystem, type TestSystem } from '../../support/system.js';
import { count, createMember, staffSession } from './loyalty-fixtures.js';

let sys: TestSystem;
let manager: string;
beforeAll(async () => {
  sys = await startTestSystem();
  manager = await staffSession(sys, 'stf_sm01');
});
afterAll(async () => sys?.close());

const STORE_MANAGER: StaffActor = {
  kind: 'staff',
  staffId: 'stf_sm01',
  role: 'store_manager',
  storeId: 'sto_001',
  regionId: null,
};

const resolve = (phones: unknown, token = manager) =>
  sys.call('/api/staff/coupons/resolve-phones', { token, body: { phones } });

/** full-width digits, as a Chinese IME types them */
const fullWidth = (digits: string) => digits.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));

describe('resolving a pasted list of phones', () => {
  it('finds a store manager’s members in any format; another region’s member reads exactly as no member', async () => {
    const own = await createMember(sys.database, { phone: '13711110001', homeStoreId: 'sto_001' });
    const own2 = await createMember(sys.database, { phone: '13711110002', homeStoreId: 'sto_001' });
    const far = await createMember(sys.database, { phone: '13711110003', homeStoreId: 'sto_017' }); // Ningbo
    const nextDoor = await createMember(sys.database, { phone: '13711110004', homeStoreId: 'sto_002' }); // his region
    const nobody = '13711110005';

    const res = await resolve([
      '+86 137 1111 0001',
      fullWidth('13711110002'),
      far.phone,
      nobody,
      '1371111',
      '137-1111-0001',
      nextDoor.phone,
      '',
    ]);
    expect(res.status).toBe(200);
    expect(res.body.results).toEqual([
      { status: 'found', customerId: own.customerId, maskedPhone: '137****0001', maskedName: '测***' },
      { status: 'found', customerId: own2.customerId, maskedPhone: '137****0002', maskedName: '测***' },
      { status: 'not_found' },
      { status: 'not_found' },
      { status: 'invalid' },
      { status: 'duplicate', firstIndex: 0, samePhone: true },
      // another store of his region is outside a store manager's stores too
      { status: 'not_found' },
      { status: 'invalid' },
    ]);
    expect(res.body.customerIds).toEqual([own.customerId, own2.customerId]);
    // the same answer, byte for byte, for a member elsewhere and for no member: nothing to probe
    expect(JSON.stringify(res.body.results[2])).toBe(JSON.stringify(res.body.results[3]));
    // as the single lookup answers both
    for (const phone of [far.phone, nobody]) {
      expect(codeOf(await sys.call(`/api/staff/coupons/member?phone=${phone}`, { token: manager }))).toEqual({
        status: 404,
        code: 'MEMBER_NOT_FOUND',
      });
    }
    // masked data only: no full phone, no name
    const text = JSON.stringify(res.body);
    expect(text).not.toContain('13711110001');
    expect(text).not.toContain('测试会员');

    // the region's manager reaches the store next door, not Ningbo's; HQ reaches all
    const regional = await resolve([nextDoor.phone, far.phone], await staffSession(sys, 'stf_rm01'));
    expect(regional.body.results.map((r: { status: string }) => r.status)).toEqual(['found', 'not_found']);
    const hq = await resolve([nextDoor.phone, far.phone], await staffSession(sys, 'stf_hq01'));
    expect(hq.body.customerIds).toEqual([nextDoor.customerId, far.customerId]);
  });

  it('matches a phone as the single lookup does: a verified identity first, following a merge', async () => {
    // one phone on two customers: a POS card typed at a counter (unverified) and the member who proved it in WeChat
    const typed = await createMember(sys.database, { phone: '13722220001' });
    await sys.database.exec(`update identities set verified = false where customer_id = $1`, [typed.customerId]);
    const proved = await createMember(sys.database, { phone: '13722220009', registeredAt: new Date('2025-01-01') });
    await sys.database.exec(
      `insert into identities (id, customer_id, kind, value, verified, source, source_id)
       values ($1, $2, 'phone', '13722220001', true, 'miniprogram', 'phone:shared')`,
      [`idn_shared_${proved.customerId}`, proved.customerId],
    );
    // a POS card merged into its member: found as the member
    const card = await createMember(sys.database, { phone: '13722220002' });
    const survivor = await createMember(sys.database, { phone: '13722220003' });
    await sys.database.exec(`update customers set merged_into = $2 where id = $1`, [
      card.customerId,
      survivor.customerId,
    ]);

    const res = await resolve(['13722220001', '13722220002', '13722220003']);
    const single = await sys.call('/api/staff/coupons/member?phone=13722220001', { token: manager });
    expect(single.body.customerId).toBe(proved.customerId);
    expect(res.body.results[0]).toMatchObject({ status: 'found', customerId: proved.customerId });
    expect(res.body.results[1]).toMatchObject({ status: 'found', customerId: survivor.customerId });
    // the member's own phone after the card's: the same person, collapsed
    expect(res.body.results[2]).toEqual({ status: 'duplicate', firstIndex: 1, samePhone: false });
    expect(res.body.customerIds).toEqual([proved.customerId, survivor.customerId]);
  });

  it('audits one line per list naming the members read', async () => {
    const a = await createMember(sys.database, { phone: '13733330001' });
    const b = await createMember(sys.database, { phone: '13733330002' });
    const res = await sys.call('/api/staff/coupons/resolve-phones', {
      token: manager,
      body: { phones: ['13733330001', '13733330002', '13733330009'] },
      headers: { 'x-request-id': 'req_resolve_audit_1' },
    });
    expect(res.status).toBe(200);
    const rows = await sys.database.exec(
      `select actor_id, action, customer_id, store_id, reason, details from audit_log where request_id = 'req_resolve_audit_1'`,
    );
    expect(rows).toEqual([
      {
        actor_id: 'stf_sm01',
        action: 'coupon.member_lookup',
        customer_id: null,
        store_id: 'sto_001',
        reason: 'issue coupon',
        details: { phones: 3, found: 2, customerIds: [a.customerId, b.customerId] },
      },
    ]);
  });

  it('resolves 500 in a few queries; refuses 501 with a code, an empty list, a clerk and no session', async () => {
    await sys.database.exec(
      `insert into customers (id, display_name, home_store_id, registered_at)
       select 'cus_paste' || lpad(g::text, 3, '0'), '批量会员', 'sto_001', now() from generate_series(1, 500) g`,
    );
    await sys.database.exec(
      `insert into identities (id, customer_id, kind, value, verified, source, source_id)
       select 'idn_paste' || lpad(g::text, 3, '0'), 'cus_paste' || lpad(g::text, 3, '0'), 'phone',
              '1374444' || lpad(g::text, 4, '0'), true, 'miniprogram', 'paste:' || g
       from generate_series(1, 500) g`,
    );
    const phones = Array.from({ length: 500 }, (_, i) => `137 4444 ${String(i + 1).padStart(4, '0')}`);
    const started = performance.now();
    const res = await resolve(phones);
    console.info(`resolve 500 phones: ${(performance.now() - started).toFixed(0)} ms`);
    expect(res.status).toBe(200);
    expect(res.body.customerIds).toHaveLength(500);
    // set-based: the members (1 query), their scope (2), the audit line (1), not one query per phone
    const statements: string[] = [];
    const counted = new Proxy(sys.database.db, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (typeof prop !== 'string' || !/^(select|insert|update|delete|execute)/.test(prop)) return value;
        return (...args: unknown[]) => {
          statements.push(prop);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const direct = await resolvePhones(counted, STORE_MANAGER, phones, { requestId: 'req_count', now: new Date() });
    expect(direct.ok && direct.value.customerIds).toHaveLength(500);
    expect(statements).toEqual(['selectDistinctOn', 'select', 'selectDistinct', 'insert']);

    const tooMany = await resolve([...phones, '13744449999']);
    expect(codeOf(tooMany)).toEqual({ status: 422, code: 'PHONE_LIST_TOO_LONG' });
    expect(tooMany.body.error.details).toEqual({ max: 500, received: 501 });
    // a paste far over the limit, as long as the body limit allows, is the same code
    expect(codeOf(await resolve(Array.from({ length: 20_000 }, () => '1')))).toEqual({
      status: 422,
      code: 'PHONE_LIST_TOO_LONG',
    });
    expect(codeOf(await resolve([]))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(codeOf(await resolve(['x'.repeat(65)]))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(codeOf(await resolve('13744440001'))).toEqual({ status: 400, code: 'VALIDATION_FAILED' });
    expect(codeOf(await resolve(['13744440001'], await staffSession(sys, 'stf_ck01')))).toEqual({
      status: 403,
      code: 'FORBIDDEN',
    });
    expect(codeOf(await sys.call('/api/staff/coupons/resolve-phones', { body: { phones: ['13744440001'] } }))).toEqual({
      status: 401,
      code: 'UNAUTHENTICATED',
    });
  });
});

describe('issuing to a pasted list', () => {
  it('issues once per member under one batch key, however often the list is sent', async () => {
    const a = await createMember(sys.database, { phone: '13755550001' });
    const b = await createMember(sys.database, { phone: '13755550002' });
    const far = await createMember(sys.database, { phone: '13755550003', homeStoreId: 'sto_017' });
    const preview = await resolve(['137 5555 0001', '13755550002', far.phone, '+8613755550001', 'abc']);
    const customerIds: string[] = preview.body.customerIds;
    expect(customerIds).toEqual([a.customerId, b.customerId]);

    // the store's own template (2 per member): only the batch key keeps a retried tap from issuing again
    const body = { templateCode: 'HZ001_200_20', customerIds, batchKey: 'paste-2026-11-25-a' };
    const first = await sys.call('/api/staff/coupons/issue', { token: manager, body });
    expect(first.body).toEqual({ issued: 2, alreadyIssued: 0, refused: [] });
    const again = await sys.call('/api/staff/coupons/issue', { token: manager, body });
    expect(again.body).toEqual({ issued: 0, alreadyIssued: 2, refused: [] });
    const held = (id: string) =>
      count(
        sys.database,
        `select count(*) from coupons c join coupon_templates t on t.id = c.template_id
          where t.code = 'HZ001_200_20' and c.customer_id = $1`,
        [id],
      );
    expect(await held(a.customerId)).toBe(1);
    expect(await held(b.customerId)).toBe(1);
    expect(await held(far.customerId)).toBe(0);
  });
});
