/**
 * A phone that is already someone to us, signing up on another WeChat, as a customer meets it in the H5 build: a
 * member's phone is joined without consents asked again or a coupon promised, and the welcome says the member's
 * new-member coupon was used (no 收银员即可为您抵扣 for a coupon the wallet no longer holds); a store card's phone
 * gets the card wording and the consents.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSystem } from './support/browser.js';
import { ingestRecords, partnerCall, settle } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

const PHONE = '15100000001';

/** The sign-up page at a store's code, as the WeChat user, up to the step after the phone. */
async function upToPhone(page: Page, userId: string, scene: string) {
  await page.goto(`${env.system.apiUrl}/#/pages/signup/index?scene=${encodeURIComponent(scene)}`);
  await page.locator(`[data-testid=sim-user-option][data-user-id=${userId}]`).click();
  await page.locator('[data-testid=phone-button]').click();
  await page.locator('[data-testid=sim-phone-allow]').click();
}

const consentRows = async () =>
  env.system.database.exec(
    `select purpose, granted from consent_records where customer_id in
       (select customer_id from identities where kind = 'phone' and value = $1) order by purpose, at`,
    [PHONE],
  );

describe('a member’s phone on another WeChat', () => {
  it('the member signs up and uses the new-member coupon at the till', async () => {
    env.system.sim.addUser({ id: 'u_jia', nickname: '甲', phone: PHONE });
    const { page, context } = await env.newPage();
    await upToPhone(page, 'u_jia', 's1.HZ002');
    await page.locator('[data-testid=consent-service]').click();
    await page.locator('[data-testid=consent-marketing]').click();
    await page.locator('[data-testid=signup-submit]').click();
    await page.locator('[data-testid=signup-welcome]').waitFor();
    await page.locator('[data-testid=open-member-code]').click();
    await page.locator('[data-testid=member-qr]').waitFor();
    const code = (await page.locator('[data-testid=member-code-digits]').innerText()).replace(/\s/g, '');
    const redeem = await partnerCall(
      env.system,
      '/api/pos/redeem',
      { idempotencyKey: 'e2e-same-phone-1', memberCode: code, orderAmountFen: 5800 },
      'key_pos_hz001',
    );
    expect(redeem.status, await redeem.clone().text()).toBe(200);
    await context.close();
  });

  it('a second WeChat is told the phone is a member’s and joins it with one tap', async () => {
    env.system.sim.addUser({ id: 'u_jia2', nickname: '甲的另一个微信', phone: PHONE });
    const before = await consentRows();
    const { page, context } = await env.newPage();
    await upToPhone(page, 'u_jia2', 's1.HZ001');
    const join = page.locator('[data-testid=signup-join-step]');
    await join.waitFor();
    expect(await join.innerText()).toContain('该手机号已是会员');
    expect(await join.innerText()).toContain('点击继续即可');
    // no consents to tick, no store card that does not exist, no coupon promised
    expect(await page.locator('[data-testid=consent-service]').count()).toBe(0);
    expect(await page.locator('[data-testid=signup-page]').innerText()).not.toMatch(/会员卡|新人券/);
    expect(await page.locator('[data-testid=signup-submit]').innerText()).toBe('继续');
    await settle(page);
    await env.shot(page, 'signup-same-phone-01-join');

    await page.locator('[data-testid=signup-submit]').click();
    const welcome = page.locator('[data-testid=signup-welcome]');
    await welcome.waitFor();
    const coupon = page.locator('[data-testid=welcome-coupon]');
    expect(await coupon.getAttribute('data-state')).toBe('used');
    expect(await coupon.innerText()).toMatch(/新人券已于 (\d+年)?\d+月\d+日 使用/);
    expect(await welcome.innerText()).not.toContain('抵扣');
    expect(await page.locator('[data-testid=open-coupons]').count()).toBe(0);
    await settle(page);
    await env.shot(page, 'signup-same-phone-02-welcome');
    // the member's answers stand as they were
    expect(await consentRows()).toEqual(before);
    await context.close();
  });
});

describe('a store card’s phone', () => {
  it('says a store card carries the phone, and asks the consents', async () => {
    await ingestRecords(
      env.system,
      [{ sourceId: '6600007001', cardNo: '6600007001', phone: '15100000008', storeCode: 'HZ001' }],
      'key_pos_hz001',
    );
    env.system.sim.addUser({ id: 'u_card', nickname: '持卡人', phone: '15100000008' });
    const { page, context } = await env.newPage();
    await upToPhone(page, 'u_card', 's1.HZ001');
    const step = page.locator('[data-testid=signup-consent-step]');
    await step.waitFor();
    expect(await step.innerText()).toContain('门店有用这个手机号登记的会员卡');
    expect(await page.locator('[data-testid=consent-service]').count()).toBe(1);
    await settle(page);
    await env.shot(page, 'signup-same-phone-03-card');
    await context.close();
  });
});

describe('the member closes the account while another WeChat of theirs is joining it', () => {
  const CLOSING = '15100000011';

  it('the joining WeChat is asked for the phone again, then signs up as a new member with the consents', async () => {
    env.system.sim.addUser({ id: 'u_yi', nickname: '乙', phone: CLOSING });
    env.system.sim.addUser({ id: 'u_yi2', nickname: '乙的另一个微信', phone: CLOSING });
    const first = await env.newPage();
    await upToPhone(first.page, 'u_yi', 's1.HZ001');
    await first.page.locator('[data-testid=consent-service]').click();
    await first.page.locator('[data-testid=signup-submit]').click();
    await first.page.locator('[data-testid=signup-welcome]').waitFor();

    // the second WeChat reaches the join step
    const second = await env.newPage();
    await upToPhone(second.page, 'u_yi2', 's1.HZ001');
    await second.page.locator('[data-testid=signup-join-step]').waitFor();

    // meanwhile the member closes the account on the first
    const { page } = first;
    await page.goto(`${env.system.apiUrl}/#/pages/index/index`);
    await page.locator('[data-testid=member-card]').waitFor();
    await page.locator('[data-testid=tile-settings]').click();
    await page.locator('[data-testid=open-account-close]').click();
    await page.locator('[data-testid=close-ack]').click();
    await page.locator('[data-testid=close-submit]').click();
    await page.locator('.taro-model__confirm').click();
    await page.locator('[data-testid=close-done]').waitFor();

    // 继续 finds no member and no phone on record: back to the phone button, told why, not a dead end
    await second.page.locator('[data-testid=signup-submit]').click();
    const phoneStep = second.page.locator('[data-testid=signup-phone-step]');
    await phoneStep.waitFor();
    expect(await second.page.locator('[data-testid=signup-error]').innerText()).toBe(
      '手机号授权已失效，请再点一次按钮授权手机号。',
    );
    await settle(second.page);
    await env.shot(second.page, 'signup-same-phone-04-closed-meanwhile');
    expect(
      await env.system.database.exec(`select 1 from identities where kind = 'phone' and value = $1`, [CLOSING]),
    ).toEqual([]);

    // authorised again, the phone is nobody's now: the consents are asked, and no second new-member coupon promised
    await second.page.locator('[data-testid=phone-button]').click();
    await second.page.locator('[data-testid=sim-phone-allow]').click();
    await second.page.locator('[data-testid=signup-consent-step]').waitFor();
    expect(await second.page.locator('[data-testid=signup-no-coupon]').innerText()).toContain('新人券每人限领一次');
    await second.page.locator('[data-testid=consent-service]').click();
    await second.page.locator('[data-testid=signup-submit]').click();
    await second.page.locator('[data-testid=signup-welcome]').waitFor();
    const [member] = await env.system.database.exec(
      `select c.status from customers c join identities i on i.customer_id = c.id
        where i.kind = 'phone' and i.value = $1`,
      [CLOSING],
    );
    expect(member).toEqual({ status: 'active' });
    await first.context.close();
    await second.context.close();
  });
});
