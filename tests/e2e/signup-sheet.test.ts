/**
 * 保存图片 on 会员注册码 saves a printable sheet, not WeChat's bare 430×430 code: printed, a store's code and each
 * clerk's looked the same (a QA walk). The store manager saves the store's code and 王芳's; each file is larger
 * than the code, still scans to its own scene, and differs where it says whose code it is. With the new-member
 * campaign paused the sheet promises no coupon: its offer line is shorter. The sheets are copied next to the
 * screenshots (.artifacts/screenshots/signup-sheet-*.png) for a person to look at.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import jsQR from 'jsqr';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCREENSHOTS, startBrowserSystem } from './support/browser.js';
import { settle, staffFirstLogin } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

/** Presses 保存图片 on the code card that says `who`; the saved file's name, PNG and path. */
async function saveSheet(page: Page, who: string, shotName: string) {
  const card = page.locator('[data-testid=signup-code]', { hasText: who });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    card.locator('[data-testid=signup-code-save]').click(),
  ]);
  const path = await download.path();
  await copyFile(path, join(SCREENSHOTS, `${shotName}.png`));
  const png = PNG.sync.read(await readFile(path));
  const number = (await card.locator('[data-testid=signup-code-number]').innerText()).replace(/\s/g, '');
  return { fileName: download.suggestedFilename(), png, number };
}

const scanned = (png: PNG) => jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data ?? null;

/** The horizontal extent of ink (non-white pixels) in rows y0..y1: how wide the text there is. */
function inkWidth(png: PNG, y0: number, y1: number): number {
  let left = png.width;
  let right = -1;
  for (let y = y0; y < y1; y++) {
    for (let x = 40; x < png.width - 40; x++) {
      const i = (y * png.width + x) * 4;
      if (png.data[i] < 160 || png.data[i + 1] < 160 || png.data[i + 2] < 160) {
        left = Math.min(left, x);
        right = Math.max(right, x);
      }
    }
  }
  return right < 0 ? 0 : right - left + 1;
}

/** Whether two images differ anywhere in rows y0..y1. */
function rowsDiffer(a: PNG, b: PNG, y0: number, y1: number): boolean {
  const from = y0 * a.width * 4;
  const to = y1 * a.width * 4;
  return !a.data.subarray(from, to).equals(b.data.subarray(from, to));
}

describe('the saved sign-up code is a sheet to print', () => {
  it('saves the store’s code and a clerk’s, each naming whose it is around a code that still scans', async () => {
    const { page, context } = await env.newPage();
    await staffFirstLogin(page, env.system.apiUrl, 'u_sm01');
    await page.locator('[data-testid=tile-signup-codes]').click();
    await page.locator('[data-testid=signup-stats]').waitFor();
    await page.locator('[data-testid=generate-store]').click();
    await page.locator('[data-testid=generated-store]').waitFor();
    await page.locator('[data-testid=generate-stf_ck01]').click();
    await page.locator('[data-testid=generated-stf_ck01]').waitFor();
    await expect.poll(() => page.locator('[data-testid=signup-code]').count()).toBe(2);
    await settle(page);
    await env.shot(page, 'signup-sheet-01-codes');

    const codes = await env.system.database.exec(
      `select id, scene, clerk_staff_id from signup_qr_codes where store_id = 'sto_001' order by clerk_staff_id nulls first`,
    );
    const [storeCode, clerkCode] = codes;
    const bare = PNG.sync.read(
      Buffer.from(
        String(
          (await env.system.database.exec('select png_base64 from signup_qr_codes where id = $1', [storeCode.id]))[0]
            .png_base64,
        ),
        'base64',
      ),
    );

    const store = await saveSheet(page, '门店通用注册码', 'signup-sheet-store');
    const clerk = await saveSheet(page, '王芳', 'signup-sheet-clerk');
    expect(await page.locator('[data-testid=signup-codes-notice]').innerText()).toContain('会员注册码-HZ001-王芳.png');
    expect([store.fileName, clerk.fileName]).toEqual(['会员注册码-HZ001-门店.png', '会员注册码-HZ001-王芳.png']);
    await page.locator('[data-testid=signup-code-number]').last().scrollIntoViewIfNeeded();
    await settle(page);
    await env.shot(page, 'signup-sheet-02-clerk-code-saved');

    for (const sheet of [store, clerk]) {
      // bigger than WeChat's code, in both directions: there is room around it for the words
      expect(sheet.png.width).toBeGreaterThan(bare.width);
      expect(sheet.png.height).toBeGreaterThan(bare.height + 300);
    }
    // each still scans to its own scene: the store's, and the clerk's with her invite
    expect(scanned(store.png)).toContain(`scene=${encodeURIComponent(String(storeCode.scene))}`);
    expect(scanned(clerk.png)).toContain(`scene=${encodeURIComponent(String(clerkCode.scene))}`);
    // the same chain and store at the top; where it says whose code it is, and the number at the foot, they differ
    expect(rowsDiffer(store.png, clerk.png, 0, 340)).toBe(false);
    expect(rowsDiffer(store.png, clerk.png, 360, 440)).toBe(true);
    expect(rowsDiffer(store.png, clerk.png, 1180, 1230)).toBe(true);
    // the number the page shows next to each code is the one its sheet carries
    expect(store.number).toBe(`注册码编号${String(storeCode.id).slice(-6).toUpperCase()}`);
    expect(clerk.number).toBe(`注册码编号${String(clerkCode.id).slice(-6).toUpperCase()}`);
    expect(store.number).not.toBe(clerk.number);

    // the campaign paused: the sheet stops promising 领新人券 (the same words without them are shorter)
    const withOffer = inkWidth(store.png, 1100, 1160);
    await env.system.database.exec("update coupon_templates set status = 'paused' where code = 'NEW_MEMBER'");
    await page.reload();
    await page.locator('[data-testid=signup-code]').first().waitFor();
    const paused = await saveSheet(page, '门店通用注册码', 'signup-sheet-store-no-offer');
    expect(scanned(paused.png)).toContain(`scene=${encodeURIComponent(String(storeCode.scene))}`);
    expect(inkWidth(paused.png, 1100, 1160)).toBeLessThan(withOffer * 0.85);
    expect(inkWidth(paused.png, 1100, 1160)).toBeGreaterThan(withOffer * 0.5);
    await env.system.database.exec("update coupon_templates set status = 'active' where code = 'NEW_MEMBER'");
    await context.close();
  });
});
