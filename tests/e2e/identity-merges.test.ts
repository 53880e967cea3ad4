/**
 * The merge history as HQ meets it in the H5 build: from the home tile to the list, a search by phone, the evidence
 * side by side with masked values only, and an undo behind a confirmation that says what will happen.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIdentityRepo } from '../../functions/adapters/db/repos/identity.repo.js';
import { SCREENSHOTS, startBrowserSystem } from './support/browser.js';
import { customerOfRecord, ingestRecords, settle, staffFirstLogin, staffLogin } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

const ingest = (records: unknown[], keyId: string) => ingestRecords(env.system, records, keyId);

/** Taro's H5 <Input> is a wrapper around a native input, or the input itself, depending on the version. */
const phoneInput = (page: Page) =>
  page.locator('[data-testid=merges-phone] input, input[data-testid=merges-phone]').first();

const customerOf = (source: string, sourceId: string) => customerOfRecord(env.system, source, sourceId);

describe('merge history for HQ', () => {
  it('HQ finds a merge by phone, reads why it happened and undoes it after confirming', async () => {
    // two people whose POS cards and mall accounts the linker joined by phone (same phone and name)
    await ingest(
      [
        { sourceId: '8810000301', name: '林晓燕', phone: '13857104321', storeCode: 'HZ001' },
        { sourceId: '8810000302', name: '郑国平', phone: '13958106677', storeCode: 'HZ001' },
      ],
      'key_pos_hz001',
    );
    const mall = await ingest(
      [
        { sourceId: 'mall_lxy', name: '林晓燕', phone: '138 5710 4321', unionid: 'oUN_linxiaoyan_e2e' },
        { sourceId: 'mall_zgp', name: '郑国平', phone: '13958106677' },
      ],
      'key_mall',
    );
    expect(mall.results.map((r: { link: string }) => r.link)).toEqual(['linked', 'linked']);
    expect(await customerOf('pos', '8810000301')).toBe(await customerOf('mall', 'mall_lxy'));

    const { page, context } = await env.newPage();
    await staffFirstLogin(page, env.system.apiUrl, 'u_hq01');
    await page.locator('[data-testid=tile-identity-merges]').waitFor();
    await settle(page);
    await env.shot(page, 'merges-01-staff-home-hq');
    await page.locator('[data-testid=tile-identity-merges]').click();

    const cards = page.locator('[data-testid^=merge-mrg_]');
    await cards.first().waitFor();
    expect(await cards.count()).toBe(2);
    await settle(page);
    await env.shot(page, 'merges-02-list');
    // nothing on the page shows a phone, a name or a unionid in full
    const all = await page.locator('[data-testid=identity-merges]').innerText();
    expect(all).not.toMatch(/1[3-9]\d{9}/);
    expect(all).not.toContain('林晓燕');
    expect(all).not.toContain('oUN_linxiaoyan_e2e');

    // a phone that is not 11 digits is refused on the page, with a hint
    await phoneInput(page).fill('1385710');
    await page.locator('[data-testid=merges-search]').click();
    await page.getByText('请输入 11 位手机号').waitFor();

    // the mall account brought 600 points into the merge and the member has spent 500 of them since (the ledger as
    // the merge and a till would have left it): the undo's confirmation says what goes back and what is not clawed back
    const [lxy] = await env.system.database.exec(
      'select id, survivor_id, merged_id from identity_merges where survivor_id = $1 and undone_at is null',
      [await customerOf('pos', '8810000301')],
    );
    await env.system.database.exec(
      `insert into points_ledger (customer_id, kind, points, entry_key, earn_year, note, occurred_at) values
        ($2, 'earn', 600, 'earn:e2e_lxy', 2026, '商城消费', now()),
        ($2, 'transfer', -600, 'merge:' || $1 || ':out:2026', 2026, '会员合并，积分转入合并后的会员', now()),
        ($3, 'transfer', 600, 'merge:' || $1 || ':in:2026', 2026, '会员合并，积分从另一会员卡转入', now()),
        ($3, 'spend', -500, 'spend:e2e_lxy', null, '文三路店积分抵扣5.00元', now())`,
      [lxy.id, lxy.merged_id, lxy.survivor_id],
    );

    // pasted as a contact card gives it: +86 and spaces (it was cut to 11 wrong digits and the list failed to load)
    await phoneInput(page).fill('+86 138 5710 4321');
    await page.locator('[data-testid=merges-search]').click();
    await page.locator('[data-testid=merges-filter]').waitFor();
    expect(await page.locator('[data-testid=merges-filter]').innerText()).toContain('138****4321');
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^=merge-mrg_]').length === 1);
    const card = cards.first();
    const text = await card.innerText();
    expect(text).toContain('实时关联');
    expect(text).toContain('同一手机号 138****4321');
    expect(text).toContain('保留的会员');
    expect(text).toContain('并入的会员');
    expect(text).toContain('林**');
    expect(text).toContain('门店会员卡');
    expect(text).toContain('88****0301');
    expect(text).toContain('文三路店');
    expect(text).toContain('商城账号');
    expect(text).toContain('ma****xy');
    expect(text).toContain('系统实时关联');
    expect(text).toContain('会员记录 1 条');
    expect(text).not.toContain('郑');
    await settle(page);
    await env.shot(page, 'merges-03-search');

    // undo asks first, in plain words; cancelling changes nothing
    await card.locator('[data-testid=merge-undo]').click();
    const dialog = page.locator('[data-testid=undo-dialog]');
    await dialog.waitFor();
    const words = await dialog.innerText();
    expect(words).toContain('撤销这次合并');
    expect(words).toContain('重新分开');
    expect(words).toContain('会员记录 1 条');
    // which side goes back is told by its record, since both sides of one person share a masked name
    expect(words).toContain('林**（商城账号 ma****xy）将与林**（门店会员卡 88****0301）重新分开');
    // and that the undo sticks: no later sync joins them again
    expect(words).toContain('都不会再把他们合并');
    // and what it does to points: the 600 go back, the 500 the member used are not clawed back
    expect(await dialog.locator('[data-testid=undo-points]').innerText()).toBe(
      '积分：600 积分退回并入的会员；其中 500 积分已在合并后被保留的会员使用，不再扣回（由公司承担），只扣回其余 100 积分，保留的会员积分不会变成负数。',
    );
    await env.shot(page, 'merges-04-undo-dialog');
    await page.locator('[data-testid=undo-cancel]').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await customerOf('pos', '8810000301')).toBe(await customerOf('mall', 'mall_lxy'));

    await card.locator('[data-testid=merge-undo]').click();
    await page.locator('[data-testid=undo-ok]').click();
    await page.locator('[data-testid=merge-result]').waitFor();
    expect(await page.locator('[data-testid=merge-result]').innerText()).toMatch(
      /已撤销合并（\d{4}-\d{2}-\d{2} \d{2}:\d{2}）.*600 积分已退回，会员已使用的 500 积分未扣回/,
    );
    // refreshed: the same merge, now marked undone with when and by whom, and no undo button left
    const undone = card.locator('[data-testid=merge-undone]');
    await undone.waitFor();
    expect(await undone.innerText()).toMatch(/已撤销 · \d{4}-\d{2}-\d{2} \d{2}:\d{2} · 陈敏/);
    expect(await card.locator('[data-testid=merge-undo]').count()).toBe(0);
    expect(await customerOf('pos', '8810000301')).not.toBe(await customerOf('mall', 'mall_lxy'));
    expect(await undone.innerText()).toContain('已确认是两个人');
    await undone.scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'merges-05-undone');

    const audit = await env.system.database.exec(
      "select actor_id from audit_log where action = 'identity.merge_undo' order by id",
    );
    expect(audit).toEqual([{ actor_id: 'stf_hq01' }]);

    // the mall sends the account again (an address change): the undo holds
    await ingest(
      [
        {
          sourceId: 'mall_lxy',
          name: '林晓燕',
          phone: '138 5710 4321',
          unionid: 'oUN_linxiaoyan_e2e',
          email: 'lxy@example.com',
        },
      ],
      'key_mall',
    );
    expect(await customerOf('pos', '8810000301')).not.toBe(await customerOf('mall', 'mall_lxy'));

    // HQ finds the undo was a mistake: restoring asks first, then joins them again
    await card.locator('[data-testid=merge-restore]').click();
    const restoreDialog = page.locator('[data-testid=restore-dialog]');
    await restoreDialog.waitFor();
    expect(await restoreDialog.innerText()).toContain('林**（商城账号 ma****xy）将与林**（门店会员卡 88****0301）');
    expect(await restoreDialog.innerText()).toContain('重新合并为一位会员');
    await settle(page);
    await env.shot(page, 'merges-05b-restore-dialog');
    await page.locator('[data-testid=restore-ok]').click();
    await page.getByText(/已恢复合并（\d{4}-\d{2}-\d{2} \d{2}:\d{2}）/).waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^=merge-mrg_]').length === 2);
    const restoredNote = page.locator('[data-testid=merge-restored]');
    await restoredNote.waitFor();
    expect(await restoredNote.innerText()).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2} · 陈敏 已恢复合并/);
    expect(await page.locator('[data-testid=merge-restore]').count()).toBe(0);
    expect(await customerOf('pos', '8810000301')).toBe(await customerOf('mall', 'mall_lxy'));
    const newest = cards.first();
    expect(await newest.innerText()).toContain('总部恢复了此前撤销的合并');
    await settle(page);
    await env.shot(page, 'merges-05c-restored');

    // the server refusing (undone meanwhile elsewhere) is said in Chinese from the error table
    await page.locator('[data-testid=merges-clear]').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid^=merge-mrg_]').length === 3);
    // 郑国平's merge, the one never undone
    const other = cards.filter({ hasNot: page.locator('[data-testid=merge-undone]') }).filter({ hasText: '郑' });
    await page.route('**/api/staff/identity/merges/undo', (route) =>
      route.fulfill({
        status: 409,
        contentType: 'application/json',
        body: JSON.stringify({ error: { code: 'ALREADY_DECIDED', message: 'already undone', requestId: 'req_e2e' } }),
      }),
    );
    await other.locator('[data-testid=merge-undo]').click();
    await page.locator('[data-testid=undo-ok]').click();
    await page.getByText('已经处理过了，无需重复操作').waitFor();
    await page.unroute('**/api/staff/identity/merges/undo');
    await settle(page);
    await env.shot(page, 'merges-06-undo-refused');
    await context.close();
  });

  it('HQ undoes a merge on the second page: the card stays in place, marked undone, the result beside it', async () => {
    // two chains of merges a day old, each an earlier merge and a later one that carried its records on (the
    // survivor merged again), under 22 newer merges: all four are on the second page of the history
    const surnames =
      '赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜戚谢邹喻柏水窦章云苏潘葛奚范彭郎鲁韦昌马苗凤花方';
    const cards = Array.from({ length: 50 }, (_, i) => ({
      sourceId: `88100007${String(i).padStart(2, '0')}`,
      name: `${surnames[i]}秀兰`,
      storeCode: 'HZ001',
      lastActive: '2026-10-01',
    }));
    await ingestRecords(env.system, cards, 'key_pos_hz001');
    const cust = (i: number) => customerOf('pos', cards[i].sourceId);
    const repo = createIdentityRepo(env.system.database.db);
    const base = Date.now() - 86_400_000;
    let minute = 0;
    const merge = async (id: string, survivor: number, merged: number) =>
      repo.merge({
        id,
        survivorId: await cust(survivor),
        mergedId: await cust(merged),
        rule: 'bulk',
        evidence: { via: ['phone'] },
        actorKind: 'system',
        actorId: 'job_e2e',
        now: new Date(base + 60_000 * minute++),
      });
    // chain n: card 3n+1 joins card 3n (merge a), then card 3n's customer joins card 3n+2's (merge b)
    for (const n of [0, 1]) {
      await merge(`mrg_e2e_chain${n}_a`, 3 * n, 3 * n + 1);
      await merge(`mrg_e2e_chain${n}_b`, 3 * n + 2, 3 * n);
    }
    for (let i = 0; i < 22; i++) await merge(`mrg_e2e_filler_${String(i).padStart(2, '0')}`, 6 + 2 * i, 7 + 2 * i);

    for (const [n, viewport, tag] of [
      [0, { width: 390, height: 844 }, 'phone'],
      [1, { width: 1366, height: 768 }, '1366'],
    ] as const) {
      const { page, context } = await env.newPage(viewport);
      await staffLogin(page, env.system.apiUrl, 'u_hq01');
      await page.locator('[data-testid=tile-identity-merges]').click();
      const cards = page.locator('[data-testid^=merge-mrg_]');
      await cards.first().waitFor();
      const firstPage = await cards.count();
      expect(firstPage).toBe(20);
      const firstId = await cards.first().getAttribute('data-testid');
      await page.locator('[data-testid=merges-more]').click();
      const a = page.locator(`[data-testid=merge-mrg_e2e_chain${n}_a]`);
      const b = page.locator(`[data-testid=merge-mrg_e2e_chain${n}_b]`);
      await a.waitFor();
      const loaded = await cards.count();
      expect(loaded).toBeGreaterThan(firstPage);
      // the later merge moved both cards on: the earlier one's and its own
      expect(await b.innerText()).toContain('会员记录 2 条');

      // on the phone the button at the bottom of the screen, as QA had it; on the console in the middle
      const button = a.locator('[data-testid=merge-undo]');
      if (tag === 'phone') await button.scrollIntoViewIfNeeded();
      else await button.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await settle(page);
      const top = async () => a.evaluate((el) => el.getBoundingClientRect().top);
      const before = await top();
      await a.locator('[data-testid=merge-undo]').click();
      await page.locator('[data-testid=undo-ok]').click();
      await a.locator('[data-testid=merge-result]').waitFor();

      // the same page, not a reload: every loaded card still there, the first one first
      expect(await cards.count()).toBe(loaded);
      expect(await cards.first().getAttribute('data-testid')).toBe(firstId);
      // the result under the card in full, and the undone card where it was: the cards above it changed height
      // (the page scrolls by that once they are drawn), and on the phone the page scrolls on just enough to show the
      // result the undo button's place had no room for
      const result = a.locator('[data-testid=merge-result]');
      await result.waitFor();
      const inView = async (l: typeof result) => {
        const box = await l.boundingBox();
        return !!box && box.y >= 0 && box.y + box.height <= viewport.height;
      };
      await expect.poll(() => inView(result)).toBe(true);
      expect(await inView(a.locator('[data-testid=merge-undone]'))).toBe(true);
      expect(before - (await top())).toBeLessThan(viewport.height / 2);
      // marked undone with when and by whom, as the list shows undone merges, and no undo button left
      expect(await a.locator('[data-testid=merge-undone]').innerText()).toMatch(
        /已撤销 · \d{4}-\d{2}-\d{2} \d{2}:\d{2} · 陈敏/,
      );
      expect(await a.locator('[data-testid=merge-undo]').count()).toBe(0);
      // the result on that card, in view, and saying that the later merge changed too
      const text = await result.innerText();
      expect(text).toMatch(
        /^已撤销合并（\d{4}-\d{2}-\d{2} \d{2}:\d{2}）：.+\*\*（门店会员卡 88\*\*\*\*07\d\d）已恢复为单独的会员/,
      );
      expect(text).toContain('另有 1 条合并记录随之更新');
      expect(await page.locator('[data-testid=merge-result]').count()).toBe(1);
      // the later merge no longer carries the card the undo took back, and says why it changed
      expect(await b.innerText()).toContain('会员记录 1 条');
      expect(await b.locator('[data-testid=merge-updated]').innerText()).toContain('的合并后，这条记录已随之更新');
      expect(await page.locator('[data-testid=merge-updated]').count()).toBe(1);
      expect(await cust(3 * n + 1)).not.toBe(await cust(3 * n + 2));
      await settle(page);
      await page.screenshot({ path: join(SCREENSHOTS, `merges-07-second-page-undone-${tag}.png`) });
      await b.scrollIntoViewIfNeeded();
      await settle(page);
      await page.screenshot({ path: join(SCREENSHOTS, `merges-07b-later-merge-updated-${tag}.png`) });
      await context.close();
    }
  });

  it('a store manager has no tile for it', async () => {
    const { page, context } = await env.newPage();
    await staffFirstLogin(page, env.system.apiUrl, 'u_sm01');
    await page.locator('[data-testid=tile-identity-suggestions]').waitFor();
    expect(await page.locator('[data-testid=tile-identity-merges]').count()).toBe(0);
    await context.close();
  });
});
