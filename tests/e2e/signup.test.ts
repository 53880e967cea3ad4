/**
 * The customer's first visit, as a person walks it in the H5 build: the store manager prints the store's sign-up
 * code, a customer opens its scene URL, picks their (simulated) WeChat user, authorises the phone, consents, sees
 * the welcome with the new-member coupon and opens the member code; the POS then redeems the coupon with that
 * member code and the wallet shows it used.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../dev/h5-build.js';
import { partnerHeaders } from '../../functions/adapters/auth/partner-signature.js';
import { startBrowserSystem } from './support/browser.js';
import { settle, staffFirstLogin } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

/** H5 page transitions slide in: a screenshot taken mid-slide shows half a page. */

const POS_KEY = { keyId: 'key_pos_hz001', secret: 'demo-pos-secret-hz001-0123456789abcdef' };
const HAS_REDEEM = existsSync(join(ROOT, 'functions/api/pos/redeem.ts'));

describe('sign-up at the store QR code, in the browser', () => {
  let scene = '';

  it('the store manager generates a clerk’s sign-up code and sees the figures', async () => {
    const { page, context } = await env.newPage();
    await staffFirstLogin(page, env.system.apiUrl, 'u_sm01');
    await page.locator('[data-testid=tile-signup-codes]').click();
    await page.locator('[data-testid=signup-stats]').waitFor();
    await settle(page);
    await env.shot(page, 'signup-01-staff-codes-empty');

    // 王芳's own code: sign-ups through it are credited to her
    await page.locator('[data-testid=generate-stf_ck01]').click();
    await page.locator('[data-testid=signup-code]').first().waitFor();
    expect(await page.locator('[data-testid=signup-code]').first().innerText()).toContain('王芳');
    await page.locator('[data-testid=signup-code]').first().scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'signup-02-staff-code-generated');

    const rows = await env.system.database.exec(
      "select scene from signup_qr_codes where store_id = 'sto_001' and clerk_staff_id = 'stf_ck01'",
    );
    scene = String(rows[0].scene);
    expect(scene).toMatch(/^s1\.HZ001\.[0-9a-z]{8}$/);
    await context.close();
  });

  it('a new customer scans it, authorises the phone, consents, gets the coupon and the member code', async () => {
    const { page, context } = await env.newPage();
    await page.goto(`${env.system.apiUrl}/#/pages/signup/index?scene=${encodeURIComponent(scene)}`);
    await page.locator('[data-testid=sim-user-sheet]').waitFor();
    expect(await page.locator('[data-testid=signup-store]').innerText()).toContain('文三路店');
    await settle(page);
    await env.shot(page, 'signup-03-scan-pick-user');
    await page.locator('[data-testid=sim-user-option][data-user-id=u_new]').click();

    await page.locator('[data-testid=signup-phone-step]').waitFor();
    await settle(page);
    await env.shot(page, 'signup-04-phone-step');
    await page.locator('[data-testid=phone-button]').click();
    await page.locator('[data-testid=sim-phone-sheet]').waitFor();
    await settle(page);
    await env.shot(page, 'signup-05-phone-sheet');
    await page.locator('[data-testid=sim-phone-allow]').click();

    await page.locator('[data-testid=signup-consent-step]').waitFor();
    expect(await page.locator('[data-testid=signup-phone]').innerText()).toBe('150****1234');
    const submit = page.locator('[data-testid=signup-submit]');
    // nothing is pre-ticked: the button says what is missing
    expect(await submit.innerText()).toContain('请先勾选');
    await settle(page);
    await env.shot(page, 'signup-06-consent-nothing-ticked');
    await page.locator('[data-testid=consent-service]').click();
    await page.locator('[data-testid=consent-health_data]').click();
    expect(await submit.innerText()).toContain('同意并注册');
    await settle(page);
    await env.shot(page, 'signup-07-consent-ticked');
    // a double tap signs up once: the welcome is the first sign-up's, not a second one's 您已经是会员了
    const registers: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/api/signup/register')) registers.push(r.url());
    });
    await submit.dblclick();

    const welcome = page.locator('[data-testid=signup-welcome]');
    await welcome.waitFor();
    expect(await welcome.innerText()).toContain('注册成功');
    expect(await page.locator('[data-testid=welcome-coupon]').innerText()).toContain('新人券已放入您的券包');
    expect(registers).toHaveLength(1);
    await settle(page);
    await env.shot(page, 'signup-08-welcome');

    const db = env.system.database;
    const [attribution] = await db.exec('select customer_id, store_id, clerk_staff_id from signup_attributions');
    expect(attribution).toMatchObject({ store_id: 'sto_001', clerk_staff_id: 'stf_ck01' });
    const consents = await db.exec(
      'select purpose, granted from consent_records where customer_id = $1 order by purpose',
      [attribution.customer_id],
    );
    expect(consents).toEqual([
      { purpose: 'health_data', granted: true },
      { purpose: 'marketing', granted: false },
      { purpose: 'service', granted: true },
    ]);

    await page.locator('[data-testid=open-member-code]').click();
    await page.locator('[data-testid=member-code-card]').waitFor();
    await page.locator('[data-testid=member-qr]').waitFor();
    const digits = (await page.locator('[data-testid=member-code-digits]').innerText()).replace(/\s/g, '');
    expect(digits).toMatch(/^88\d{16}$/);
    expect(await page.locator('[data-testid=member-code-countdown]').innerText()).toMatch(/秒后自动刷新/);
    await settle(page);
    await env.shot(page, 'signup-09-member-code');

    // the code the page shows is the one the POS resolves
    const body = JSON.stringify({ memberCode: digits });
    const lookup = await fetch(`${env.system.apiUrl}/api/pos/member`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...partnerHeaders({ ...POS_KEY, method: 'POST', path: '/api/pos/member', body, now: new Date() }),
      },
      body,
    });
    expect(lookup.status).toBe(200);
    expect(await lookup.json()).toMatchObject({ phoneMasked: '150****1234', homeStoreName: '文三路店' });

    if (HAS_REDEEM) {
      const redeemBody = JSON.stringify({
        idempotencyKey: 'e2e-signup-0001',
        memberCode: digits,
        orderAmountFen: 5800,
      });
      const redeem = await fetch(`${env.system.apiUrl}/api/pos/redeem`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...partnerHeaders({ ...POS_KEY, method: 'POST', path: '/api/pos/redeem', body: redeemBody, now: new Date() }),
        },
        body: redeemBody,
      });
      const answer = await redeem.json();
      expect(redeem.status, JSON.stringify(answer)).toBe(200);
      expect(answer.discountFen).toBeGreaterThan(0);

      await page.goto(`${env.system.apiUrl}/#/pages/coupons/index`);
      await page.locator('[data-testid=coupons-page]').waitFor();
      await page.locator('[data-testid=coupons-tab-used]').click();
      await page.locator(`[data-testid=coupon-${answer.couponId}]`).waitFor();
      await settle(page);
      await env.shot(page, 'signup-10-wallet-coupon-used');
    }
    await context.close();
  });

  it('the member changes the health-data consent in the settings', async () => {
    const { page, context } = await env.newPage();
    await page.goto(`${env.system.apiUrl}/#/pages/index/index`);
    await page.locator('[data-testid=sim-user-option][data-user-id=u_new]').click();
    await page.locator('[data-testid=member-card]').waitFor();
    await settle(page);
    await env.shot(page, 'signup-11-home-registered');
    await page.locator('[data-testid=tile-settings]').click();
    await page.locator('[data-testid=setting-health_data]').waitFor();
    await settle(page);
    await env.shot(page, 'signup-12-settings');
    await page.locator('[data-testid=toggle-marketing]').click();
    await page.locator('[data-testid=settings-notice]').waitFor();
    expect(await page.locator('[data-testid=settings-notice]').innerText()).toContain('优惠活动消息已开启');
    await settle(page);
    await env.shot(page, 'signup-13-settings-saved');
    const rows = await env.system.database.exec(
      "select granted from consent_records where purpose = 'marketing' and source = 'settings'",
    );
    expect(rows).toEqual([{ granted: true }]);
    await context.close();
  });

  it('the member closes the account from the settings, and is a visitor afterwards', async () => {
    const { page, context } = await env.newPage();
    await page.goto(`${env.system.apiUrl}/#/pages/index/index`);
    await page.locator('[data-testid=sim-user-option][data-user-id=u_new]').click();
    await page.locator('[data-testid=member-card]').waitFor();
    await page.locator('[data-testid=tile-settings]').click();
    await page.locator('[data-testid=open-account-close]').click();
    const losses = page.locator('[data-testid=close-losses]');
    await losses.waitFor();
    // what goes is said with the member's own figures; what the law keeps is said too
    expect(await losses.innerText()).toMatch(/积分将清零|优惠券将作废|没有积分/);
    const kept = await page.locator('[data-testid=close-kept]').innerText();
    expect(kept).toContain('购药记录');
    // what closure keeps of the person, said as the code keeps it: digests of the phone and of the WeChat ids
    expect(kept).toContain('手机号和微信账号标识的加密摘要');
    const submit = page.locator('[data-testid=close-submit]');
    expect(await submit.getAttribute('disabled')).not.toBe('false');
    await settle(page);
    await env.shot(page, 'signup-14-account-close');

    await page.locator('[data-testid=close-ack]').click();
    await submit.click();
    const modal = page.locator('.taro-modal__content');
    await modal.waitFor();
    expect(await modal.innerText()).toContain('确认注销会员');
    await settle(page);
    await env.shot(page, 'signup-15-account-close-confirm');
    await page.locator('.taro-model__confirm').click();
    await page.locator('[data-testid=close-done]').waitFor();
    expect(await page.locator('[data-testid=close-done]').innerText()).toContain('会员已注销');
    await settle(page);
    await env.shot(page, 'signup-16-account-closed');

    const phone = '15000001234';
    const traces = await env.system.database.exec(
      'select count(*)::int as n from source_records r where r::text like $1',
      [`%${phone}%`],
    );
    expect(traces).toEqual([{ n: 0 }]);

    // back home, the same WeChat user is a visitor again: the sign-up is offered, without the new-member coupon
    // she had under the closed account (once per person)
    await page.locator('[data-testid=close-home]').click();
    const prompt = page.locator('[data-testid=signup-prompt]');
    await prompt.waitFor();
    expect(await prompt.innerText()).not.toContain('新人');
    await settle(page);
    await env.shot(page, 'signup-17-home-after-close');
    // nor do the member pages a visitor opens: each says what signing up gives without the coupon
    for (const [path, testid] of [
      ['member-code', 'member-code-unregistered'],
      ['coupons', 'coupons-unregistered'],
      ['points', 'points-unregistered'],
    ]) {
      await page.goto(`${env.system.apiUrl}/#/pages/${path}/index`);
      const hint = page.locator(`[data-testid=${testid}] .ml-error__message`);
      await hint.waitFor();
      expect(await hint.innerText()).toContain('授权手机号即可一键注册');
      expect(await page.locator(`[data-testid=${testid}]`).innerText()).not.toContain('新人券');
      await settle(page);
      await env.shot(page, `signup-17-${path}-after-close`);
    }
    await context.close();
  });

  it('a code whose store is gone still signs the customer up, without a store', async () => {
    env.system.sim.addUser({ id: 'u_oldcode', nickname: '周建平', phone: '15000005678' });
    const { page, context } = await env.newPage();
    await page.goto(`${env.system.apiUrl}/#/pages/signup/index?scene=${encodeURIComponent('s1.ZZ999')}`);
    await page.locator('[data-testid=sim-user-option][data-user-id=u_oldcode]').click();
    const banner = page.locator('[data-testid=signup-store-unknown]');
    await banner.waitFor();
    expect(await banner.innerText()).toContain('您仍可注册会员');
    await page.locator('[data-testid=signup-phone-step]').waitFor();
    await settle(page);
    await env.shot(page, 'signup-18-unknown-store-code');
    await page.locator('[data-testid=phone-button]').click();
    await page.locator('[data-testid=sim-phone-allow]').click();
    await page.locator('[data-testid=signup-consent-step]').waitFor();
    await page.locator('[data-testid=consent-service]').click();
    await page.locator('[data-testid=signup-submit]').click();
    await page.locator('[data-testid=signup-welcome]').waitFor();
    expect(await page.locator('[data-testid=welcome-coupon]').innerText()).toContain('新人券已放入您的券包');
    await settle(page);
    await env.shot(page, 'signup-19-unknown-store-welcome');
    const [attribution] = await env.system.database.exec(
      `select a.store_id from signup_attributions a join identities i on i.customer_id = a.customer_id
        where i.kind = 'phone' and i.value = '15000005678'`,
    );
    expect(attribution).toEqual({ store_id: null });
    await context.close();
  });
});
