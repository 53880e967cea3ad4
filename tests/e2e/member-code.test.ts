/**
 * The member code when the network is not there, as a member at the till meets it in the H5 build: a refresh that
 * fails (立即刷新 offline, or the minute's refresh) keeps the code the till still takes on screen with how long it
 * works, tries again, and says the failure only once that code has expired. The points page's birthday card reads
 * as a whole sentence.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBrowserSystem } from './support/browser.js';
import { partnerCall, settle } from './support/flows.js';

let env: Awaited<ReturnType<typeof startBrowserSystem>>;
beforeAll(async () => {
  env = await startBrowserSystem();
});
afterAll(async () => env?.close());

const CODE_API = '**/api/member/code';

/** A new member through the sign-up page: WeChat user, phone, the required consent. */
async function signUp(page: Page, userId: string) {
  await page.goto(`${env.system.apiUrl}/#/pages/signup/index`);
  await page.locator(`[data-testid=sim-user-option][data-user-id=${userId}]`).click();
  await page.locator('[data-testid=phone-button]').click();
  await page.locator('[data-testid=sim-phone-allow]').click();
  await page.locator('[data-testid=consent-service]').click();
  await page.locator('[data-testid=signup-submit]').click();
  await page.locator('[data-testid=signup-welcome]').waitFor();
}

const digitsOn = async (page: Page) =>
  (await page.locator('[data-testid=member-code-digits]').innerText()).replace(/\s/g, '');

/** What the till hears for a member code: 200 while it is live. */
const tillStatus = async (code: string) =>
  (await partnerCall(env.system, '/api/pos/member', { memberCode: code }, 'key_pos_hz001')).status;

describe('the member code on a bad network', () => {
  it('keeps a code the till still takes through failed refreshes, and says so only once it has expired', async () => {
    env.system.sim.addUser({ id: 'u_offline', nickname: '地下室收银台', phone: '15000007788' });
    const { page, context } = await env.newPage();
    // the page's own clock, so that a minute and a half pass in a moment
    await page.clock.install();
    await signUp(page, 'u_offline');
    await page.locator('[data-testid=open-member-code]').click();
    await page.locator('[data-testid=member-qr]').waitFor();
    const code = await digitsOn(page);

    // offline, 立即刷新: the code stays, with how long it still works
    await page.route(CODE_API, (route) => route.abort('internetdisconnected'));
    await page.locator('[data-testid=member-code-refresh]').click();
    const unstable = page.locator('[data-testid=member-code-unstable]');
    await unstable.waitFor();
    expect(await unstable.innerText()).toMatch(/^网络不稳定，会员码仍有效 \d+ 秒$/);
    expect(await page.locator('[data-testid=error]').count()).toBe(0);
    expect(await digitsOn(page)).toBe(code);
    expect(await tillStatus(code)).toBe(200);
    await settle(page);
    await env.shot(page, 'member-code-01-offline-refresh');

    // the retries fail on; once the code has expired, the failure is said, with a way to reload
    await page.clock.runFor(95_000);
    const error = page.locator('[data-testid=error]');
    await error.waitFor();
    expect(await error.innerText()).toContain('会员码已过期');
    expect(await page.locator('[data-testid=member-code-card]').count()).toBe(0);
    await settle(page);
    await env.shot(page, 'member-code-02-offline-expired');

    // back online: a code again (the server's clock did not run with the page's: it may hand out the same one)
    await page.unroute(CODE_API);
    await page.locator('[data-testid=retry]').click();
    await page.locator('[data-testid=member-code-countdown]').waitFor();
    const next = await digitsOn(page);

    // the minute's own refresh failing is the same: the code stays while it works
    await page.route(CODE_API, (route) => route.abort('internetdisconnected'));
    await page.clock.runFor(61_000);
    await unstable.waitFor();
    expect(await digitsOn(page)).toBe(next);
    expect(await page.locator('[data-testid=error]').count()).toBe(0);
    // and the retry after the network is back shows the minute's countdown again
    await page.unroute(CODE_API);
    await page.clock.runFor(6_000);
    await page.locator('[data-testid=member-code-countdown]').waitFor();
    expect(await page.locator('[data-testid=member-code-unstable]').count()).toBe(0);
    await context.close();
  });
});

describe('the birthday card', () => {
  it('says in one whole sentence when a birthday set in its own month starts to count', async () => {
    env.system.sim.addUser({ id: 'u_birthday', nickname: '生日', phone: '15000007799' });
    const { page, context } = await env.newPage();
    await signUp(page, 'u_birthday');
    await page.goto(`${env.system.apiUrl}/#/pages/points/index`);
    const text = page.locator('[data-testid=birthday-text]');
    await text.waitFor();
    expect(await text.innerText()).toMatch(/在生日当月设置的，从下一年的生日月起领取。$/);
    await settle(page);
    await env.shot(page, 'member-code-03-points-birthday');
    await context.close();
  });
});
