import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPID } from '../../dev/system.js';
import { newId } from '../../functions/adapters/ids.js';
import { issueCoupon } from '../../functions/app/coupons/issue-coupon.js';
import { startBrowserSystem } from './support/browser.js';
import { settle } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

describe('member home in the browser (H5 build, simulator as WeChat)', () => {
  it('a new WeChat user picks who they are, logs in and sees the sign-up prompt', async () => {
    const { page, context } = await env.newPage();
    await page.goto(`${env.system.apiUrl}/#/pages/index/index`);
    const picker = page.locator('[data-testid=sim-user-sheet]');
    await picker.waitFor();
    expect(await picker.innerText()).toContain('模拟微信');
    await env.shot(page, 'member-01-sim-user-picker');

    await page.locator('[data-testid=sim-user-option][data-user-id=u_zhangwei]').click();
    await page.locator('[data-testid=signup-prompt]').waitFor();
    const text = await page.locator('[data-testid=member-home]').innerText();
    expect(text).toContain('注册会员，领取新人券');
    expect(text).toContain('员工入口');
    await env.shot(page, 'member-02-home-unregistered');

    // the login really went through jscode2session: the WeChat user is now a known identity
    const rows = await env.system.database.exec(
      "select count(*)::int as n from identities where kind = 'openid' and value = $1",
      [env.system.sim.openid(DEMO_APPID, 'u_zhangwei')],
    );
    expect(Number(rows[0].n)).toBe(1);

    // the points and coupon pages, opened before signing up, offer the sign-up (not a failure to retry)
    for (const [path, testid] of [
      ['points', 'points-unregistered'],
      ['coupons', 'coupons-unregistered'],
    ]) {
      await page.goto(`${env.system.apiUrl}/#/pages/${path}/index`);
      const card = page.locator(`[data-testid=${testid}]`);
      await card.waitFor();
      expect(await card.innerText()).toContain('立即注册');
      // the coupon sign-up gives now, as the home promises it
      await page.locator(`[data-testid=${testid}] .ml-error__message`).waitFor();
      expect(await card.innerText()).toContain('注册即送新人券（无门槛减10元）');
      expect(await page.locator('[data-testid=error]').count()).toBe(0);
    }
    await settle(page);
    await env.shot(page, 'member-02b-coupons-unregistered');
    await page.locator('[data-testid=go-signup]').click();
    await page.locator('[data-testid=signup-page]').waitFor();
    await context.close();
  });

  it('a registered member is greeted by name and sees the masked phone and home store', async () => {
    // sign-up arrives with its own issue; here a registered member is put in the database directly
    const db = env.system.database;
    const openid = env.system.sim.openid(DEMO_APPID, 'u_lina');
    const customerId = newId('cus');
    await db.exec(
      // 01:30 on 1 October in Beijing: the page shows that day, not the UTC timestamp's 30 September
      "insert into customers (id, display_name, home_store_id, registered_at) values ($1, '李娜', 'sto_001', '2026-09-30T17:30:00Z')",
      [customerId],
    );
    await db.exec(
      "insert into identities (id, customer_id, kind, value, verified, source, source_id) values ($1, $2, 'openid', $3, true, 'miniprogram', $3), ($4, $2, 'phone', '13698765432', true, 'miniprogram', $3)",
      [newId('idn'), customerId, openid, newId('idn')],
    );
    // two coupons, one of them ending the day after tomorrow, and 1,234 points earned this year
    const issue = (templateCode: string) =>
      issueCoupon(db.db, {
        customerId,
        templateCode,
        reason: 'manual',
        idempotencyKey: `e2e-home:${customerId}:${templateCode}`,
        now: new Date(),
      });
    await issue('NEW_MEMBER');
    const ending = await issue('VITAMIN_88');
    if (!ending.ok) throw new Error('fixture coupon not issued');
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000);
    await db.exec('update coupons set valid_until = $2 where id = $1', [ending.value.couponId, inTwoDays]);
    await db.exec(
      "insert into points_ledger (customer_id, kind, points, entry_key, earn_year, note, occurred_at) values ($1, 'earn', 1234, $2, $3, '文三路店消费', now())",
      [customerId, `earn:e2e-home:${customerId}`, new Date().getFullYear()],
    );
    const { page, context } = await env.newPage();
    await page.goto(`${env.system.apiUrl}/#/pages/index/index`);
    await page.locator('[data-testid=sim-user-option][data-user-id=u_lina]').click();
    const card = page.locator('[data-testid=member-card]');
    await card.waitFor();
    const text = await card.innerText();
    // greeted politely by her surname (李娜: 娜 is a girl's name), not by her full name on a screen others may see
    expect(text).toContain('您好，李女士');
    expect(text).not.toContain('李娜');
    expect(await page.locator('[data-testid=member-phone]').innerText()).toBe('136****5432');
    expect(await page.locator('[data-testid=member-store]').innerText()).toBe('文三路店');
    expect(text).toContain('2026-10-01');
    // the figures at a glance: points, usable coupons, tier, and the coupon that ends soon
    await page.locator('[data-testid=member-tier]').waitFor();
    expect(await page.locator('[data-testid=member-tier]').innerText()).toBe('普通会员');
    expect(await page.locator('[data-testid=stat-points]').innerText()).toContain('1,234');
    expect((await page.locator('[data-testid=stat-coupons]').innerText()).replace(/\s/g, '')).toContain('2张');
    const day = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', month: 'numeric', day: 'numeric' })
      .formatToParts(new Date(inTwoDays.getTime() - 1))
      .filter((p) => p.type === 'month' || p.type === 'day')
      .map((p) => p.value);
    expect(await page.locator('[data-testid=soon-coupons]').innerText()).toContain(
      `1 张优惠券将于 ${day[0]}月${day[1]}日 到期`,
    );
    expect(await page.locator('[data-testid=soon-points]').count()).toBe(0);
    await env.shot(page, 'member-03-home-registered');

    // each figure leads to its page: the coupon wallet, back, then the member code
    await page.locator('[data-testid=soon-coupons]').click();
    await page.locator(`[data-testid=coupon-${ending.value.couponId}]`).waitFor();
    expect(await page.locator('[data-testid=coupon-barcode]').count()).toBe(2);
    await page.goBack();
    await page.locator('[data-testid=stat-member-code]').click();
    await page.locator('[data-testid=member-code-card]').waitFor();
    await context.close();
  });

  it('shows an error with a retry when WeChat login fails, and recovers', async () => {
    const { page, context } = await env.newPage();
    env.system.sim.setFault('/sns/jscode2session', { errcode: -1, times: 3 });
    await page.goto(`${env.system.apiUrl}/#/pages/index/index`);
    await page.locator('[data-testid=sim-user-option][data-user-id=u_new]').click();
    const error = page.locator('[data-testid=error]');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/[\u4e00-\u9fa5]/);
    await env.shot(page, 'member-04-login-error');
    env.system.sim.clearFaults();
    await page.locator('[data-testid=retry]').click();
    await page.locator('[data-testid=signup-prompt]').waitFor();
    await context.close();
  });
});
