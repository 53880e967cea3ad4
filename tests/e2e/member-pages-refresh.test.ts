/**
 * The member's pages stay true to what the till did while they were open, as a member at the counter meets it in the
 * H5 build: the wallet and the points page, shown again (WeChat back in the foreground after the member showed a
 * code), list the coupon the clerk just redeemed as used and the points the till earned, spent and gave back; points
 * a refund gives back read 积分退还, not 退款扣回.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSystem } from './support/browser.js';
import { partnerCall, settle } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

const KEY = 'key_pos_hz001';

/** What WeChat does when the member comes back to the mini-program: the page is shown again. */
const showAgain = (page: Page) => page.evaluate(() => window.dispatchEvent(new Event('visibilitychange')));

async function till(path: string, body: unknown) {
  const res = await partnerCall(env.system, path, body, KEY);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

describe('the wallet and the points page, shown again after the till', () => {
  it('list the redeemed coupon as used and the points earned, spent and given back', async () => {
    env.system.sim.addUser({ id: 'u_reshow', nickname: '回来看看', phone: '15000007811' });
    const { page, context } = await env.newPage();
    await page.goto(`${env.system.apiUrl}/#/pages/signup/index`);
    await page.locator('[data-testid=sim-user-option][data-user-id=u_reshow]').click();
    await page.locator('[data-testid=phone-button]').click();
    await page.locator('[data-testid=sim-phone-allow]').click();
    await page.locator('[data-testid=consent-service]').click();
    await page.locator('[data-testid=signup-submit]').click();
    await page.locator('[data-testid=signup-welcome]').waitFor();
    await page.locator('[data-testid=open-member-code]').click();
    await page.locator('[data-testid=member-qr]').waitFor();
    const memberCode = (await page.locator('[data-testid=member-code-digits]').innerText()).replace(/\s/g, '');

    // the wallet open on one page, the points on another, as the member left them
    await page.goto(`${env.system.apiUrl}/#/pages/coupons/index`);
    const couponCode = (await page.locator('[data-testid=coupon-code]').first().innerText()).replace(/\s/g, '');
    expect(couponCode).toMatch(/^\d{16}$/);
    const points = await context.newPage();
    await points.goto(`${env.system.apiUrl}/#/pages/points/index`);
    await points.locator('[data-testid=points-balance]').waitFor();
    expect((await points.locator('[data-testid=points-balance]').innerText()).trim()).toBe('0');

    // at the till: a 300-yuan sale earns, 500 points pay part of another, the coupon is redeemed, that sale refunded
    const stamp = Date.now().toString(36);
    const earned = await till('/api/pos/orders', {
      idempotencyKey: `reshow-order-${stamp}`,
      externalId: `HZ001-RS-${stamp}-1`,
      memberCode,
      orderedAt: new Date().toISOString(),
      totalFen: 30000,
      discountFen: 0,
      paidFen: 30000,
      lines: [{ sku: 'X-NON-RX-1', quantity: 1, unitPriceFen: 30000, amountFen: 30000 }],
    });
    expect(earned.pointsEarned).toBe(600);
    await till('/api/pos/points/spend', {
      idempotencyKey: `reshow-spend-${stamp}`,
      memberCode,
      points: 500,
      orderAmountFen: 8000,
      externalOrderId: `HZ001-RS-${stamp}-2`,
    });
    await till('/api/pos/redeem', { idempotencyKey: `reshow-redeem-${stamp}`, couponCode, orderAmountFen: 5800 });
    const voided = await till('/api/pos/void', {
      idempotencyKey: `reshow-void-${stamp}`,
      externalOrderId: `HZ001-RS-${stamp}-2`,
    });
    expect(voided.pointsReturned).toBe(500);

    // back in WeChat: each page shows what happened, without reopening it
    await showAgain(page);
    await page.locator('[data-testid=coupons-tab-used]').click();
    // the used tab lists it, and the available tab no longer offers its code to scan
    await expect.poll(() => page.locator('[data-testid^=coupon-cpn_]').count()).toBe(1);
    await page.locator('[data-testid=coupons-tab-available]').click();
    await expect.poll(() => page.locator('[data-testid=coupon-code]').count()).toBe(0);
    await page.locator('[data-testid=coupons-tab-used]').click();
    await settle(page);
    await env.shot(page, 'member-refresh-01-wallet-used');

    await showAgain(points);
    await expect
      .poll(async () => (await points.locator('[data-testid=points-balance]').innerText()).trim())
      .toBe('600');
    const ledger = await points.locator('[data-testid=points-page]').innerText();
    expect(ledger).toContain('积分退还');
    expect(ledger).not.toContain('退款扣回');
    await settle(points);
    await env.shot(points, 'member-refresh-02-points-returned');
    await context.close();
  });
});
