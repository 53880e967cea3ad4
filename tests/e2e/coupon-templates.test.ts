import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../functions/adapters/ids.js';
import { issueCoupon } from '../../functions/app/coupons/issue-coupon.js';
import { businessDate, startOfBusinessDay } from '../../shared/coupons/business-day.js';
import { createMember } from '../integration/loyalty/loyalty-fixtures.js';
import { startBrowserSystem } from './support/browser.js';
import { fill, settle, staffFirstLogin, staffLogin } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

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

  it('a store manager makes a fixed-date template for some categories and Rx, and a retried tap after a lost answer issues it once', async () => {
    const db = env.system.database;
    const today = businessDate(new Date());
    const tomorrow = businessDate(startOfBusinessDay(new Date(), 1));
    const nextMonth = businessDate(startOfBusinessDay(new Date(), 30));
    const member = await createMember(db, { phone: '13712340001', homeStoreId: 'sto_001' });
    const { page, context } = await env.newPage({ width: 375, height: 812 });
    await staffLogin(page, env.system.apiUrl, 'u_sm01');
    await page.locator('[data-testid=tile-coupons]').click();
    await page.locator('[data-testid=staff-coupons]').waitFor();
    await page.locator('[data-testid=staff-tab-templates]').click();
    await page.locator('[data-testid=template-form]').waitFor();

    await fill(page, 'tpl-code', 'HZ001_E2E_FIXED');
    await fill(page, 'tpl-name', '控糖月满100减10');
    await fill(page, 'tpl-off', '10');
    await fill(page, 'tpl-threshold', '100');
    await page.locator('[data-testid=tpl-validity-fixed]').click();
    // 30 February is said next to the form, nothing is sent
    await fill(page, 'tpl-from', '2026-02-30');
    await fill(page, 'tpl-until', nextMonth);
    await page.locator('[data-testid=tpl-submit]').click();
    expect(await page.locator('[data-testid=tpl-error]').innerText()).toContain(
      '开始日期请按 2026-12-31 的格式填写真实的日期',
    );
    await fill(page, 'tpl-from', tomorrow);
    await page.locator('[data-testid=tpl-categories-降糖]').click();
    await page.locator('[data-testid=tpl-rx]').click();
    await page.locator('[data-testid=tpl-categories]').scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'coupon-templates-06-create-fixed');
    await page.locator('[data-testid=tpl-submit]').click();
    const row = page.locator('[data-testid=template-HZ001_E2E_FIXED]');
    await row.waitFor();
    expect(await row.innerText()).toContain(`${tomorrow} 起可用`);
    const [made] = await db.exec(
      "select categories, include_rx, store_ids, validity_kind from coupon_templates where code = 'HZ001_E2E_FIXED'",
    );
    expect(made).toEqual({ categories: ['降糖'], include_rx: true, store_ids: ['sto_001'], validity_kind: 'fixed' });
    expect(today < tomorrow).toBe(true);
    await page.waitForTimeout(1600); // the 已创建 toast fades after 1.5 s

    // the picker offers only what a store manager may hand out: not the birthday coupon, not HQ's chain-wide ones
    await page.locator('[data-testid=staff-tab-issue]').click();
    await fill(page, 'issue-phone', member.phone);
    await page.locator('[data-testid=issue-find]').click();
    await page.locator('[data-testid=issue-member]').waitFor();
    const picker = page.locator('[data-testid=issue-picker]');
    await picker.locator('[data-testid=template-HZ001_E2E_FIXED]').waitFor();
    for (const code of ['BIRTHDAY_GOLD', 'NEW_MEMBER', 'FULL_100_15']) {
      expect(await picker.locator(`[data-testid=template-${code}]`).count()).toBe(0);
    }
    await picker.locator('[data-testid=template-HZ001_E2E_FIXED]').click();

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
    await page.locator('[data-testid=issue-submit]').click();
    await page.locator('[data-testid=issue-result]').getByText('没有收到发放结果').waitFor();
    await page.locator('[data-testid=issue-result]').scrollIntoViewIfNeeded();
    await env.shot(page, 'coupon-templates-07-issue-lost-answer');
    await page.locator('[data-testid=issue-submit]').click();
    await page.locator('[data-testid=issue-result]').getByText('没有重复发放').waitFor();
    expect(await page.locator('[data-testid=issue-result]').innerText()).toContain(`${tomorrow} 起可用`);
    await page.locator('[data-testid=issue-result]').scrollIntoViewIfNeeded();
    await env.shot(page, 'coupon-templates-08-issue-retried');
    await page.unroute('**/api/staff/coupons/issue');
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    const coupons = await db.exec(
      `select count(*)::int as n from coupons c join coupon_templates t on t.id = c.template_id
        where t.code = 'HZ001_E2E_FIXED' and c.customer_id = $1`,
      [member.customerId],
    );
    expect(coupons).toEqual([{ n: 1 }]);
    await context.close();
  }, 180_000);

  it('a regional manager creates a template for a store of his region; a template past its end shows 已结束', async () => {
    const db = env.system.database;
    // a template of sto_002 that ended yesterday (made before: a new one can no longer be made already over)
    const yesterday = startOfBusinessDay(new Date(), 0);
    await db.exec(
      `insert into coupon_templates (id, code, name, kind, amount_off_fen, threshold_fen, validity_kind, valid_from,
         valid_until, owner_store_id)
       values ($1, 'GD002_E2E_OVER', '古荡店国庆券', 'amount_off', 500, 5000, 'fixed', $2, $3, 'sto_002')`,
      [newId('ctp'), new Date(yesterday.getTime() - 10 * 86_400_000), yesterday],
    );
    const { page, context } = await env.newPage({ width: 375, height: 812 });
    await staffLogin(page, env.system.apiUrl, 'u_rm01');
    await page.locator('[data-testid=tile-coupons]').click();
    await page.locator('[data-testid=staff-coupons]').waitFor();
    await page.locator('[data-testid=staff-tab-templates]').click();
    await page.locator('[data-testid=template-form]').waitFor();
    const over = page.locator('[data-testid=template-GD002_E2E_OVER]');
    await over.waitFor();
    expect(await over.locator('[data-testid=template-status]').innerText()).toBe('已结束');

    await page.locator('[data-testid=tpl-owner-sto_002]').click();
    expect(await page.locator('[data-testid=tpl-scope]').innerText()).toContain('古荡店专用');
    await fill(page, 'tpl-code', 'GD002_E2E_88');
    await fill(page, 'tpl-name', '古荡店会员88折');
    await page.locator('[data-testid=tpl-kind-percent]').click();
    await fill(page, 'tpl-off', '8.8');
    await fill(page, 'tpl-cap', '30');
    await settle(page);
    await env.shot(page, 'coupon-templates-09-regional-create');
    await page.locator('[data-testid=tpl-submit]').click();
    await page.locator('[data-testid=template-GD002_E2E_88]').waitFor();
    const [made] = await db.exec(
      "select owner_store_id, percent_off, max_discount_fen from coupon_templates where code = 'GD002_E2E_88'",
    );
    expect(made).toEqual({ owner_store_id: 'sto_002', percent_off: 12, max_discount_fen: 3000 });
    await page.waitForTimeout(1600);
    await over.click();
    expect(await page.locator('[data-testid=template-state-note]').innerText()).toContain('有效期已过');
    await page.locator('[data-testid=template-detail]').scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'coupon-templates-10-past-end');
    await context.close();
  }, 180_000);
});
