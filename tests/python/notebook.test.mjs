// The executed notebook's HTML in headless Chromium: every inline viewer (a sandboxed srcdoc
// iframe) drew, the first (BERT) drew every layer x head, a click shows that head, the read-out
// equals the weight transformers computed, and no request left file://.
// usage: node notebook.test.mjs PAGE EXPECTED.json SHOT_DIR
// EXPECTED.json (from the executed kernel): {layers, heads, value: BERT layer 2, head 3, query 1, key 2; viewers}
import fs from 'node:fs';
import { assert, openBrowser } from '../web/harness.mjs';

const [pageFile, expectedFile, shots] = process.argv.slice(2);
const want = JSON.parse(fs.readFileSync(expectedFile, 'utf8'));
const expected = String(want.value);
const { page, consoleErrors, check, shot, finish } = await openBrowser({ shots, waitMs: 15000, defaultLimitS: 100 });
const foreign = [];
page.on('request', (r) => { if (!/^(file|data|blob|about):/.test(r.url())) foreign.push(r.url()); });
page.on('requestfailed', (r) => console.log('note: request failed:', r.url()));

let frame = null;
await check('the notebook page shows every inline viewer; BERT\'s has every layer x head', async () => {
  await page.goto('file://' + pageFile);
  const iframes = page.locator('iframe.attnscope-viewer');
  await iframes.first().waitFor();
  assert(want.viewers >= 3 && await iframes.count() === want.viewers, `viewers: ${await iframes.count()} of ${want.viewers}`);
  for (let i = 0; i < want.viewers; i++) {
    const f = await (await iframes.nth(i).elementHandle()).contentFrame();
    await f.waitForFunction(() => window.attnscope && window.attnscope.ready && window.attnscope.renders > 0);
    assert(await f.locator('#grid canvas').count() > 0, `viewer ${i + 1} drew no thumbnails`);
  }
  frame = await (await iframes.first().elementHandle()).contentFrame();
  const n = await frame.locator('#grid canvas').count();
  assert(n === want.layers * want.heads, `thumbnails: ${n}, the model has ${want.layers} x ${want.heads}`);
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
