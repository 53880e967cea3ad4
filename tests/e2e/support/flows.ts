/** Steps several browser tests take the same way a person would; each test then goes its own way. */
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { DEMO_PARTNER_KEYS } from '../../../dev/demo/fixtures.js';
import { partnerHeaders } from '../../../functions/adapters/auth/partner-signature.js';
import type { startBrowserSystem } from './browser.js';

type BrowserSystem = Awaited<ReturnType<typeof startBrowserSystem>>['system'];

/** Lets a page transition or image load finish before a screenshot (Taro's H5 router animates). */
export const settle = (page: Page) => page.waitForTimeout(600);

/** Taro's H5 <Input> puts the real <input> inside its own element. */
export const fill = (page: Page, testId: string, value: string) =>
  page.locator(`[data-testid=${testId}] input, input[data-testid=${testId}]`).first().fill(value);
/** The text of the first element with this test id. */
export const text = (page: Page, testId: string) => page.locator(`[data-testid=${testId}]`).first().innerText();
/** The elements with this test id. */
export const tid = (page: Page, testId: string) => page.locator(`[data-testid=${testId}]`);

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

/**
 * A staff login whether or not this member has logged in before: a bound account goes straight to the staff home,
 * an invited one proves the phone first (staffFirstLogin).
 */
export async function staffLogin(page: Page, baseUrl: string, simUserId: string): Promise<void> {
  await page.goto(`${baseUrl}/#/staff/pages/login/index`);
  await page.locator('[data-testid=staff-login-button]').click();
  await page.locator(`[data-testid=sim-user-option][data-user-id=${simUserId}]`).click();
  const home = page.locator('[data-testid=staff-home]');
  await home.or(page.locator('[data-testid=phone-button]')).first().waitFor();
  if (!(await home.isVisible())) {
    await page.locator('[data-testid=phone-button]').click();
    await page.locator('[data-testid=sim-phone-allow]').click();
    await home.waitFor();
  }
}

/** Signed partner ingest, as the POS or the mall sends it (the same call the integration tests make). */
export async function ingestRecords(system: BrowserSystem, records: unknown[], keyId: string) {
  const res = await partnerCall(system, '/api/ingest/records', { records }, keyId);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json();
}

/** A signed partner call; `now` signs with another clock (a till whose clock is off). */
export function partnerCall(system: BrowserSystem, path: string, payload: unknown, keyId: string, now = new Date()) {
  const key = DEMO_PARTNER_KEYS.find((k) => k.id === keyId);
  if (!key) throw new Error(`no demo key ${keyId}`);
  const body = JSON.stringify(payload);
  return fetch(`${system.apiUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...partnerHeaders({ keyId: key.id, secret: key.secret, method: 'POST', path, body, now }),
    },
    body,
  });
}

/** The customer a source record belongs to now. */
export async function customerOfRecord(system: BrowserSystem, source: string, sourceId: string): Promise<string> {
  const rows = await system.database.exec(
    'select customer_id from source_records where source = $1 and source_id = $2',
    [source, sourceId],
  );
  return String(rows[0]?.customer_id);
}
