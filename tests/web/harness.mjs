// What every browser test shares: headless Chromium (Debian's /usr/bin/chromium via
// playwright-core; no browser download), named checks that count passes and failures, a hard time
// limit, console errors collected, and the viewer's own readiness signals (window.attnscope).
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function assert(cond, msg) { if (!cond) throw new Error(msg); }

// Opens one page. Every wait is bounded by waitMs; the whole run by WEB_TEST_LIMIT_S (the shell
// script gives what its deadline leaves, and kills node a few seconds after).
export async function openBrowser({ shots, waitMs = 10000, defaultLimitS = 110, viewport = { width: 1400, height: 900 } }) {
  const limitS = +(process.env.WEB_TEST_LIMIT_S || defaultLimitS);
  let passed = 0, failed = 0;
  setTimeout(() => { console.log(`FAIL: checks ran past ${limitS} s (${passed} passed before)`); process.exit(1); }, limitS * 1000).unref();
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'attnscope-chromium-'));
  const browser = await chromium.launchPersistentContext(userDir, {
    executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true, viewport, timeout: 30000 });
  const page = browser.pages()[0] || await browser.newPage();
  page.setDefaultTimeout(waitMs);
  const consoleErrors = [];
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  return {
    page,
    consoleErrors,
    async check(name, fn) {
      try {
        await fn();
        console.log(`ok   ${name}`);
        passed++;
      } catch (e) {
        console.log(`FAIL ${name}: ${e.message.split('\n')[0]}`);
        failed++;
      }
    },
    // Waits until the viewer has finished more than `renders` renders.
    ready: (renders) => page.waitForFunction((n) => window.attnscope && window.attnscope.ready && window.attnscope.renders > n,
      renders ?? 0, { timeout: waitMs }),
    renders: () => page.evaluate(() => window.attnscope.renders),
    shot: (name) => page.screenshot({ path: path.join(shots, `${name}.png`), fullPage: true }),
    // Closes the browser, prints the tally and exits non-zero on any failure.
    async finish(what) {
      await browser.close();
      fs.rmSync(userDir, { recursive: true, force: true });
      console.log(`${what}: ${passed} passed, ${failed} failed (screenshots: ${shots})`);
      process.exit(failed === 0 ? 0 : 1);
    },
  };
}
