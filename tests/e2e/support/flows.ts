/** Steps several browser tests take the same way a person would; each test then goes its own way. */
import type { Page } from 'playwright-core';

/** Lets a page transition or image load finish before a screenshot (Taro's H5 router animates). */
export const settle = (page: Page) => page.waitForTimeout(600);

/**
 * An invited staff member's first login: WeChat login as the simulated user, then the phone button proves the
 * invited phone and binds the account; ends on the staff home.
 */
export async function staffFirstLogin(page: Page, baseUrl: string, simUserId: string): Promise<void> {
  await page.goto(`${baseUrl}/#/staff/pages/login/index`);
  await page.locator('[data-testid=staff-login-button]').click();
  await page.locator(`[data-testid=sim-user-option][data-user-id=${simUserId}]`).click();
  await page.locator('[data-testid=phone-button]').click();
  await page.locator('[data-testid=sim-phone-allow]').click();
  await page.locator('[data-testid=staff-home]').waitFor();
}
