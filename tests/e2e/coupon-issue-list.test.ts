/**
 * 批量发券 in the browser: 刘洋 (store manager of 文三路店) pastes phones as they come from Excel and WeChat, checks
 * the list (his members masked, the bad lines named, duplicates collapsed), picks his store's template and issues to
 * all of them; a retried tap after a lost answer issues nothing twice. Both lookups find members only (a phone of
 * store cards alone is not found, and the page says who can be), shown by the masked name on their card.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../functions/adapters/ids.js';
import { issueCoupon } from '../../functions/app/coupons/issue-coupon.js';
import { startBrowserSystem } from './support/browser.js';
import { settle, staffFirstLogin, staffLogin } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

/** Taro's H5 <Textarea> puts the real <textarea> inside its own element. */
const paste = (page: Page, testId: string, value: string) =>
  page.locator(`[data-testid=${testId}] textarea, textarea[data-testid=${testId}]`).first().fill(value);

/** A member of a store with a verified phone, as sign-up leaves one. */
async function member(name: string, phone: string, storeId = 'sto_001'): Promise<string> {
  const db = env.system.database;
  const customerId = newId('cus');
  await db.exec('insert into customers (id, display_name, home_store_id, registered_at) values ($1, $2, $3, now())', [
    customerId,
    name,
    storeId,
  ]);
  await db.exec(
    `insert into identities (id, customer_id, kind, value, verified, source, source_id)
     values ($1, $2, 'phone', $3, true, 'miniprogram', $4)`,
    [newId('idn'), customerId, phone, `phone:${phone}`],
  );
  return customerId;
}

/** A record of the chain's on a customer (a store card, a WeChat login) with its name and phone identity. */
async function record(customerId: string, source: 'pos' | 'miniprogram', name: string | null, phone: string) {
  const db = env.system.database;
  const id = newId('rec');
  await db.exec(
    `insert into source_records (id, source, source_id, customer_id, origin_customer_id, store_id, name, name_kind,
       phone, phone_verified, payload, payload_hash)
     values ($1, $2, $1, $3, $3, 'sto_001', $4, $5, $6, $7, '{}'::jsonb, $1)`,
    [id, source, customerId, name, source === 'pos' ? 'real' : 'unknown', phone, source === 'miniprogram'],
  );
  await db.exec(
    `insert into identities (id, customer_id, kind, value, verified, source, source_id)
     values ($1, $2, 'phone', $3, $4, $5, $6)`,
    [newId('idn'), customerId, phone, source === 'miniprogram', source, id],
  );
}

/** Taro's button always carries the attribute (disabled="false" when enabled): read the property. */
const isOff = (page: Page, testId: string) =>
  page.locator(`[data-testid=${testId}]`).evaluate((el) => Boolean((el as HTMLButtonElement).disabled));

const TEMPLATE = 'HZ001_200_20';

describe('issuing a coupon to a pasted list', () => {
  it('刘洋 pastes three phones (two of his members in mixed formats, one invalid), checks the list and issues', async () => {
    const db = env.system.database;
    const wang = await member('王建国', '13712340011');
    const chen = await member('陈秀英', '13712340012');

    const { page, context } = await env.newPage({ width: 375, height: 812 });
    await staffFirstLogin(page, env.system.apiUrl, 'u_sm01');
    await page.locator('[data-testid=tile-coupons]').click();
    await page.locator('[data-testid=staff-coupons]').waitFor();
    await page.locator('[data-testid=issue-mode-list]').click();
    const panel = page.locator('[data-testid=issue-list]');
    await panel.waitFor();
    // nothing pasted: nothing to check
    expect(await isOff(page, 'issue-list-resolve')).toBe(true);

    // +86 with spaces from a WeChat message, full-width digits with dashes from an IME, a number one digit short
    await paste(page, 'issue-list-text', '+86 137 1234 0011\n１３７-１２３４-００１２，1371234001');
    expect(await panel.locator('[data-testid=issue-list-count]').innerText()).toBe('共 3 个号码（一次最多 500 个）');
    await settle(page);
    await env.shot(page, 'coupon-issue-list-01-pasted');

    await panel.locator('[data-testid=issue-list-resolve]').click();
    const preview = panel.locator('[data-testid=issue-list-preview]');
    await preview.waitFor();
    expect(await preview.locator('[data-testid=issue-list-found]').innerText()).toBe('2 位会员可发放');
    expect(await preview.locator('[data-testid=issue-list-names]').innerText()).toBe(
      '王** 137****0011、陈** 137****0012',
    );
    const problems = await preview.locator('[data-testid=issue-list-problems]').innerText();
    expect(problems).toContain('1 行无效或未找到，不会发放');
    expect(problems).toContain('第 2 行「1371234001」：不是有效的手机号');
    await settle(page);
    await env.shot(page, 'coupon-issue-list-02-preview');

    // the picker offers only what a store manager may hand out: not the birthday coupon, not HQ's chain-wide ones
    const picker = panel.locator('[data-testid=issue-picker]');
    await picker.locator(`[data-testid=template-${TEMPLATE}]`).waitFor();
    for (const code of ['BIRTHDAY_GOLD', 'NEW_MEMBER', 'FULL_100_15']) {
      expect(await picker.locator(`[data-testid=template-${code}]`).count()).toBe(0);
    }
    const submit = panel.locator('[data-testid=issue-list-submit]');
    expect(await submit.innerText()).toBe('发放给 2 位会员');
    expect(await isOff(page, 'issue-list-submit')).toBe(true);
    await picker.locator(`[data-testid=template-${TEMPLATE}]`).click();
    expect(await isOff(page, 'issue-list-submit')).toBe(false);
    await submit.scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'coupon-issue-list-03-template');

    const keys: string[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/staff/coupons/issue')) keys.push(JSON.parse(r.postData() ?? '{}').batchKey);
    });
    await submit.click();
    const result = panel.locator('[data-testid=issue-list-result]');
    await result.getByText('已发放 2 张').waitFor();
    expect(await result.locator('[data-testid=issue-list-refused]').count()).toBe(0);
    // the list is served: one more tap on the same button does not issue it again
    expect(await submit.innerText()).toBe('已发放，结果见下方');
    expect(await isOff(page, 'issue-list-submit')).toBe(true);
    await result.scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'coupon-issue-list-04-result');

    expect(keys).toHaveLength(1);
    const issued = await db.exec(
      `select c.customer_id, c.issue_key from coupons c join coupon_templates t on t.id = c.template_id
        where t.code = $1 order by c.customer_id`,
      [TEMPLATE],
    );
    expect(issued.map((r) => r.customer_id).sort()).toEqual([wang, chen].sort());
    expect(issued.every((r) => String(r.issue_key).startsWith(`${keys[0]}:`))).toBe(true);
    await context.close();
  }, 180_000);

  it('names who is not found, collapses duplicates, says who was refused, and a lost answer issues nothing twice', async () => {
    const db = env.system.database;
    const full = await member('林美华', '13712340021');
    const sun = await member('孙建军', '13712340022');
    await member('宁波会员', '13712340023', 'sto_017'); // a Ningbo store's member: not his
    // 林美华 holds the template's two per member already
    for (const n of [1, 2]) {
      const held = await issueCoupon(db.db, {
        customerId: full,
        templateCode: TEMPLATE,
        reason: 'manual',
        idempotencyKey: `e2e:${full}:${n}`,
        now: new Date(),
      });
      expect(held.ok).toBe(true);
    }

    const { page, context } = await env.newPage({ width: 375, height: 812 });
    await staffLogin(page, env.system.apiUrl, 'u_sm01');
    await page.locator('[data-testid=tile-coupons]').click();
    await page.locator('[data-testid=staff-coupons]').waitFor();
    await page.locator('[data-testid=issue-mode-list]').click();
    const panel = page.locator('[data-testid=issue-list]');
    await paste(
      page,
      'issue-list-text',
      ['林美华 13712340021', '137 1234 0022', '13712340023', '13712340029', '137-1234-0022', '张三'].join('\n'),
    );
    await panel.locator('[data-testid=issue-list-resolve]').click();
    const preview = panel.locator('[data-testid=issue-list-preview]');
    await preview.waitFor();
    expect(await preview.locator('[data-testid=issue-list-found]').innerText()).toBe('2 位会员可发放');
    const problems = await preview.locator('[data-testid=issue-list-problems]').innerText();
    expect(problems).toContain('3 行无效或未找到，不会发放');
    // a Ningbo store's member and a phone of no one read alike
    expect(problems).toContain('第 3 行「13712340023」：找不到这位会员');
    expect(problems).toContain('第 4 行「13712340029」：找不到这位会员');
    expect(problems).toContain('第 6 行「张三」：不是有效的手机号');
    expect(problems).toContain('只能给已在小程序注册的会员发券，且须是您负责门店的会员');
    expect(await preview.locator('[data-testid=issue-list-duplicates]').innerText()).toContain(
      '重复的 1 个号码已合并，每位会员只发一次：第 5 行与第 2 行重复',
    );
    await preview.scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'coupon-issue-list-05-not-found');

    await panel.locator(`[data-testid=issue-picker] [data-testid=template-${TEMPLATE}]`).click();
    // the first answer is lost on the way back (a 502 from the gateway); the server did issue
    const keys: string[] = [];
    let lose = true;
    await page.route('**/api/staff/coupons/issue', async (route) => {
      keys.push(JSON.parse(route.request().postData() ?? '{}').batchKey);
      const answer = await route.fetch();
      if (lose) {
        lose = false;
        await route.fulfill({ status: 502, contentType: 'text/plain', body: 'Bad Gateway' });
      } else await route.fulfill({ response: answer });
    });
    const submit = panel.locator('[data-testid=issue-list-submit]');
    await submit.click();
    const result = panel.locator('[data-testid=issue-list-result]');
    await result.getByText('没有收到发放结果').waitFor();
    expect(await result.innerText()).toContain('请再点一次「发放给 2 位会员」确认，不会重复发放');
    await submit.click();
    await result.getByText('已发过（未重复发放）1 位').waitFor();
    const text = await result.innerText();
    expect(text).not.toContain('已发放 0 张');
    expect(await result.locator('[data-testid=issue-list-refused]').innerText()).toContain(
      '未能发放 1 位\n该会员已达领取上限（1 位）：林** 137****0021',
    );
    await result.scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'coupon-issue-list-06-retried-refused');
    await page.unroute('**/api/staff/coupons/issue');
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    const coupons = await db.exec(
      `select c.customer_id from coupons c join coupon_templates t on t.id = c.template_id
        where t.code = $1 and c.customer_id = any($2::text[])`,
      [TEMPLATE, [full, sun]],
    );
    expect(coupons.filter((c) => c.customer_id === sun)).toHaveLength(1);
    expect(coupons.filter((c) => c.customer_id === full)).toHaveLength(2);
    await context.close();
  }, 180_000);

  it('finds members only: a phone of store cards alone is not found, a member shows the name on her card', async () => {
    const db = env.system.database;
    // a family phone on two of the store's cards, nobody signed up with it
    for (const name of ['杨宇', '王雨桐']) {
      const card = newId('cus');
      await db.exec(`insert into customers (id, home_store_id) values ($1, 'sto_001')`, [card]);
      await record(card, 'pos', name, '13712340031');
    }
    // a member who signed up with no WeChat name and confirmed her card, 王海涛's
    const wang = newId('cus');
    await db.exec(`insert into customers (id, home_store_id, registered_at) values ($1, 'sto_001', now())`, [wang]);
    await record(wang, 'miniprogram', null, '13712340032');
    await record(wang, 'pos', '王海涛', '13712340032');

    const { page, context } = await env.newPage({ width: 375, height: 812 });
    await staffLogin(page, env.system.apiUrl, 'u_sm01');
    await page.locator('[data-testid=tile-coupons]').click();
    await page.locator('[data-testid=staff-coupons]').waitFor();
    await page.locator('[data-testid=issue-phone] input, input[data-testid=issue-phone]').first().fill('13712340031');
    await page.locator('[data-testid=issue-find]').click();
    const result = page.locator('[data-testid=issue-result]');
    await result.waitFor();
    expect(await result.innerText()).toBe(
      '找不到这位会员：只能给已在小程序注册的会员发券，且须是您负责门店的会员（所属门店，或在这些门店消费过）',
    );
    await settle(page);
    await env.shot(page, 'coupon-issue-list-07-one-cards-only');

    await page.locator('[data-testid=issue-phone] input, input[data-testid=issue-phone]').first().fill('13712340032');
    await page.locator('[data-testid=issue-find]').click();
    const found = page.locator('[data-testid=issue-member]');
    await found.waitFor();
    expect(await found.innerText()).toContain('会员：王**　137****0032');
    await settle(page);
    await env.shot(page, 'coupon-issue-list-08-one-card-name');

    await page.locator('[data-testid=issue-mode-list]').click();
    const panel = page.locator('[data-testid=issue-list]');
    await paste(page, 'issue-list-text', '13712340031\n13712340032');
    await panel.locator('[data-testid=issue-list-resolve]').click();
    const preview = panel.locator('[data-testid=issue-list-preview]');
    await preview.waitFor();
    expect(await preview.locator('[data-testid=issue-list-found]').innerText()).toBe('1 位会员可发放');
    expect(await preview.locator('[data-testid=issue-list-names]').innerText()).toBe('王** 137****0032');
    expect(await preview.locator('[data-testid=issue-list-problems]').innerText()).toContain(
      '第 1 行「13712340031」：找不到这位会员',
    );
    await preview.scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'coupon-issue-list-09-list-cards-only');
    await context.close();
  }, 180_000);
});
