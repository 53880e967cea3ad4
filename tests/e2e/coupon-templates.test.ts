import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../functions/adapters/ids.js';
import { issueCoupon } from '../../functions/app/coupons/issue-coupon.js';
import { startBrowserSystem } from './support/browser.js';
import { settle, staffFirstLogin } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

/** Taro's H5 <Input> puts the real <input> inside its own element. */
const fill = (page: Page, testId: string, value: string) =>
  page.locator(`[data-testid=${testId}] input, input[data-testid=${testId}]`).first().fill(value);

const TEMPLATE = 'HZ001_200_20';

describe('coupon templates in the browser', () => {
  it('a store manager pauses a template (issued coupons stay valid) and edits its stock', async () => {
    const db = env.system.database;
    // a member already holds one: the discount rule is frozen, the coupon keeps working after the pause
    const customerId = newId('cus');
    await db.exec(
      "insert into customers (id, display_name, home_store_id, registered_at) values ($1, '王建国', 'sto_001', now())",
      [customerId],
    );
    const held = await issueCoupon(db.db, {
      customerId,
      templateCode: TEMPLATE,
      reason: 'manual',
      idempotencyKey: `e2e:${customerId}:${TEMPLATE}`,
      now: new Date(),
    });
    expect(held.ok).toBe(true);

    const { page, context } = await env.newPage();
    await staffFirstLogin(page, env.system.apiUrl, 'u_sm01');
    await page.locator('[data-testid=tile-coupons]').click();
    await page.locator('[data-testid=staff-coupons]').waitFor();
    await page.locator('[data-testid=staff-tab-templates]').click();
    const row = page.locator(`[data-testid=template-${TEMPLATE}]`);
    await row.waitFor();
    expect(await row.locator('[data-testid=template-status]').innerText()).toBe('发放中');

    await row.click();
    const detail = page.locator('[data-testid=template-detail]');
    await detail.waitFor();
    expect(await detail.locator('[data-testid=template-counts]').innerText()).toContain('已发 1 张 / 共 500 张');
    await detail.scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'coupon-templates-01-detail');

    // 暂停发放, after a confirmation in plain words
    await page.locator('[data-testid=template-pause]').click();
    const confirm = page.locator('[data-testid=template-confirm-text]');
    await confirm.waitFor();
    const words = await confirm.innerText();
    expect(words).toContain('暂停后不再发放');
    expect(words).toContain('已发出的 1 张券不受影响');
    await settle(page);
    await env.shot(page, 'coupon-templates-02-pause-confirm');
    await page.locator('.nut-dialog-footer-ok').click();
    await page
      .locator(`[data-testid=template-${TEMPLATE}] [data-testid=template-status]`)
      .getByText('已暂停')
      .waitFor();
    expect(await page.locator('[data-testid=template-state-note]').innerText()).toContain(
      '已发出的券仍然有效，会员可照常使用',
    );
    await page.locator('[data-testid=template-resume]').waitFor();
    await page.waitForTimeout(1600); // the toast fades after 1.5 s
    await env.shot(page, 'coupon-templates-03-paused');
    const [paused] = await db.exec('select status from coupon_templates where code = $1', [TEMPLATE]);
    expect(paused.status).toBe('paused');

    // edit the stock: a wrong value is said next to its field, nothing is sent
    await page.locator('[data-testid=template-edit]').click();
    await page.locator('[data-testid=template-edit-form]').waitFor();
    expect(await page.locator('[data-testid=edit-rules-frozen]').innerText()).toContain('已有会员领到这张券');
    await fill(page, 'edit-stock', '0');
    await fill(page, 'edit-limit', '2000');
    await page.locator('[data-testid=edit-save]').click();
    expect(await page.locator('[data-testid=edit-stock-error]').innerText()).toContain('发放总量请填写正整数');
    expect(await page.locator('[data-testid=edit-limit-error]').innerText()).toContain('1 到 1000');
    await page.locator('[data-testid=edit-stock-error]').scrollIntoViewIfNeeded();
    await env.shot(page, 'coupon-templates-04-edit-invalid');
    const [unchanged] = await db.exec('select total_stock, per_member_limit from coupon_templates where code = $1', [
      TEMPLATE,
    ]);
    expect(unchanged).toEqual({ total_stock: 500, per_member_limit: 2 });

    await fill(page, 'edit-stock', '300');
    await fill(page, 'edit-limit', '1');
    await page.locator('[data-testid=edit-save]').click();
    await page.locator('[data-testid=template-edit-form]').waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid=template-counts]').innerText()).toContain(
      '已发 1 张 / 共 300 张 · 每人限领 1 张',
    );
    expect(await row.innerText()).toContain('共 300 张');
    await page.waitForTimeout(1600);
    await page.locator('[data-testid=template-detail]').scrollIntoViewIfNeeded();
    await env.shot(page, 'coupon-templates-05-stock-saved');
    const [saved] = await db.exec(
      'select total_stock, per_member_limit, status from coupon_templates where code = $1',
      [TEMPLATE],
    );
    expect(saved).toEqual({ total_stock: 300, per_member_limit: 1, status: 'paused' });
    const audit = await db.exec(
      "select action from audit_log where actor_id = 'stf_sm01' and details->>'templateCode' = $1 order by id",
      [TEMPLATE],
    );
    expect(audit.map((a) => a.action)).toEqual(['coupon.template_status', 'coupon.template_update']);
    await context.close();
  }, 180_000);
});
