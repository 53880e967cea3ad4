/**
 * The wallet in the browser: a coupon used on an order that was refunded after the coupon had expired (the till's
 * void could not give it back) is shown under 已失效 with why, not under 已使用 as if the purchase stood.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNER_KEYS } from '../../dev/demo/fixtures.js';
import { DEMO_APPID } from '../../dev/system.js';
import { partnerHeaders } from '../../functions/adapters/auth/partner-signature.js';
import { newId } from '../../functions/adapters/ids.js';
import { issueCoupon } from '../../functions/app/coupons/issue-coupon.js';
import { startBrowserSystem } from './support/browser.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

const pos = DEMO_PARTNER_KEYS.find((k) => k.id === 'key_pos_hz001')!;

async function posPost(path: string, body: unknown) {
  const raw = JSON.stringify(body);
  const headers = partnerHeaders({
    keyId: pos.id,
    secret: pos.secret,
    method: 'POST',
    path,
    body: raw,
    now: new Date(),
  });
  const res = await fetch(`${env.system.apiUrl}${path}`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: raw,
  });
  return { status: res.status, body: await res.json() };
}

describe('the wallet after a refund', () => {
  it('lists a coupon the refund did not give back (expired by then) under 已失效, with why', async () => {
    const db = env.system.database;
    const customerId = newId('cus');
    const openidIdentity = newId('idn');
    await db.exec(
      "insert into customers (id, display_name, home_store_id, registered_at) values ($1, '李娜', 'sto_001', now() - interval '60 days')",
      [customerId],
    );
    await db.exec(
      "insert into identities (id, customer_id, kind, value, verified, source, source_id) values ($1, $2, 'openid', $3, true, 'miniprogram', $3), ($4, $2, 'phone', '13698765432', true, 'miniprogram', $3)",
      [openidIdentity, customerId, env.system.sim.openid(DEMO_APPID, 'u_lina'), newId('idn')],
    );
    const issued = await issueCoupon(db.db, {
      customerId,
      templateCode: 'FULL_100_15',
      reason: 'manual',
      idempotencyKey: `e2e:${customerId}:FULL_100_15`,
      now: new Date(),
    });
    if (!issued.ok) throw new Error('fixture coupon not issued');
    const orderNo = `E2E-REFUND-${customerId}`;
    const redeemed = await posPost('/api/pos/redeem', {
      idempotencyKey: `e2e-redeem-${customerId}`,
      couponCode: issued.value.code,
      orderAmountFen: 12_000,
      externalOrderId: orderNo,
    });
    expect(redeemed.status).toBe(200);
    // the coupon ran out after the sale; the customer brings the goods back later
    await db.exec(
      `update coupons set valid_from = now() - interval '40 days', valid_until = now() - interval '1 day' where id = $1`,
      [issued.value.couponId],
    );
    const refund = await posPost('/api/pos/void', {
      idempotencyKey: `e2e-void-${customerId}`,
      externalOrderId: orderNo,
    });
    expect(refund.body.voided).toMatchObject([{ couponReturned: false }]);

    const { page, context } = await env.newPage();
    await page.goto(`${env.system.apiUrl}/#/pages/index/index`);
    await page.locator('[data-testid=sim-user-option][data-user-id=u_lina]').click();
    await page.locator('[data-testid=member-card]').waitFor();
    await page.locator('[data-testid=tile-coupons]').click();
    await page.locator('[data-testid=coupons-page]').waitFor();
    await page.locator('[data-testid=coupons-empty]').waitFor();
    expect(await page.locator('[data-testid=coupons-page]').innerText()).toContain('已使用（0）');

    await page.locator('[data-testid=coupons-tab-used]').click();
    await page.locator('[data-testid=coupons-empty]').waitFor();
    expect(await page.locator('[data-testid=coupons-empty]').innerText()).toBe('还没有使用过优惠券');

    await page.locator('[data-testid=coupons-tab-expired]').click();
    const card = page.locator(`[data-testid=coupon-${issued.value.couponId}]`);
    await card.waitFor();
    const text = await card.innerText();
    expect(text).toContain('满100元减15元');
    expect(text).toMatch(/订单已退款，券已过期未退回（有效期至\d{4}年\d{1,2}月\d{1,2}日）/);
    expect(text).not.toMatch(/使用$|店使用/);
    await env.shot(page, 'wallet-refunded-coupon-expired');
    await context.close();
  }, 120_000);
});
