/**
 * Taking back a sale whose points the member already spent, as a clerk and the member meet it in the H5 build: 孙磊 at
 * 北仑新碶店 records a 150-yuan sale (+150); the member pays 1 yuan with 100 of those points at 文三路店's till; later
 * the member returns the goods. The confirmation asks the server first and says the balance goes to −100 before
 * 孙磊 confirms (仍然撤销); the taking-back goes through; the member's points page shows −100 with what it means, and
 * the reversal naming the purchase.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_APPID } from '../../dev/system.js';
import { issueMemberCode } from '../../functions/app/members/member-code.js';
import { startBrowserSystem } from './support/browser.js';
import { fill, partnerCall, settle, staffLogin, text, tid } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

/** A member who signs up in the mini-program (the simulated WeChat user `userId`); their ids. */
async function signUp(userId: string, nickname: string, phone: string) {
  env.system.sim.addUser({ id: userId, nickname, phone });
  const { page, context } = await env.newPage();
  await page.goto(`${env.system.apiUrl}/#/pages/signup/index`);
  await tid(page, 'sim-user-option')
    .and(page.locator(`[data-user-id=${userId}]`))
    .click();
  await tid(page, 'phone-button').click();
  await tid(page, 'sim-phone-allow').click();
  await tid(page, 'consent-service').click();
  await tid(page, 'signup-submit').click();
  await tid(page, 'signup-welcome').waitFor();
  const [login] = await env.system.database.exec(
    "select id, customer_id from identities where kind = 'openid' and value = $1",
    [env.system.sim.openid(DEMO_APPID, userId)],
  );
  return { page, context, customerId: String(login.customer_id), identityId: String(login.id) };
}

const memberCode = async (m: { customerId: string; identityId: string }) =>
  (await issueMemberCode(env.system.database.db, { ...m, now: new Date() })).code;

describe('taking back a sale whose points the member already spent', () => {
  it('the clerk is told the balance goes to −100 before confirming; the member sees −100 and the reversal', async () => {
    const member = await signUp('u_debt', '退货会员', '15000007901');

    // 孙磊 at 北仑新碶店 (no till): 登记积分 for 150 yuan
    const { page, context } = await env.newPage();
    await staffLogin(page, env.system.apiUrl, 'u_ck03');
    await tid(page, 'tile-redeem').click();
    await tid(page, 'counter-today').waitFor();
    await fill(page, 'counter-code-input', await memberCode(member));
    await tid(page, 'counter-code-submit').click();
    await tid(page, 'counter-member').waitFor();
    await fill(page, 'counter-sale-amount', '150');
    await tid(page, 'counter-sale-submit').click();
    await tid(page, 'counter-sold').waitFor();
    expect(await text(page, 'counter-sold-text')).toBe('已登记消费 150.00 元，积分 +150，当前积分 150');
    // 撤销本次登记 at once would leave 0: said plainly, no warning
    await tid(page, 'counter-sold-undo').click();
    await expect.poll(() => text(page, 'counter-sold-undo-points')).toBe('会员当前积分 150，撤销后为 0。');
    expect(await tid(page, 'counter-sold-undo-points').getAttribute('data-short')).toBe('no');
    expect(await text(page, 'counter-sold-undo-ok')).toBe('确认撤销');
    await tid(page, 'counter-sold-undo-cancel').click();

    // the member pays 1 yuan with 100 of the points at 文三路店's till
    const spent = await partnerCall(
      env.system,
      '/api/pos/points/spend',
      {
        idempotencyKey: `e2e-debt-spend-${Date.now().toString(36)}`,
        memberCode: await memberCode(member),
        points: 100,
        orderAmountFen: 2_000,
        externalOrderId: `HZ001-DEBT-${Date.now().toString(36)}`,
      },
      'key_pos_hz001',
    );
    expect(spent.status).toBe(200);

    // later the member brings the goods back: 撤销 on the sale's row of 今日核销
    await tid(page, 'counter-next').click();
    const row = page.locator('[data-testid^=sale-ord_]', { hasText: '订单 150.00 元' });
    await row.locator('[data-testid=sale-void]').click();
    expect(await text(page, 'counter-void-confirm')).toContain('消费 150.00 元，积分 +150。撤销后扣回这笔积分');
    await expect.poll(() => tid(page, 'counter-void-points').getAttribute('data-short')).toBe('yes');
    const warning = await text(page, 'counter-void-points');
    expect(warning).toContain('会员积分不够扣回');
    expect(warning).toContain('会员已用掉这笔积分中的 100 分（当前积分 50，要扣回 150）');
    expect(warning).toContain('撤销后会员积分为 -100');
    expect(warning).toContain('积分为负时不能抵现');
    expect(await text(page, 'counter-void-ok')).toBe('仍然撤销');
    await settle(page);
    await env.shot(page, 'counter-void-01-points-spent-warning');

    // the refund goes through all the same
    await tid(page, 'counter-void-ok').click();
    await tid(page, 'counter-list-message').waitFor();
    expect(await text(page, 'counter-list-message')).toContain('扣回积分 150');
    await row.locator('[data-testid=sale-status]').waitFor();
    const [{ balance }] = await env.system.database.exec(
      'select sum(points)::int as balance from points_ledger where customer_id = $1',
      [member.customerId],
    );
    expect(balance).toBe(-100);
    await context.close();

    // the member's points page: −100, what it means, and the line that took the points back
    const points = member.page;
    await points.goto(`${env.system.apiUrl}/#/pages/points/index`);
    await tid(points, 'points-balance').waitFor();
    expect((await text(points, 'points-balance')).trim()).toBe('-100');
    expect(await text(points, 'points-debt')).toBe(
      '积分为负：订单退款扣回的积分中，有 100 分您已经用掉了。之后消费获得的积分会先补足这部分，补足前暂不能用积分抵现。',
    );
    expect(await tid(points, 'points-spendable').count()).toBe(0);
    const reversal = await tid(points, 'points-line').first().innerText();
    expect(reversal).toContain('退款扣回积分');
    expect(reversal).toContain('订单退款，扣回积分：北仑新碶店消费150元');
    expect(reversal).toContain('-150');
    await settle(points);
    await env.shot(points, 'counter-void-02-member-points-negative');
    await tid(points, 'points-ledger').scrollIntoViewIfNeeded();
    await settle(points);
    await env.shot(points, 'counter-void-03-member-points-reversal');
    await member.context.close();
  });
});
