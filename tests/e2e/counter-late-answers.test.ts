/**
 * 扫码核销 when answers are slow or lost, as QA walked it with playwright's page.route: a redemption (or a sale for
 * points) still under way keeps the clerk on its member (换一位 is disabled until the answer is in), and the answer
 * shows on that member's result, which names them; where the store records the sale, 核销下一位 waits for the sale's
 * points. A redemption whose answer was lost after the server made it, then tried again with a corrected amount, is
 * found in 今日核销 and said in words: the clerk voids it there (or from the note) and redeems again, or keeps it;
 * nothing is re-sent with the old amount unasked. A sale for points (登记积分) whose answer was lost, then sent with
 * another amount, goes under the same key: the first, if recorded, is said and not doubled (taken back then redone,
 * or kept); if it never arrived, the new amount is recorded once, and the first arriving late records nothing. A
 * member who never gave a name is shown by the masked phone, and points are written 1,234 as on the member's home.
 */
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../functions/adapters/ids.js';
import { issueCoupon } from '../../functions/app/coupons/issue-coupon.js';
import { issueMemberCode } from '../../functions/app/members/member-code.js';
import { earnYearOf } from '../../shared/points/points.rules.js';
import { startBrowserSystem } from './support/browser.js';
import { fill, settle, staffLogin, text, tid } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

/** A member registered at `storeId` with a verified phone; `name` null: signed up in the mini-program, no name. */
async function seedMember(m: { name: string | null; storeId: string; phone: string; points?: number }) {
  const db = env.system.database;
  const customerId = newId('cus');
  const identityId = newId('idn');
  await db.exec(
    "insert into customers (id, display_name, home_store_id, registered_at) values ($1, $2, $3, now() - interval '120 days')",
    [customerId, m.name, m.storeId],
  );
  await db.exec(
    "insert into identities (id, customer_id, kind, value, verified, source, source_id) values ($1, $2, 'openid', $3, true, 'miniprogram', $3), ($4, $2, 'phone', $5, true, 'miniprogram', $3)",
    [identityId, customerId, `e2e-openid-${customerId}`, newId('idn'), m.phone],
  );
  if (m.points) {
    await db.exec(
      `insert into points_ledger (customer_id, kind, points, entry_key, earn_year, note, occurred_at)
       values ($1, 'earn', $2, $3, $4, '门店消费积分', now())`,
      [customerId, m.points, `earn:e2e-history:${customerId}`, earnYearOf(new Date())],
    );
  }
  return { customerId, identityId };
}

async function issue(customerId: string, templateCode: string) {
  const issued = await issueCoupon(env.system.database.db, {
    customerId,
    templateCode,
    reason: 'manual',
    idempotencyKey: `e2e-late:${customerId}:${templateCode}`,
    now: new Date(),
  });
  if (!issued.ok) throw new Error(`fixture coupon ${templateCode} not issued: ${issued.code}`);
  return issued.value;
}

/** A clerk on the counter page, opened from the home tile. */
async function openCounter(simUserId: string) {
  const { page, context } = await env.newPage();
  await staffLogin(page, env.system.apiUrl, simUserId);
  await tid(page, 'tile-redeem').click();
  await tid(page, 'counter-scan').waitFor();
  await tid(page, 'counter-today').waitFor();
  return { page, context };
}

/** The member shows a fresh member code; the clerk types it. */
async function scanMember(page: Page, member: { customerId: string; identityId: string }) {
  const { code } = await issueMemberCode(env.system.database.db, { ...member, now: new Date() });
  await fill(page, 'counter-code-input', code);
  await tid(page, 'counter-code-submit').click();
  await tid(page, 'counter-member').waitFor();
}

/** A request's body as the page sent it: its retry key and the amount, what a lost answer is retried by. */
interface Sent {
  idempotencyKey: string;
  orderAmountFen: number;
}

/** A request that never reached the server, kept as the page sent it, to arrive late (deliverLate). */
interface Dropped {
  url: string;
  authorization: string;
  body: string;
}

/**
 * Holds back the answers of the counter's `path` (`/api/staff/counter/<path>`) as a slow or dropping connection
 * does: the first `drop` requests never reach the server (the connection fails on the way there; `dropped` keeps
 * them); the others reach it at once and are made there, the first `lose` of their answers never come back (the
 * connection is reset), and the rest come `delayMs` late. `bodies` gets each request's body, in order; `release()`
 * lets answers through untouched again.
 */
async function holdAnswers(
  page: Page,
  path: 'redeem' | 'sale',
  how: { delayMs?: number; lose?: number; drop?: number },
): Promise<{ bodies: Sent[]; dropped: Dropped[]; release: () => Promise<void> }> {
  const url = `**/api/staff/counter/${path}`;
  const bodies: Sent[] = [];
  const dropped: Dropped[] = [];
  let toDrop = how.drop ?? 0;
  let toLose = how.lose ?? 0;
  await page.route(url, async (route: Route) => {
    const request = route.request();
    bodies.push(JSON.parse(request.postData() ?? '{}'));
    if (toDrop > 0) {
      toDrop -= 1;
      const headers = await request.allHeaders();
      dropped.push({ url: request.url(), authorization: headers.authorization, body: request.postData() ?? '' });
      await route.abort('connectionreset');
      return;
    }
    const answer = await route.fetch();
    if (toLose > 0) {
      toLose -= 1;
      await route.abort('connectionreset');
      return;
    }
    if (how.delayMs) await new Promise((resolve) => setTimeout(resolve, how.delayMs));
    await route.fulfill({ response: answer });
  });
  return { bodies, dropped, release: () => page.unroute(url) };
}

/** A dropped request arriving after all (a proxy's or the phone's retransmission): the server's answer to it. */
async function deliverLate(r: Dropped) {
  const res = await fetch(r.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: r.authorization },
    body: r.body,
  });
  return { status: res.status, body: await res.json() };
}

/** The member's orders (each sale recorded for points) and whether each was taken back, oldest first. */
const ordersOf = (customerId: string) =>
  env.system.database.exec(
    'select total_fen, refunded_at is not null as taken_back from orders where customer_id = $1 order by ordered_at, id',
    [customerId],
  );
/** The member's points balance: the ledger's sum. */
const balanceOf = async (customerId: string) =>
  Number(
    (
      await env.system.database.exec(
        'select coalesce(sum(points), 0) as balance from points_ledger where customer_id = $1',
        [customerId],
      )
    )[0].balance,
  );

const redemptionsOf = (couponId: string) =>
  env.system.database.exec(
    'select status, order_amount_fen from coupon_redemptions where coupon_id = $1 order by redeemed_at, id',
    [couponId],
  );

describe('扫码核销: slow and lost answers', () => {
  it('a slow redemption keeps the clerk on its member: 换一位 waits, the answer lands on that member, named', async () => {
    const zhang = await seedMember({ name: '张伟', storeId: 'sto_001', phone: '13712345678' });
    const li = await seedMember({ name: '李娜', storeId: 'sto_001', phone: '13698765432' });
    const gift = await issue(zhang.customerId, 'NEW_MEMBER');
    await issue(li.customerId, 'NEW_MEMBER');

    // 王芳 at 文三路店: 张伟's 新会员见面礼 on 66 yuan, its answer 6 s late
    const { page, context } = await openCounter('u_ck01');
    await scanMember(page, zhang);
    await page.locator(`[data-testid=counter-coupon-${gift.couponId}] [data-testid=counter-coupon-pick]`).click();
    await fill(page, 'counter-amount', '66');
    const slow = await holdAnswers(page, 'redeem', { delayMs: 6_000 });
    await tid(page, 'counter-redeem').click();
    await page.waitForTimeout(500);

    // the clerk taps 换一位 meanwhile: nothing happens, 张伟 stays on screen
    await tid(page, 'counter-rescan').click();
    await page.waitForTimeout(500);
    expect(await tid(page, 'counter-scan').count()).toBe(0);
    expect(await text(page, 'counter-member-name')).toContain('张*');
    expect(await tid(page, 'counter-rescan').getAttribute('data-disabled')).toBe('yes');
    expect(await text(page, 'counter-redeem')).toBe('正在核销…');
    await settle(page);
    await env.shot(page, 'counter-late-01-redeem-under-way');

    // the answer: 张伟's result, naming him
    await tid(page, 'counter-result').waitFor({ timeout: 15_000 });
    expect(await text(page, 'counter-result-member')).toBe('会员 张* · 137****5678');
    expect(await text(page, 'counter-payable')).toBe('56.00 元');
    const row = page.locator('[data-testid^=redemption-]', { hasText: '新会员见面礼' });
    await row.waitFor();
    expect(await row.innerText()).toContain('张* · 订单 66.00 元');
    await settle(page);
    await env.shot(page, 'counter-late-02-redeem-answer-on-its-member');

    // the next member: 李娜's screen, nothing of 张伟's on it
    await slow.release();
    await tid(page, 'counter-next').click();
    await scanMember(page, li);
    expect(await text(page, 'counter-member-name')).toContain('李*');
    expect(await tid(page, 'counter-result').count()).toBe(0);
    expect(await redemptionsOf(gift.couponId)).toEqual([{ status: 'redeemed', order_amount_fen: 6_600 }]);
    await context.close();
  });

  it('at a store without a till: a slow sale and a slow redemption with its points stay on their member', async () => {
    const zhang = await seedMember({ name: '张伟', storeId: 'sto_018', phone: '13712340018', points: 970 });
    const gift = await issue(zhang.customerId, 'NEW_MEMBER');

    // 孙磊 at 北仑新碶店: 登记积分 for 12 yuan, its answer 6 s late
    const { page, context } = await openCounter('u_ck03');
    await scanMember(page, zhang);
    expect(await text(page, 'counter-member-points')).toBe('970');
    await fill(page, 'counter-sale-amount', '12');
    const slow = await holdAnswers(page, 'sale', { delayMs: 6_000 });
    await tid(page, 'counter-sale-submit').click();
    await page.waitForTimeout(500);
    await tid(page, 'counter-rescan').click();
    await page.waitForTimeout(500);
    expect(await tid(page, 'counter-scan').count()).toBe(0);
    expect(await tid(page, 'counter-rescan').getAttribute('data-disabled')).toBe('yes');
    expect(await text(page, 'counter-sale-submit')).toBe('正在登记…');
    await tid(page, 'counter-sold').waitFor({ timeout: 15_000 });
    expect(await text(page, 'counter-sold-member')).toBe('会员 张* · 137****0018');
    // the balance as the member's home writes it
    expect(await text(page, 'counter-sold-text')).toBe('已登记消费 12.00 元，积分 +12，当前积分 982');

    // 新会员见面礼 on 66 yuan: the redemption comes at once, the points 6 s late; 核销下一位 waits for them
    await tid(page, 'counter-next').click();
    await scanMember(page, zhang);
    await page.locator(`[data-testid=counter-coupon-${gift.couponId}] [data-testid=counter-coupon-pick]`).click();
    await fill(page, 'counter-amount', '66');
    await tid(page, 'counter-redeem').click();
    await tid(page, 'counter-sale-pending').waitFor();
    expect(await tid(page, 'counter-next').getAttribute('disabled')).not.toBe('false');
    expect(await text(page, 'counter-result-member')).toBe('会员 张* · 137****0018');
    await settle(page);
    await env.shot(page, 'counter-late-03-points-under-way');
    await tid(page, 'counter-sale-points').waitFor({ timeout: 15_000 });
    expect(await text(page, 'counter-sale-points')).toBe('本单积分 +56，当前积分 1,038');
    expect(await tid(page, 'counter-next').getAttribute('disabled')).toBe('false');
    await settle(page);
    await env.shot(page, 'counter-late-04-points-on-its-member');
    await slow.release();
    await context.close();
  });

  it('a lost answer, then a corrected amount: the redemption already made is found, said, voided and redone', async () => {
    // 李娜 signed up in the mini-program without a name: the masked phone says who she is
    const li = await seedMember({ name: null, storeId: 'sto_001', phone: '13698765400' });
    const full = await issue(li.customerId, 'FULL_100_15');

    const { page, context } = await openCounter('u_ck01');
    await scanMember(page, li);
    await page.locator(`[data-testid=counter-coupon-${full.couponId}] [data-testid=counter-coupon-pick]`).click();
    await fill(page, 'counter-amount', '120');
    const { bodies, release } = await holdAnswers(page, 'redeem', { lose: 1 });
    await tid(page, 'counter-redeem').click();
    await tid(page, 'counter-redeem-error').waitFor();
    expect(await text(page, 'counter-redeem-error')).toContain('核销可能未完成');
    // the list is asked again: the redemption the server made is there
    const row = page.locator('[data-testid^=redemption-]', { hasText: '满100减15' });
    await row.waitFor({ timeout: 5_000 });
    expect(await row.innerText()).toContain('订单 120.00 元');
    await settle(page);
    await env.shot(page, 'counter-late-10-answer-lost');

    // the clerk corrects the amount to 130 and taps again: refused (the coupon is used), and the page says by what
    await fill(page, 'counter-amount', '130');
    await tid(page, 'counter-redeem').click();
    await tid(page, 'counter-landed').waitFor();
    const landed = await text(page, 'counter-landed');
    expect(landed).toContain('这张券刚才已经核销成功');
    expect(landed).toContain('订单 120.00 元，优惠 15.00 元');
    expect(landed).toContain('这次填的是 130.00 元');
    expect(await tid(page, 'counter-redeem-error').count()).toBe(0);
    expect(await row.getAttribute('data-marked')).toBe('yes');
    expect(await row.locator('[data-testid=redemption-void]').count()).toBe(1);
    // nothing re-sent with the old amount: the lost one, then the corrected one under a new key
    expect(bodies.map((b) => b.orderAmountFen)).toEqual([12_000, 13_000]);
    expect(bodies[1].idempotencyKey).not.toBe(bodies[0].idempotencyKey);
    // she signed up in the mini-program without a name: her masked phone says who she is, on the card and the row
    expect(await text(page, 'counter-member-name')).toMatch(/^136\*{4}5400/);
    expect(await text(page, 'counter-member-phone')).toBe('未填写姓名');
    expect(await row.innerText()).toContain('136****5400 · 订单 120.00 元');
    // while that one stands, the coupon is not sent again: 撤销那笔 or 保留那笔 first
    expect(await tid(page, 'counter-redeem').getAttribute('disabled')).not.toBe('false');
    await tid(page, 'counter-landed').scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'counter-late-11-already-redeemed');
    await row.scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'counter-late-11b-marked-in-today');

    // 撤销那笔: the confirmation names her by the phone; the coupon is back, the note says to redeem again
    await tid(page, 'counter-landed-void').click();
    const confirm = await text(page, 'counter-void-confirm');
    expect(confirm).toContain('会员 136****5400');
    expect(confirm).toContain('订单 120.00 元');
    await settle(page);
    await env.shot(page, 'counter-late-12-void-confirm');
    await tid(page, 'counter-void-ok').click();
    await row.locator('[data-testid=redemption-status]').waitFor();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=counter-landed]')?.textContent?.includes('已撤销') ?? false,
    );
    expect(await text(page, 'counter-landed')).toContain('请核对订单金额，再点击「确认核销」');
    expect(await tid(page, 'counter-landed-void').count()).toBe(0);
    await tid(page, 'counter-landed').scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'counter-late-13-voided-redo');

    await tid(page, 'counter-redeem').click();
    await tid(page, 'counter-result').waitFor();
    expect(await text(page, 'counter-payable')).toBe('115.00 元');
    expect(await text(page, 'counter-result-member')).toBe('会员 136****5400');
    expect(bodies.map((b) => b.orderAmountFen)).toEqual([12_000, 13_000, 13_000]);
    expect(await redemptionsOf(full.couponId)).toEqual([
      { status: 'voided', order_amount_fen: 12_000 },
      { status: 'redeemed', order_amount_fen: 13_000 },
    ]);
    await settle(page);
    await env.shot(page, 'counter-late-14-redone');
    await release();
    await context.close();
  });

  it('a lost answer, then another amount, where the first was right: kept, its result and points shown', async () => {
    const wang = await seedMember({ name: '王建国', storeId: 'sto_018', phone: '13857400018', points: 1_234 });
    const full = await issue(wang.customerId, 'FULL_100_15');

    const { page, context } = await openCounter('u_ck03');
    await scanMember(page, wang);
    await page.locator(`[data-testid=counter-coupon-${full.couponId}] [data-testid=counter-coupon-pick]`).click();
    await fill(page, 'counter-amount', '120');
    const { bodies, release } = await holdAnswers(page, 'redeem', { lose: 1 });
    await tid(page, 'counter-redeem').click();
    await tid(page, 'counter-redeem-error').waitFor();
    await fill(page, 'counter-amount', '102');
    await tid(page, 'counter-redeem').click();
    await tid(page, 'counter-landed').waitFor();
    expect(await text(page, 'counter-landed')).toContain('这次填的是 102.00 元');

    // 保留那笔: the first attempt asked again under its own key answers what it made; its points are recorded
    await tid(page, 'counter-landed-keep').click();
    await tid(page, 'counter-result').waitFor();
    expect(await text(page, 'counter-result')).toContain('订单金额 120.00 元');
    expect(await text(page, 'counter-payable')).toBe('105.00 元');
    await tid(page, 'counter-sale-points').waitFor();
    expect(await text(page, 'counter-sale-points')).toBe('本单积分 +105，当前积分 1,339');
    expect(bodies.map((b) => b.orderAmountFen)).toEqual([12_000, 10_200, 12_000]);
    expect(bodies[2].idempotencyKey).toBe(bodies[0].idempotencyKey);
    expect(await redemptionsOf(full.couponId)).toEqual([{ status: 'redeemed', order_amount_fen: 12_000 }]);
    await settle(page);
    await env.shot(page, 'counter-late-15-kept');
    await release();
    await tid(page, 'counter-next').click();
    await scanMember(page, wang);
    // the balance as the member's home writes it
    expect(await text(page, 'counter-member-points')).toBe('1,339');
    await context.close();
  });

  it('a lost 登记积分 answer, then another amount: the sale already recorded is said, taken back, and the new one recorded once', async () => {
    const zhang = await seedMember({ name: '张伟', storeId: 'sto_018', phone: '13712340118', points: 500 });

    // 孙磊 at 北仑新碶店 (no till): 登记积分 for 12 yuan; the server records it, its answer is lost
    const { page, context } = await openCounter('u_ck03');
    await scanMember(page, zhang);
    await fill(page, 'counter-sale-amount', '12');
    const { bodies, release } = await holdAnswers(page, 'sale', { lose: 1 });
    await tid(page, 'counter-sale-submit').click();
    await tid(page, 'counter-sale-error').waitFor();
    expect(await text(page, 'counter-sale-error')).toContain('积分可能未登记');
    await settle(page);
    await env.shot(page, 'counter-late-20-sale-answer-lost');

    // the clerk thinks it failed and types another amount, 15 yuan: no second sale; the page says the first stands
    await fill(page, 'counter-sale-amount', '15');
    await tid(page, 'counter-sale-submit').click();
    await tid(page, 'counter-sale-landed').or(tid(page, 'counter-sold')).first().waitFor();
    expect(await ordersOf(zhang.customerId)).toEqual([{ total_fen: 1_200, taken_back: false }]);
    expect(await balanceOf(zhang.customerId)).toBe(512);
    const landed = await text(page, 'counter-sale-landed');
    expect(landed).toContain('这笔消费刚才已经登记成功');
    expect(landed).toContain('消费 12.00 元，积分 +12');
    expect(landed).toContain('这次填的是 15.00 元');
    // the same sale's key, asked with the new amount: the server said what that key had recorded
    expect(bodies.map((b) => b.orderAmountFen)).toEqual([1_200, 1_500]);
    expect(bodies[1].idempotencyKey).toBe(bodies[0].idempotencyKey);
    // while it stands, nothing is sent again: 撤销那笔 or 保留那笔 first
    expect(await tid(page, 'counter-sale-submit').getAttribute('disabled')).not.toBe('false');
    const [{ id: firstId }] = await env.system.database.exec('select id from orders where customer_id = $1', [
      zhang.customerId,
    ]);
    const row = tid(page, `sale-${firstId}`);
    await row.waitFor();
    expect(await row.innerText()).toContain('张* · 订单 12.00 元');
    expect(await row.getAttribute('data-marked')).toBe('yes');
    await tid(page, 'counter-sale-landed').scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'counter-late-21-sale-already-recorded');

    // 撤销那笔: its points go back; then 15 yuan is recorded under a new key
    await tid(page, 'counter-sale-landed-void').click();
    const confirm = await text(page, 'counter-void-confirm');
    expect(confirm).toContain('会员 张*');
    expect(confirm).toContain('消费 12.00 元，积分 +12');
    await tid(page, 'counter-void-ok').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=counter-sale-landed]')?.textContent?.includes('已撤销') ?? false,
    );
    expect(await text(page, 'counter-sale-landed')).toContain('请核对金额，再点击「登记积分」');
    expect(await tid(page, 'counter-sale-landed-void').count()).toBe(0);
    await tid(page, 'counter-sale-landed').scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'counter-late-21b-sale-taken-back');
    await tid(page, 'counter-sale-submit').click();
    await tid(page, 'counter-sold').waitFor();
    expect(await text(page, 'counter-sold-text')).toBe('已登记消费 15.00 元，积分 +15，当前积分 515');
    expect(bodies.map((b) => b.orderAmountFen)).toEqual([1_200, 1_500, 1_500]);
    expect(bodies[2].idempotencyKey).not.toBe(bodies[0].idempotencyKey);
    expect(await ordersOf(zhang.customerId)).toEqual([
      { total_fen: 1_200, taken_back: true },
      { total_fen: 1_500, taken_back: false },
    ]);
    expect(await balanceOf(zhang.customerId)).toBe(515);
    await settle(page);
    await env.shot(page, 'counter-late-22-sale-redone');
    await release();
    await context.close();
  });

  it('a lost 登记积分 answer where the first was right: 保留那笔 shows it, its points, and nothing more is recorded', async () => {
    const wang = await seedMember({ name: '王建国', storeId: 'sto_018', phone: '13857400118', points: 1_234 });
    const { page, context } = await openCounter('u_ck03');
    await scanMember(page, wang);
    await fill(page, 'counter-sale-amount', '88');
    const { bodies, release } = await holdAnswers(page, 'sale', { lose: 1 });
    await tid(page, 'counter-sale-submit').click();
    await tid(page, 'counter-sale-error').waitFor();
    await fill(page, 'counter-sale-amount', '8.8');
    await tid(page, 'counter-sale-submit').click();
    await tid(page, 'counter-sale-landed').or(tid(page, 'counter-sold')).first().waitFor();
    expect(await ordersOf(wang.customerId)).toEqual([{ total_fen: 8_800, taken_back: false }]);
    expect(await text(page, 'counter-sale-landed')).toContain('这次填的是 8.80 元');

    await tid(page, 'counter-sale-landed-keep').click();
    await tid(page, 'counter-sold').waitFor();
    expect(await text(page, 'counter-sold-text')).toBe('已登记消费 88.00 元，积分 +88，当前积分 1,322');
    expect(bodies.map((b) => b.orderAmountFen)).toEqual([8_800, 880]);
    expect(await ordersOf(wang.customerId)).toEqual([{ total_fen: 8_800, taken_back: false }]);
    expect(await balanceOf(wang.customerId)).toBe(1_322);
    await settle(page);
    await env.shot(page, 'counter-late-23-sale-kept');
    await release();
    await context.close();
  });

  it('a 登记积分 lost on its way, then another amount: that one is recorded once, and the first arriving late records nothing', async () => {
    const li = await seedMember({ name: '李娜', storeId: 'sto_018', phone: '13698760118' });
    const { page, context } = await openCounter('u_ck03');
    await scanMember(page, li);
    await fill(page, 'counter-sale-amount', '20');
    const { bodies, dropped, release } = await holdAnswers(page, 'sale', { drop: 1 });
    await tid(page, 'counter-sale-submit').click();
    await tid(page, 'counter-sale-error').waitFor();
    expect(await ordersOf(li.customerId)).toEqual([]);

    await fill(page, 'counter-sale-amount', '25');
    await tid(page, 'counter-sale-submit').click();
    await tid(page, 'counter-sold').waitFor();
    expect(await text(page, 'counter-sold-text')).toBe('已登记消费 25.00 元，积分 +25，当前积分 25');
    expect(bodies.map((b) => b.orderAmountFen)).toEqual([2_000, 2_500]);

    // the 20-yuan request the connection dropped reaches the server after all: refused, nothing recorded
    const late = await deliverLate(dropped[0]);
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('IDEMPOTENCY_CONFLICT');
    expect(await ordersOf(li.customerId)).toEqual([{ total_fen: 2_500, taken_back: false }]);
    expect(await balanceOf(li.customerId)).toBe(25);
    await release();
    await context.close();
  });
});
