/**
 * 数据对接状态's 文件导入 card as HQ meets it in the H5 build: no upload yet, then a member file uploaded from 数据导入
 * with good and bad rows, and the card saying when, which file and who, what was read, linked, held and refused, with
 * the refused rows one tap away in 隔离的异常数据 (a row naming no known source labelled 文件导入) and the uploads in
 * 数据导入.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, startBrowserSystem } from './support/browser.js';
import { settle, staffLogin } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

/** the standard columns, a source per row: five records taken in (two cards of one man), three rows refused */
const MEMBERS = [
  'source,source_id,name,birthday,gender,phone,card_no,store_code,last_active',
  'pos,6690000001,冯建华,1958-04-02,male,13957119001,6690000001,HZ001,2026-11-02',
  'pos,6690000002,冯建华,1958-04-02,male,139 5711 9001,6690000002,HZ001,2026-10-11',
  // a card last used in 2021 and a stranger's mall account on its phone now: held for review
  'pos,6690000003,钱玉兰,1962-09-15,female,13957119003,6690000003,HZ001,2021-03-01',
  'mall,mall_hl_e2e,平安是福,,male,13957119003,,,2026-11-20',
  'pos,6690000005,孙立,1990-02-30,male,13957119005,6690000005,HZ001,2026-11-20',
  'pos,6690000006,周敏,,female,13957119006,6690000006,ZZ999,2026-11-20',
  'poss,6690000007,吴静,,female,13957119007,6690000007,HZ001,2026-11-20',
  'pos,6690000008,郑"强,,male,13957119008,6690000008,HZ001,2026-11-20',
].join('\r\n');

const rowText = (page: Page, testId: string) => page.locator(`[data-testid=${testId}]`).innerText();

describe('the file import on 数据对接状态', () => {
  it('HQ uploads a member file, then reads on 数据对接状态 what came of it and opens the refused rows', async () => {
    const { page, context } = await env.newPage();
    await staffLogin(page, env.system.apiUrl, 'u_hq01');
    await page.locator('[data-testid=tile-integration-health]').click();
    const card = page.locator('[data-testid=health-import]');
    await card.waitFor();
    // before any upload: a card of its own, saying so, with the way to 数据导入
    expect(await card.innerText()).toContain('文件导入');
    expect(await card.innerText()).toContain('未导入');
    expect(await card.innerText()).toContain('还没有在「数据导入」上传过会员资料或销售明细');
    await card.scrollIntoViewIfNeeded();
    await settle(page);
    await card.screenshot({ path: join(SCREENSHOTS, 'integration-health-import-00-none.png') });

    // from the card to 数据导入, where the file is uploaded
    await page.locator('[data-testid=health-import-open]').click();
    await page.locator('[data-testid=import-format-records-standard]').click();
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.locator('[data-testid=import-pick]').click(),
    ]);
    await chooser.setFiles({ name: '会员资料汇总.csv', mimeType: 'text/csv', buffer: Buffer.from(MEMBERS, 'utf8') });
    await expect.poll(() => page.locator('[data-testid=import-file]').innerText()).toContain('会员资料汇总.csv');
    await page.locator('[data-testid=import-start]').click();
    await expect.poll(() => page.locator('[data-testid=import-result]').innerText()).toContain('会员资料汇总.csv');

    // back on 数据对接状态, 刷新: the upload's card
    await page.goBack();
    await page.locator('[data-testid=health-refresh]').click();
    await expect.poll(() => card.innerText()).toContain('会员资料汇总.csv');
    const text = await card.innerText();
    expect(text).toContain('有拒收');
    expect(await rowText(page, 'health-import-file')).toBe('会员资料汇总.csv（会员资料）· 陈敏');
    expect(text).toMatch(/最近一次导入\s*\d\d-\d\d \d\d:\d\d（(刚刚|1 分钟前)）/);
    expect(await rowText(page, 'health-import-rows')).toMatch(/读取行数\s*8/);
    expect(await rowText(page, 'health-import-imported')).toMatch(/新增 \/ 更新 \/ 未变\s*5 \/ 0 \/ 0/);
    expect(await rowText(page, 'health-import-linked')).toMatch(/关联到已有会员 \/ 待人工核实\s*1 \/ 1/);
    expect(await rowText(page, 'health-import-warned')).toMatch(/已导入但有值需核对\s*1/);
    expect(await rowText(page, 'health-import-rejected')).toMatch(/拒收（已存入隔离数据）\s*3 · 查看 ›/);
    await card.scrollIntoViewIfNeeded();
    await settle(page);
    await card.screenshot({ path: join(SCREENSHOTS, 'integration-health-import-01-card.png') });
    await env.shot(page, 'integration-health-import-02-page');

    // the refused rows: in the quarantine, a row that named no known source under 文件导入
    await page.locator('[data-testid=health-import-rejected]').click();
    await page.locator('[data-testid=quarantine-item]').first().waitFor();
    const items = await page.locator('[data-testid=quarantine-item]').allInnerTexts();
    const unknownSource = items.find((t) => t.includes('6690000007'));
    expect(unknownSource).toContain('文件导入 · 会员资料');
    expect(items.find((t) => t.includes('6690000006'))).toContain('门店收银系统 · 会员资料');
    expect(items.filter((t) => /文件导入 · 会员资料/.test(t))).toHaveLength(2);
    await settle(page);
    await env.shot(page, 'integration-health-import-03-quarantine');

    // and the upload among 数据导入's records
    await page.goBack();
    await page.locator('[data-testid=health-import-open]').click();
    await page.locator('[data-testid=import-history-item]', { hasText: '会员资料汇总.csv' }).waitFor();
    await context.close();
  });
});
