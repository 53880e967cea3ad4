/**
 * 会员注销 at the store, as a store manager meets it in the H5 build: a couple's two store cards on one phone, found
 * by the phone, each masked with what tells them apart; the one who asked is closed after the ID check is ticked,
 * and the other stays.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSystem } from './support/browser.js';
import { ingestRecords, settle, staffFirstLogin } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

const phoneInput = (page: Page) => page.locator('[data-testid=mc-phone] input, input[data-testid=mc-phone]').first();

describe('closing an account at the store', () => {
  it('the store manager finds the two people on a phone and closes only the one who asked', async () => {
    await ingestRecords(
      env.system,
      [
        {
          sourceId: '8810000501',
          name: '柴建华',
          gender: '男',
          phone: '13957118499',
          storeCode: 'HZ001',
          lastActive: '2026-10-02',
        },
        {
          sourceId: '8810000502',
          name: '吕秀英',
          gender: '女',
          phone: '13957118499',
          storeCode: 'HZ001',
          lastActive: '2026-11-20',
        },
      ],
      'key_pos_hz001',
    );
    const { page, context } = await env.newPage();
    await staffFirstLogin(page, env.system.apiUrl, 'u_sm01');
    await page.locator('[data-testid=tile-member-close]').click();
    await page.locator('[data-testid=member-close]').waitFor();
    await phoneInput(page).fill('13957118499');
    await page.locator('[data-testid=mc-search]').click();
    const members = page.locator('[data-testid=mc-member]');
    await members.first().waitFor();
    expect(await members.count()).toBe(2);
    const text = await page.locator('[data-testid=member-close]').innerText();
    expect(text).toContain('柴**');
    expect(text).toContain('吕**');
    expect(text).not.toContain('柴建华');
    await settle(page);
    await env.shot(page, 'member-close-01-found');

    const chai = members.filter({ hasText: '柴**' });
    await chai.locator('[data-testid=mc-pick]').click();
    const submit = page.locator('[data-testid=mc-close]');
    expect(await submit.getAttribute('disabled')).not.toBe('false');
    await page.locator('[data-testid=mc-ack]').click();
    await settle(page);
    await env.shot(page, 'member-close-02-confirm');
    await submit.click();
    await page.locator('[data-testid=mc-done]').waitFor();
    expect(await page.locator('[data-testid=mc-done]').innerText()).toContain('已注销 柴**');
    await settle(page);
    await env.shot(page, 'member-close-03-done');

    const rows = await env.system.database.exec(
      `select source_id, name from source_records where source_id in ('8810000502') or name = '柴建华'`,
    );
    expect(rows).toEqual([{ source_id: '8810000502', name: '吕秀英' }]);

    // searching again lists only the one left
    await phoneInput(page).fill('13957118499');
    await page.locator('[data-testid=mc-search]').click();
    await page.locator('[data-testid=mc-member]').first().waitFor();
    expect(await page.locator('[data-testid=mc-member]').count()).toBe(1);
    await context.close();
  });
});
