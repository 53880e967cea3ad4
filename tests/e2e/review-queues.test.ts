/**
 * A store's review backlog as its manager meets it after a migration: more held cards than a page holds, counted in
 * full, paged on with 加载更多, and the card of the customer standing at the counter found by the phone they say.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, startBrowserSystem } from './support/browser.js';
import { customerOfRecord, ingestRecords, settle, staffFirstLogin, staffLogin } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

const CARDS = 23;
const phoneOf = (i: number) => `1395718${String(i).padStart(4, '0')}`;

describe('a store manager’s backlog of held cards', () => {
  it('counts them all, pages on, finds the customer’s card by phone and decides it', async () => {
    // 23 cards silent since 2021, each now with a mall account on its number: 23 held cards at 文三路店
    await ingestRecords(
      env.system,
      Array.from({ length: CARDS }, (_, i) => ({
        sourceId: `88190${String(i).padStart(5, '0')}`,
        name: `顾客${String(i).padStart(2, '0')}`,
        gender: '男',
        birthday: '1961-02-03',
        phone: phoneOf(i),
        storeCode: 'HZ001',
        lastActive: '2021-04-01',
      })),
      'key_pos_hz001',
    );
    await ingestRecords(
      env.system,
      Array.from({ length: CARDS }, (_, i) => ({ sourceId: `mall_b${i}`, name: `网友${i}`, phone: phoneOf(i) })),
      'key_mall',
    );

    const { page, context } = await env.newPage();
    await staffFirstLogin(page, env.system.apiUrl, 'u_sm01');
    await page.locator('[data-testid=tile-identity-suggestions]').click();
    const tab = page.locator('[data-testid=review-tab-holds]');
    await tab.waitFor();
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=review-tab-holds]')?.textContent?.includes(`（${n}）`),
      CARDS,
    );
    await tab.click();
    const cards = page.locator('[data-testid^=hold-hld]');
    await expect.poll(() => cards.count()).toBe(20);
    expect(await page.locator('[data-testid=review-shown]').innerText()).toBe(`已显示 20 条，共 ${CARDS} 条`);
    const more = page.locator('[data-testid=review-more]');
    await more.scrollIntoViewIfNeeded();
    await settle(page);
    await page.locator('.idr-more').screenshot({ path: join(SCREENSHOTS, 'review-01-backlog-more.png') });
    await more.click();
    await expect.poll(() => cards.count()).toBe(CARDS);
    expect(await more.count()).toBe(0);
    const names = (await cards.allInnerTexts()).map((t) => /顾客\d\d/.exec(t)?.[0]);
    expect(new Set(names).size).toBe(CARDS);

    // 顾客07 is at the counter and says their number; a digit short first
    const input = page.locator('[data-testid=review-phone] input, input[data-testid=review-phone]').first();
    await input.fill('1395718000');
    await page.locator('[data-testid=review-search]').click();
    await expect.poll(() => page.locator('.ml-phone-search__hint').innerText()).toBe('请输入 11 位手机号');
    await input.fill('13957180007');
    await page.locator('[data-testid=review-search]').click();
    await page.locator('[data-testid=review-filter]').waitFor();
    expect(await page.locator('[data-testid=review-filter]').innerText()).toContain('手机号 139****0007 相关的记录');
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=review-tab-holds]')?.textContent?.includes('（1）'),
    );
    await expect.poll(() => cards.count()).toBe(1);
    expect(await cards.innerText()).toContain('顾客07');
    expect(await cards.innerText()).toContain('网友7');
    await settle(page);
    await env.shot(page, 'review-02-by-phone');

    // the customer confirms the mall account is theirs
    await cards.locator('[data-testid=hold-confirm]').click();
    await page.locator('[data-testid=merge-ok]').click();
    await page.locator('[data-testid=holds-empty]').waitFor();
    expect(await page.locator('[data-testid=holds-empty]').innerText()).toContain('这个手机号没有待核实的会员卡');
    expect(await customerOfRecord(env.system, 'pos', '8819000007')).toBe(
      await customerOfRecord(env.system, 'mall', 'mall_b7'),
    );
    await settle(page);
    await env.shot(page, 'review-03-decided');

    // back to the whole queue: one fewer
    await page.locator('[data-testid=review-clear]').click();
    await page.waitForFunction(
      (n) => document.querySelector('[data-testid=review-tab-holds]')?.textContent?.includes(`（${n}）`),
      CARDS - 1,
    );
    await context.close();
  });
});

describe('one decision that settles two cards', () => {
  it('takes both off the page: the other card of the same person, merged with the first', async () => {
    // 冯国庆's two cards at 文三路店, silent since 2021, and a mall account with a nickname on his number: two holds
    const PHONE = '13957189031';
    await ingestRecords(
      env.system,
      ['8819100301', '8819100302'].map((sourceId) => ({
        sourceId,
        name: '冯国庆',
        gender: '男',
        birthday: '1958-10-01',
        phone: PHONE,
        storeCode: 'HZ001',
        lastActive: '2021-04-01',
      })),
      'key_pos_hz001',
    );
    await ingestRecords(env.system, [{ sourceId: 'mall_yyy', name: '悠悠云', phone: PHONE }], 'key_mall');

    const { page, context } = await env.newPage();
    await staffLogin(page, env.system.apiUrl, 'u_sm01');
    await page.locator('[data-testid=tile-identity-suggestions]').click();
    await page.locator('[data-testid=review-tab-holds]').waitFor();
    await page.locator('[data-testid=review-phone] input, input[data-testid=review-phone]').first().fill(PHONE);
    await page.locator('[data-testid=review-search]').click();
    await page.locator('[data-testid=review-tab-holds]').click();
    const cards = page.locator('[data-testid^=hold-hld]');
    await expect.poll(() => cards.count()).toBe(2);

    await cards.first().locator('[data-testid=hold-confirm]').click();
    await page.locator('[data-testid=merge-ok]').click();
    // both cards were his, and both are the mall account's member now: nothing is left to decide
    await page.locator('[data-testid=holds-empty]').waitFor();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid=review-tab-holds]')?.textContent?.includes('（0）'),
    );
    expect(await customerOfRecord(env.system, 'pos', '8819100301')).toBe(
      await customerOfRecord(env.system, 'mall', 'mall_yyy'),
    );
    expect(await customerOfRecord(env.system, 'pos', '8819100302')).toBe(
      await customerOfRecord(env.system, 'mall', 'mall_yyy'),
    );
    await settle(page);
    await env.shot(page, 'review-04-two-cards-settled');
    await context.close();
  });
});
