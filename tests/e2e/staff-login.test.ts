import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSystem } from './support/browser.js';
import { settle, staffFirstLogin } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

describe('staff login in the browser', () => {
  it('an invited pharmacist binds WeChat with the phone button and sees the staff home', async () => {
    const { page, context } = await env.newPage();
    await page.goto(`${env.system.apiUrl}/#/staff/pages/login/index`);
    await page.locator('[data-testid=staff-login]').waitFor();
    // one login for the stores, the regions and HQ: it does not call itself the stores' alone
    const login = await page.locator('[data-testid=staff-login]').innerText();
    expect(login).toContain('员工工作台');
    expect(login).not.toContain('门店工作台');
    await env.shot(page, 'staff-01-login');
    await page.locator('[data-testid=staff-login-button]').click();
    await page.locator('[data-testid=sim-user-option][data-user-id=u_ph01]').click();

    // first login: not yet bound, so the page asks to verify the invited phone
    await page.locator('[data-testid=staff-bind-step]').waitFor();
    await env.shot(page, 'staff-02-bind-step');
    await page.locator('[data-testid=phone-button]').click();
    const sheet = page.locator('[data-testid=sim-phone-sheet]');
    await sheet.waitFor();
    expect(await sheet.innerText()).toContain('手机号');
    await env.shot(page, 'staff-03-phone-sheet');
    await page.locator('[data-testid=sim-phone-allow]').click();

    await page.locator('[data-testid=staff-home]').waitFor();
    expect(await page.locator('[data-testid=staff-name]').innerText()).toContain('李明');
    expect(await page.locator('[data-testid=staff-role]').innerText()).toContain('药师');
    expect(await page.locator('[data-testid=staff-scope]').innerText()).toContain('文三路店');
    await env.shot(page, 'staff-04-home-pharmacist');
    // the home offers only what a pharmacist may open: the counter and the sign-up figures, not coupon management
    await page.locator('[data-testid=tile-signup-codes]').waitFor();
    expect(await page.locator('[data-testid=tile-redeem]').count()).toBe(1);
    expect(await page.locator('[data-testid=tile-coupons]').count()).toBe(0);

    // opened anyway (a link, a bookmark): the page says who it is for, with no 重新加载 that cannot help, and leads
    // back to the staff home
    for (const [path, words, shotName] of [
      ['coupons', '「优惠券管理」仅限店长、区域经理、总部管理员使用，当前账号没有权限。', 'staff-07-no-access-coupons'],
      ['integration-health', '「数据对接状态」仅限总部管理员使用，当前账号没有权限。', 'staff-08-no-access-hq-page'],
      ['identity-merges', '「会员合并记录」仅限总部管理员使用，当前账号没有权限。', 'staff-09-no-access-merges'],
    ] as const) {
      await page.goto(`${env.system.apiUrl}/#/staff/pages/${path}/index`);
      const card = page.locator('[data-testid=no-access]');
      await card.waitFor();
      expect(await card.innerText()).toContain('没有权限');
      expect(await page.locator('[data-testid=no-access-message]').innerText()).toBe(words);
      await env.shot(page, shotName);
      expect(await page.locator('[data-testid=retry]').count()).toBe(0);
      expect(await page.locator('[data-testid=error]').count()).toBe(0);
      // nor a search or a second section over it
      expect(await page.locator('[data-testid$=-search]').count()).toBe(0);
      expect(await page.locator('[data-testid=quality]').count()).toBe(0);
      await page.locator('[data-testid=no-access-home]').click();
      await page.locator('[data-testid=staff-profile]').waitFor();
    }

    const audit = await env.system.database.exec("select actor_id from audit_log where action = 'staff.bind_wechat'");
    expect(audit).toEqual([{ actor_id: 'stf_ph01' }]);

    await page.locator('[data-testid=staff-logout]').click();
    await page.locator('[data-testid=staff-login]').waitFor();
    await context.close();
  });

  it('a regional manager sees the region as scope (console width)', async () => {
    const { page, context } = await env.newPage({ width: 1280, height: 800 });
    await page.goto(`${env.system.apiUrl}/#/staff/pages/login/index`);
    await page.locator('[data-testid=staff-login-button]').click();
    await page.locator('[data-testid=sim-user-option][data-user-id=u_rm01]').click();
    await page.locator('[data-testid=phone-button]').click();
    await page.locator('[data-testid=sim-phone-allow]').click();
    await page.locator('[data-testid=staff-home]').waitFor();
    expect(await page.locator('[data-testid=staff-role]').innerText()).toContain('区域经理');
    expect(await page.locator('[data-testid=staff-scope]').innerText()).toContain('杭州区域');
    await env.shot(page, 'staff-05-home-regional-manager-desktop');
    await context.close();
  });

  it('a WeChat user nobody invited is told so, in Chinese, and nothing is bound', async () => {
    const { page, context } = await env.newPage();
    await page.goto(`${env.system.apiUrl}/#/staff/pages/login/index`);
    await page.locator('[data-testid=staff-login-button]').click();
    await page.locator('[data-testid=sim-user-option][data-user-id=u_zhangwei]').click();
    await page.locator('[data-testid=phone-button]').click();
    await page.locator('[data-testid=sim-phone-allow]').click();
    const error = page.locator('[data-testid=staff-error]');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/[\u4e00-\u9fa5]/);
    await env.shot(page, 'staff-06-not-invited');
    const bound = await env.system.database.exec("select count(*)::int as n from staff where phone = '13712345678'");
    expect(Number(bound[0].n)).toBe(0);
    await context.close();
  });

  it('a session that lapsed on the counter says so, and the login comes back to the counter', async () => {
    const { page, context } = await env.newPage();
    await staffFirstLogin(page, env.system.apiUrl, 'u_ck01');
    await page.goto(`${env.system.apiUrl}/#/staff/pages/counter/index`);
    await page.locator('[data-testid=counter-page]').waitFor();
    // the stored session is no longer any good (its refresh token revoked, or another device's login)
    await page.evaluate(() => {
      const key = 'medloop.session.staff';
      const stored = JSON.parse(localStorage.getItem(key) ?? '{}');
      stored.data = { ...stored.data, accessToken: 'lapsed', refreshToken: 'lapsed', expiresAt: 0 };
      localStorage.setItem(key, JSON.stringify(stored));
    });
    await page.reload();
    const expired = page.locator('[data-testid=staff-expired]');
    await expired.waitFor();
    expect(await expired.innerText()).toContain('登录已过期');
    await settle(page);
    await env.shot(page, 'staff-07-session-lapsed');
    await page.locator('[data-testid=staff-login-button]').click();
    // the simulator may ask again which WeChat user this is (WeChat itself knows)
    const counter = page.locator('[data-testid=counter-page]');
    const who = page.locator('[data-testid=sim-user-option][data-user-id=u_ck01]');
    await counter.or(who).first().waitFor();
    if (await who.isVisible()) await who.click();
    await counter.waitFor();
    expect(page.url()).toContain('/staff/pages/counter/index');
    await context.close();
  });
});
