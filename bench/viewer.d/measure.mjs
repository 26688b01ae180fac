// One viewer measurement in headless Chromium (bench/viewer runs it per set size).
// usage: node measure.mjs URL [DETAIL_CLICKS] [VISITS]
// Prints one JSON line: {visits: [{firstPaintMs, firstPaintBytes, firstRequests, detailMs: [...],
// detailBytes: [...], cachedDetailMs}]}, one visit per fresh browser context (empty cache); the
// first visit also finds the server cold (thumbnails not yet pooled). Times are from the page's
// own performance.now() (navigation start = 0) to the end of the render that drew the canvases;
// bytes are response bodies plus headers as Chromium received them (every request).
import { chromium } from 'playwright-core';

const [url, clicksArg, repeatsArg] = process.argv.slice(2);
const clicks = +(clicksArg ?? 5), repeats = +(repeatsArg ?? 3);
const WAIT_MS = 60000;
setTimeout(() => { console.error('measure: ran past 280 s'); process.exit(1); }, 280000).unref();

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium', headless: true, timeout: 30000,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'] });

// One visit in a fresh browser context (empty cache): first paint, then `clicks` detail heads.
async function visit() {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    let bytes = 0, requests = 0;
    const pending = [];
    page.on('requestfinished', (r) => pending.push(r.sizes().then((s) => {
      bytes += s.responseBodySize + s.responseHeadersSize;
      requests++;
    })));
    const settle = async () => { await Promise.all(pending.splice(0)); };
    await page.goto(url);
    await page.waitForFunction(() => window.attnscope?.ready && window.attnscope.renders > 0);
    await settle();
    const firstPaintMs = await page.evaluate(() => window.attnscope.firstRenderAt);
    const firstPaintBytes = bytes, firstRequests = requests;

    // Clicks thumbnails of heads not yet shown (each fetches its block), timed inside the page
    // from the click to the end of the render that drew the detail.
    const detail = async (layer, head) => page.evaluate(async ([l, h]) => {
      const n = window.attnscope.renders;
      const t0 = performance.now();
      document.querySelector(`#grid canvas[data-layer="${l}"][data-head="${h}"]`).click();
      while (!(window.attnscope.ready && window.attnscope.renders > n)) await new Promise((r) => setTimeout(r, 1));
      return window.attnscope.lastRenderAt - t0;
    }, [layer, head]);
    const detailMs = [], detailBytes = [];
    const { layers, heads } = await page.evaluate(() => ({
      layers: document.querySelectorAll('#grid canvas[data-head="0"]').length,
      heads: document.querySelectorAll('#grid canvas[data-layer="0"]').length }));
    for (let i = 0; i < clicks; i++) {
      const before = bytes;
      detailMs.push(await detail((i * 5 + 1) % layers, (i * 7 + 3) % heads));
      await settle();
      detailBytes.push(bytes - before);
    }
    const cachedDetailMs = await detail(1 % layers, 3 % heads);  // the first clicked head again: no fetch
    if (errors.length) throw new Error(`page errors: ${errors.join(' | ')}`);
    return { firstPaintMs, firstPaintBytes, firstRequests, detailMs, detailBytes, cachedDetailMs, layers, heads };
  } finally {
    await context.close();
  }
}

try {
  const visits = [];
  for (let i = 0; i < repeats; i++) visits.push(await visit());
  console.log(JSON.stringify({ visits }));
} finally {
  await browser.close();
}
