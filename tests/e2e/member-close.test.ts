/**
 * 会员注销 at the store, as a store manager meets it in the H5 build: a couple's two store cards on one phone, found
 * by the phone, each masked with what tells them apart; the one who asked is closed after the ID check is ticked,
 * and the other stays. HQ's lookup names a mall account and a WeCom contact as such, and an empty answer says where
 * it looked: 本店, 您负责的门店 or 全部门店和商城.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSystem } from './support/browser.js';
import { ingestRecords, settle, staffFirstLogin, staffLogin } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

const phoneInput = (page: Page) => page.locator('[data-testid=mc-phone] input, input[data-testid=mc-phone]').first();

/** The staff home's title once the profile says whose home it is (工作台 until then). */
async function homeTitle(page: Page): Promise<string> {
  await page.locator('[data-testid=staff-profile]').waitFor();
  return page.locator('[data-testid=staff-home-title]').innerText();
}

describe('closing an account at the store', () => {
  it('the store manager finds the two people on a phone and closes only the one who asked', async () => {
    await ingestRecords(
      env.system,
      [
        {
          sourceId: '8810000501',
          name: '柴建华',
          gender: '男',
          phone: '13957118499',
          storeCode: 'HZ001',
          lastActive: '2026-10-02',
        },
        {
          sourceId: '8810000502',
          name: '吕秀英',
          gender: '女',
          phone: '13957118499',
          storeCode: 'HZ001',
          lastActive: '2026-11-20',
        },
      ],
      'key_pos_hz001',
    );
    const { page, context } = await env.newPage();
    await staffFirstLogin(page, env.system.apiUrl, 'u_sm01');
    // a store's staff work at 门店工作台
    expect(await homeTitle(page)).toBe('门店工作台');
    await page.locator('[data-testid=tile-member-close]').click();
    await page.locator('[data-testid=member-close]').waitFor();
    await phoneInput(page).fill('13957118499');
    await page.locator('[data-testid=mc-search]').click();
    const members = page.locator('[data-testid=mc-member]');
    await members.first().waitFor();
    expect(await members.count()).toBe(2);
    const text = await page.locator('[data-testid=member-close]').innerText();
    expect(text).toContain('柴**');
    expect(text).toContain('吕**');
    expect(text).not.toContain('柴建华');
    expect(await members.filter({ hasText: '柴**' }).locator('[data-testid=mc-holds]').innerText()).toBe(
      '门店会员卡 1 张，未注册小程序',
    );
    await settle(page);
    await env.shot(page, 'member-close-01-found');

    const chai = members.filter({ hasText: '柴**' });
    await chai.locator('[data-testid=mc-pick]').click();
    const submit = page.locator('[data-testid=mc-close]');
    expect(await submit.getAttribute('disabled')).not.toBe('false');
    await page.locator('[data-testid=mc-ack]').click();
    await settle(page);
    await env.shot(page, 'member-close-02-confirm');
    await submit.click();
    await page.locator('[data-testid=mc-done]').waitFor();
    expect(await page.locator('[data-testid=mc-done]').innerText()).toContain('已注销 柴**');
    await settle(page);
    await env.shot(page, 'member-close-03-done');

    const rows = await env.system.database.exec(
      `select source_id, name from source_records where source_id in ('8810000502') or name = '柴建华'`,
    );
    expect(rows).toEqual([{ source_id: '8810000502', name: '吕秀英' }]);

    // searching again lists only the one left
    await phoneInput(page).fill('13957118499');
    await page.locator('[data-testid=mc-search]').click();
    await page.locator('[data-testid=mc-member]').first().waitFor();
    expect(await page.locator('[data-testid=mc-member]').count()).toBe(1);

    // a phone no one in the store holds: said as the store's, which is what the manager looked in
    await phoneInput(page).fill('13957118597');
    await page.locator('[data-testid=mc-search]').click();
    await page.locator('[data-testid=mc-empty]').waitFor();
    expect(await page.locator('[data-testid=mc-empty]').innerText()).toContain('本店范围内没有用这个手机号的会员');
    await context.close();
  });

  it('HQ sees a mall account as 商城账号, and each role is told where it looked', async () => {
    const PHONE = '13957118533';
    await ingestRecords(
      env.system,
      [{ sourceId: '8810000531', name: '杨丽华', phone: PHONE, storeCode: 'HZ001', lastActive: '2026-11-02' }],
      'key_pos_hz001',
    );
    // one person's mall account and the WeCom contact of the same WeChat (one unionid: linked into one customer)
    await ingestRecords(
      env.system,
      [{ sourceId: 'mall_jzq_close', name: '金志强', phone: PHONE, unionid: 'oUN_jzq_close_e2e' }],
      'key_mall',
    );
    await ingestRecords(
      env.system,
      [
        {
          sourceId: 'wc_jzq_close',
          name: '金志强',
          phone: PHONE,
          unionid: 'oUN_jzq_close_e2e',
          wecomId: 'wc_jzq_close',
        },
      ],
      'key_wecom',
    );

    for (const [viewport, tag] of [
      [{ width: 390, height: 844 }, 'phone'],
      [{ width: 1366, height: 768 }, '1366'],
    ] as const) {
      const { page, context } = await env.newPage(viewport);
      await staffLogin(page, env.system.apiUrl, 'u_hq01');
      expect(await homeTitle(page)).toBe('总部工作台');
      await page.waitForFunction(() => document.title === '总部工作台');
      await page.locator('[data-testid=tile-member-close]').click();
      await phoneInput(page).fill(PHONE);
      await page.locator('[data-testid=mc-search]').click();
      const members = page.locator('[data-testid=mc-member]');
      await members.first().waitFor();
      expect(await members.count()).toBe(2);
      // the mall account says so (it used to read 「0 张门店会员卡，未注册小程序」)
      expect(await members.filter({ hasText: '金**' }).innerText()).toContain('商城账号、企业微信联系人，未注册小程序');
      const holds = (name: string) => members.filter({ hasText: name }).locator('[data-testid=mc-holds]').innerText();
      expect(await holds('金**')).toBe('商城账号、企业微信联系人，未注册小程序');
      expect(await holds('杨**')).toBe('门店会员卡 1 张，未注册小程序');
      const text = await page.locator('[data-testid=member-close]').innerText();
      expect(text).not.toContain('0 张门店会员卡');
      expect(text).not.toContain('金志强');
      expect(text).not.toContain('mall_jzq_close');
      await settle(page);
      await env.shot(page, `member-close-04-hq-mall-account-${tag}`);

      await phoneInput(page).fill('13957118598');
      await page.locator('[data-testid=mc-search]').click();
      await page.locator('[data-testid=mc-empty]').waitFor();
      expect(await page.locator('[data-testid=mc-empty]').innerText()).toBe(
        '全部门店和商城都没有用这个手机号的会员，或已经注销。',
      );
      await settle(page);
      await env.shot(page, `member-close-05-hq-empty-${tag}`);
      await context.close();
    }

    // a regional manager looks in the region's stores: the mall account is not among them, and the page says so
    const { page, context } = await env.newPage();
    await staffLogin(page, env.system.apiUrl, 'u_rm01');
    expect(await homeTitle(page)).toBe('区域工作台');
    await settle(page);
    await env.shot(page, 'member-close-06-regional-home');
    await page.locator('[data-testid=tile-member-close]').click();
    await phoneInput(page).fill('13957118598');
    await page.locator('[data-testid=mc-search]').click();
    await page.locator('[data-testid=mc-empty]').waitFor();
    const empty = await page.locator('[data-testid=mc-empty]').innerText();
    expect(empty).toContain('您负责的门店范围内没有用这个手机号的会员，或已经注销。');
    expect(empty).toContain('请联系总部办理');
    await settle(page);
    await env.shot(page, 'member-close-07-regional-empty');
    await context.close();
  });
});
