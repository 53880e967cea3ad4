/** What a member sees after a merge: the voided second new-member coupon with its reason, the transferred points. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPID } from '../../dev/system.js';
import { newId } from '../../functions/adapters/ids.js';
import { startBrowserSystem } from './support/browser.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

describe('a merged member in the browser', () => {
  it('shows the voided new-member coupon under 已失效 with why, and the merge in the points history', async () => {
    const db = env.system.database;
    const customerId = newId('cus');
    await db.exec(
      "insert into customers (id, display_name, home_store_id, registered_at) values ($1, '王芳', 'sto_001', now() - interval '30 days')",
      [customerId],
    );
    await db.exec(
      "insert into identities (id, customer_id, kind, value, verified, source, source_id) values ($1, $2, 'openid', $3, true, 'miniprogram', $3)",
      [newId('idn'), customerId, env.system.sim.openid(DEMO_APPID, 'u_lina')],
    );
    const [nm] = await db.exec("select id from coupon_templates where code = 'NEW_MEMBER'");
    const coupon = (id: string, voided: boolean) =>
      db.exec(
        `insert into coupons (id, template_id, customer_id, code, status, valid_from, valid_until, reason, issue_key,
           issued_at, voided_at, void_reason, voided_by_merge)
         values ($1, $2, $3, $4, $5, now() - interval '1 day', now() + interval '20 days', 'new_member', $1,
           now() - interval '1 day', $6::timestamptz, $7, $8)`,
        [
          id,
          nm.id,
          customerId,
          voided ? '1000000000000009' : '1000000000000017',
          voided ? 'voided' : 'available',
          voided ? new Date().toISOString() : null,
          voided ? '合并会员，新人券仅保留一张' : null,
          voided ? 'mrg_e2e' : null,
        ],
      );
    await coupon(newId('cpn'), false);
    await coupon(newId('cpn'), true);
    await db.exec(
      `insert into points_ledger (customer_id, kind, points, entry_key, earn_year, note, occurred_at)
       values ($1, 'transfer', 120, $2, 2026, '会员合并，积分从另一会员卡转入', now())`,
      [customerId, `merge:mrg_e2e:in:${customerId}`],
    );

    const { page, context } = await env.newPage();
    await page.goto(`${env.system.apiUrl}/#/pages/index/index`);
    await page.locator('[data-testid=sim-user-option][data-user-id=u_lina]').click();
    await page.locator('[data-testid=member-card]').waitFor();
    await page.locator('[data-testid=tile-coupons]').click();
    await page.locator('[data-testid=coupons-page]').waitFor();
    await page.locator('[data-testid=coupon-barcode]').first().waitFor();
    expect(await page.locator('[data-testid=coupons-page]').innerText()).toContain('可使用（1）');
    await page.locator('[data-testid=coupons-tab-expired]').click();
    await page.getByText('已作废：合并会员，新人券仅保留一张').waitFor();
    expect(await page.locator('[data-testid=coupons-page]').innerText()).toContain('已失效（1）');
    await env.shot(page, 'merge-loyalty-01-voided-coupon');

    await page.goto(`${env.system.apiUrl}/#/pages/index/index`);
    await page.locator('[data-testid=tile-points]').click();
    await page.locator('[data-testid=points-page]').waitFor();
    await page.waitForTimeout(600);
    const ledger = await page.locator('[data-testid=points-ledger]').innerText();
    expect(ledger).toContain('会员合并');
    expect(await page.locator('[data-testid=points-balance]').innerText()).toBe('120');
    await env.shot(page, 'merge-loyalty-02-points');
    await context.close();
  }, 180_000);
});
