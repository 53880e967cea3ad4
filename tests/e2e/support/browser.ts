import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { H5_DIR, ROOT } from '../../../dev/h5-build.js';
import { type RunningSystem, startSystem } from '../../../dev/system.js';
import { openDatabase } from '../../../functions/adapters/db/client.js';

export const SCREENSHOTS = join(ROOT, '.artifacts/screenshots');

/** The system as `npm start` runs it (fresh PGlite, fixtures, simulator, H5 build) plus a real Chromium. */
export async function startBrowserSystem(opts: { env?: Record<string, string> } = {}): Promise<{
  system: RunningSystem;
  browser: Browser;
  newPage(viewport?: { width: number; height: number }): Promise<{ page: Page; context: BrowserContext }>;
  shot(page: Page, name: string): Promise<string>;
  close(): Promise<void>;
}> {
  const database = await openDatabase({ kind: 'pglite' });
  const system = await startSystem({
    database,
    seed: 'fixtures',
    staticDir: H5_DIR,
    jwtSecret: 'e2e-secret-0123456789-abcdefghijklmnopqrstuvwxyz',
    env: opts.env,
  });
  // playwright gives each launch a fresh, empty profile directory of its own (no --user-data-dir needed)
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    system,
    browser,
    async newPage(viewport = { width: 390, height: 844 }) {
      const context = await browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      const page = await context.newPage();
      page.on('pageerror', (e) => console.error('page error:', e.message));
      return { page, context };
    },
    async shot(page, name) {
      const file = join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    async close() {
      await browser.close();
      await system.close();
      await database.close();
    },
  };
}
