// One page in headless Chromium (Debian's /usr/bin/chromium via playwright-core), timed to its
// first paint: bench/python's driver for attnscope.show() and bertviz pages.
//
//   node bench/python.d/page.mjs KIND PAGE.html LIMIT_S
//
// KIND: "attnscope" (the inline viewer: drawn once its iframe's window.attnscope has rendered)
// or "bertviz" (drawn once the page has an SVG with lines or text: bertviz draws synchronously in
// its require.js callback). first_paint_ms: from the top page's navigation start to the frame
// after the one in which the drawing was found (so the paint of what was drawn is counted), in the
// frame's own clock shifted to the page's. bertviz's CDN scripts (require.js, d3, jquery) are
// served from node_modules (page.route); any other request fails and is reported.
// Prints one JSON line: {first_paint_ms | null, error, requests_elsewhere}.
import { chromium } from 'playwright-core';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const [kind, pageFile, limitArg] = process.argv.slice(2);
const limitMs = 1000 * +(limitArg || 60);
const modules = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'node_modules');
const CDN = [[/\/require\.js\/.*\/require(\.min)?\.js$/, 'requirejs/require.js'],
  [/\/d3\/.*\/d3(\.min)?\.js$/, 'd3/dist/d3.min.js'], [/\/jquery\/.*\/jquery(\.min)?\.js$/, 'jquery/dist/jquery.min.js']];
const out = { kind, page: path.basename(pageFile), first_paint_ms: null, error: null, kernel_requests: 0, requests_elsewhere: [] };
const hardStop = setTimeout(() => { out.error = `no answer in ${limitMs / 1000 + 30} s`; console.log(JSON.stringify(out)); process.exit(0); },
  limitMs + 30000);

// In every frame: after `drawn()` first holds, wait one more frame and note the time.
const probe = (k) => {
  const drawn = k === 'attnscope' ? () => window.attnscope && window.attnscope.renders > 0
    : () => !!document.querySelector('svg line, svg text');
  window.__paintAt = null;
  const poll = () => requestAnimationFrame(() => {
    if (drawn()) requestAnimationFrame(() => { window.__paintAt = performance.timeOrigin + performance.now(); });
    else poll();
  });
  poll();
};

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, timeout: 30000,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'] });
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  await context.addInitScript(probe, kind);
  await context.route(/^https?:/, (route) => {
    const url = route.request().url();
    const hit = CDN.find(([re]) => re.test(url));
    if (hit) return route.fulfill({ path: path.join(modules, hit[1]), contentType: 'text/javascript' });
    if (/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) { out.kernel_requests++; return route.continue(); }  // the kernel's data server
    out.requests_elsewhere.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  const deadline = Date.now() + limitMs;
  await page.goto('file://' + path.resolve(pageFile), { timeout: limitMs, waitUntil: 'commit' });
  const origin = await page.evaluate(() => performance.timeOrigin);
  // Poll every frame (the viewer draws inside a srcdoc iframe); a renderer busy for longer than
  // the limit never answers, which is what the race is for.
  while (Date.now() < deadline && out.first_paint_ms === null) {
    for (const f of page.frames()) {
      const at = await within(f.evaluate(() => window.__paintAt).catch(() => null), deadline - Date.now());
      if (at) { out.first_paint_ms = Math.round((at - origin) * 10) / 10; break; }
    }
    if (out.first_paint_ms === null) await new Promise((r) => setTimeout(r, 20));
  }
  if (out.first_paint_ms === null) out.error = `did not draw in ${limitMs / 1000} s`;
  if (errors.length) out.error = (out.error ? out.error + '; ' : '') + errors.slice(0, 3).join(' | ');
} catch (e) {
  out.error = e.message.split('\n')[0];
} finally {
  console.log(JSON.stringify(out));
  clearTimeout(hardStop);
  await within(browser.close(), 5000);
  process.exit(0);
}
function within(p, ms) { return Promise.race([p, new Promise((r) => setTimeout(() => r(undefined), Math.max(ms, 1)))]); }
