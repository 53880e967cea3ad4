/**
 * The merge history as HQ meets it in the H5 build: from the home tile to the list, a search by phone, the evidence
 * side by side with masked values only, and an undo behind a confirmation that says what will happen.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSystem } from './support/browser.js';
import { customerOfRecord, ingestRecords, settle, staffFirstLogin } from './support/flows.js';

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

    await phoneInput(page).fill('13857104321');
    await page.locator('[data-testid=merges-search]').click();
    await page.locator('[data-testid=merges-filter]').waitFor();
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
    await env.shot(page, 'merges-04-undo-dialog');
    await page.locator('[data-testid=undo-cancel]').click();
    await dialog.waitFor({ state: 'detached' });
    expect(await customerOf('pos', '8810000301')).toBe(await customerOf('mall', 'mall_lxy'));

    await card.locator('[data-testid=merge-undo]').click();
    await page.locator('[data-testid=undo-ok]').click();
    await page.locator('[data-testid=merge-result]').waitFor();
    expect(await page.locator('[data-testid=merge-result]').innerText()).toMatch(
      /已撤销合并（\d{4}-\d{2}-\d{2} \d{2}:\d{2}）/,
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

  it('a store manager has no tile for it', async () => {
    const { page, context } = await env.newPage();
    await staffFirstLogin(page, env.system.apiUrl, 'u_sm01');
    await page.locator('[data-testid=tile-identity-suggestions]').waitFor();
    expect(await page.locator('[data-testid=tile-identity-merges]').count()).toBe(0);
    await context.close();
  });
});
