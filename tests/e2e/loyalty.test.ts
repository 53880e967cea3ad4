import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNER_KEYS } from '../../dev/demo/fixtures.js';
import { DEMO_APPID } from '../../dev/system.js';
import { partnerHeaders } from '../../functions/adapters/auth/partner-signature.js';
import { newId } from '../../functions/adapters/ids.js';
import { issueCoupon } from '../../functions/app/coupons/issue-coupon.js';
import { issueMemberCode } from '../../functions/app/members/member-code.js';
import { startBrowserSystem } from './support/browser.js';
import { fill, staffFirstLogin } from './support/flows.js';

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

describe('coupons and points in the browser', () => {
  it('a member opens the wallet (available / used / expired) and the points page', async () => {
    // sign-up is the onboarding flow's; here a registered member with coupons and an order is a fixture
    const db = env.system.database;
    const customerId = newId('cus');
    const openidIdentity = newId('idn');
    await db.exec(
      "insert into customers (id, display_name, home_store_id, registered_at) values ($1, '李娜', 'sto_001', now() - interval '30 days')",
      [customerId],
    );
    await db.exec(
      "insert into identities (id, customer_id, kind, value, verified, source, source_id) values ($1, $2, 'openid', $3, true, 'miniprogram', $3), ($4, $2, 'phone', '13698765432', true, 'miniprogram', $3)",
      [openidIdentity, customerId, env.system.sim.openid(DEMO_APPID, 'u_lina'), newId('idn')],
    );
    const issue = (templateCode: string) =>
      issueCoupon(db.db, {
        customerId,
        templateCode,
        reason: 'manual',
        idempotencyKey: `e2e:${customerId}:${templateCode}`,
        now: new Date(),
      });
    await issue('NEW_MEMBER');
    await issue('VITAMIN_88');
    const used = await issue('FULL_100_15');
    if (!used.ok) throw new Error('fixture coupon not issued');
    const { code: memberCode } = await issueMemberCode(db.db, {
      customerId,
      identityId: openidIdentity,
      now: new Date(),
    });
    const order = await posPost('/api/pos/orders', {
      idempotencyKey: `e2e-order-${customerId}`,
      externalId: `E2E-${customerId}`,
      memberCode,
      orderedAt: new Date().toISOString(),
      totalFen: 26800,
      discountFen: 1500,
      paidFen: 25300,
      lines: [
        { sku: 'E2E-VITC', quantity: 2, unitPriceFen: 6800, amountFen: 13600 },
        { sku: 'E2E-MASK', quantity: 4, unitPriceFen: 3300, amountFen: 13200 },
      ],
    });
    expect(order.body.pointsEarned).toBe(506);
    const redeemed = await posPost('/api/pos/redeem', {
      idempotencyKey: `e2e-redeem-${customerId}`,
      couponCode: used.value.code,
      orderAmountFen: 26800,
      externalOrderId: `E2E-${customerId}`,
    });
    expect(redeemed.status).toBe(200);

    const { page, context } = await env.newPage();
    await page.goto(`${env.system.apiUrl}/#/pages/index/index`);
    await page.locator('[data-testid=sim-user-option][data-user-id=u_lina]').click();
    await page.locator('[data-testid=member-card]').waitFor();
    await page.locator('[data-testid=tile-coupons]').click();
    await page.locator('[data-testid=coupons-page]').waitFor();
    await page.locator('[data-testid=coupon-barcode]').first().waitFor();
    const available = await page.locator('[data-testid=coupons-page]').innerText();
    expect(available).toContain('无门槛减10元');
    expect(available).toContain('8.8折，最多减30元');
    expect(available).toContain('可使用（2）');
    await page.locator('[data-testid=coupon-rules-toggle]').first().click();
    expect(await page.locator('[data-testid=coupon-rules]').first().innerText()).toContain('处方药不参与优惠');
    await env.shot(page, 'loyalty-01-wallet-available');

    await page.locator('[data-testid=coupons-tab-used]').click();
    const usedText = await page.locator('[data-testid=coupons-page]').innerText();
    expect(usedText).toContain('满100元减15元');
    expect(usedText).toMatch(/在.*店使用/);
    await env.shot(page, 'loyalty-02-wallet-used');
    await page.locator('[data-testid=coupons-tab-expired]').click();
    await page.locator('[data-testid=coupons-empty]').waitFor();
    await env.shot(page, 'loyalty-03-wallet-expired-empty');

    await page.goto(`${env.system.apiUrl}/#/pages/index/index`);
    await page.locator('[data-testid=tile-points]').click();
    await page.locator('[data-testid=points-page]').waitFor();
    await page.waitForTimeout(600); // let the page's slide-in transition finish before the screenshot
    expect(await page.locator('[data-testid=points-balance]').innerText()).toBe('506');
    // 506 points pay 5 yuan at the till or the counter (whole hundreds)
    expect(await page.locator('[data-testid=points-spendable]').innerText()).toBe('结账时出示会员码，可抵 5 元');
    expect(await page.locator('[data-testid=tier-name]').innerText()).toBe('普通会员');
    expect(await page.locator('[data-testid=points-ledger]').innerText()).toContain('满200元双倍积分');
    await env.shot(page, 'loyalty-04-points');
    await context.close();
  }, 120_000);

  it('a store manager creates a store template and issues it to a member found by phone', async () => {
    const { page, context } = await env.newPage();
    await staffFirstLogin(page, env.system.apiUrl, 'u_sm01');
    await page.locator('[data-testid=tile-coupons]').click();
    await page.locator('[data-testid=staff-coupons]').waitFor();

    await page.locator('[data-testid=staff-tab-templates]').click();
    await page.locator('[data-testid=template-form]').waitFor();
    await fill(page, 'tpl-code', 'HZ001_E2E_50_8');
    await fill(page, 'tpl-name', '西湖店满50减8');
    // 满5减80 first: the form says which field is wrong and sends nothing
    await fill(page, 'tpl-off', '80');
    await fill(page, 'tpl-threshold', '5');
    await page.locator('[data-testid=tpl-submit]').click();
    expect(await page.locator('[data-testid=tpl-error]').innerText()).toBe('减免金额须小于使用门槛（满 5 元）');
    await fill(page, 'tpl-off', '8');
    await fill(page, 'tpl-threshold', '50');
    await fill(page, 'tpl-days', '0');
    await page.locator('[data-testid=tpl-submit]').click();
    expect(await page.locator('[data-testid=tpl-error]').innerText()).toBe('有效天数请填写 1 到 3660 之间的整数');
    expect(
      await env.system.database.exec("select count(*)::int as n from coupon_templates where code = 'HZ001_E2E_50_8'"),
    ).toEqual([{ n: 0 }]);
    await fill(page, 'tpl-days', '15');
    await fill(page, 'tpl-stock', '200');
    await page.locator('[data-testid=tpl-submit]').click();
    await page.locator('[data-testid=template-HZ001_E2E_50_8]').waitFor();
    expect(await page.locator('[data-testid=template-HZ001_E2E_50_8]').innerText()).toContain('满50元减8元');
    await page.waitForTimeout(1600); // the 已创建 toast fades after 1.5 s
    await env.shot(page, 'loyalty-05-staff-templates');

    await page.locator('[data-testid=staff-tab-issue]').click();
    await fill(page, 'issue-phone', '13698765432');
    await page.locator('[data-testid=issue-find]').click();
    await page.locator('[data-testid=issue-member]').waitFor();
    expect(await page.locator('[data-testid=issue-member]').innerText()).toContain('136****5432');
    await page.locator('[data-testid=template-HZ001_E2E_50_8]').click();
    await page.locator('[data-testid=issue-submit]').click();
    await page.locator('[data-testid=issue-result]').waitFor();
    expect(await page.locator('[data-testid=issue-result]').innerText()).toContain('已向 136****5432 发放 1 张优惠券');
    await page.locator('[data-testid=issue-result]').scrollIntoViewIfNeeded();
    await env.shot(page, 'loyalty-06-staff-issued');
    const rows = await env.system.database.exec(
      "select count(*)::int as n from coupons c join coupon_templates t on t.id = c.template_id where t.code = 'HZ001_E2E_50_8'",
    );
    expect(Number(rows[0].n)).toBe(1);
    await context.close();
  }, 120_000);
});
