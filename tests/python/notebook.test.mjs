// The executed notebook's HTML in headless Chromium: the inline viewer (a sandboxed srcdoc iframe)
// drew every layer x head, a click shows that head, the read-out equals the weight computed in
// Python, and no request left file://. usage: node notebook.test.mjs PAGE EXPECTED SHOT_DIR
import { assert, openBrowser } from '../web/harness.mjs';

const [pageFile, expected, shots] = process.argv.slice(2);
const { page, consoleErrors, check, shot, finish } = await openBrowser({ shots, waitMs: 15000, defaultLimitS: 100 });
const foreign = [];
page.on('request', (r) => { if (!/^(file|data|blob|about):/.test(r.url())) foreign.push(r.url()); });
page.on('requestfailed', (r) => console.log('note: request failed:', r.url()));

let frame = null;
await check('the notebook page shows the inline viewer with every layer x head', async () => {
  await page.goto('file://' + pageFile);
  const iframes = page.locator('iframe.attnscope-viewer');
  await iframes.first().waitFor();
  assert(await iframes.count() === 2, `viewers: ${await iframes.count()}`);
  frame = await (await iframes.first().elementHandle()).contentFrame();
  await frame.waitForFunction(() => window.attnscope && window.attnscope.ready);
  assert(await frame.locator('#grid canvas').count() === 8, `thumbnails: ${await frame.locator('#grid canvas').count()}`);
  await shot('notebook-01-viewer');
});

await check('clicking a thumbnail shows that head; the read-out is the weight computed in Python', async () => {
  const n = await frame.evaluate(() => window.attnscope.renders);
  await frame.click('#grid canvas[data-layer="1"][data-head="2"]');
  await frame.waitForFunction((k) => window.attnscope.ready && window.attnscope.renders > k, n);
  const title = await frame.textContent('#view .panel:nth-child(2) h2');
  assert(title.includes('layer 2, head 3'), `detail title: ${title}`);
  const c = frame.locator('#detail-canvas');
  const d = await c.evaluate((e) => ({ ...e.dataset }));
  await c.hover({ position: { x: +d.x0 + 2 * +d.cell + +d.cell / 2, y: +d.y0 + 1 * +d.cell + +d.cell / 2 } });
  const shown = await frame.locator('#readout').evaluate((e) => ({ ...e.dataset }));
  assert(+shown.q === 1 && +shown.k === 2, `hovered (${shown.q}, ${shown.k})`);
  assert(Math.fround(parseFloat(shown.value)) === Math.fround(parseFloat(expected)), `read-out ${shown.value}, Python ${expected}`);
  await shot('notebook-02-detail');
});

await check('no requests to other hosts, no console errors', async () => {
  assert(foreign.length === 0, `requests: ${foreign.join(' ')}`);
  assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
});

await finish('notebook');
