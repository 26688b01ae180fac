import { chromium } from 'playwright-core';
const [url, out, layer, head, w, h] = process.argv.slice(2);
const b = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const p = await b.newPage({ viewport: { width: +(w || 1400), height: +(h || 900) } });
await p.goto(url);
await p.waitForFunction(() => window.attnscope?.ready);
if (layer) {
  const n = await p.evaluate(() => window.attnscope.renders);
  await p.click(`#grid canvas[data-layer="${layer}"][data-head="${head}"]`);
  await p.waitForFunction((n) => window.attnscope.ready && window.attnscope.renders > n, n);
  const c = p.locator('#detail-canvas'); const d = await c.evaluate((e) => ({ ...e.dataset }));
  await c.hover({ position: { x: +d.x0 + 5.5 * +d.cell, y: +d.y0 + 7.5 * +d.cell } });
}
await p.screenshot({ path: out });
await b.close();
