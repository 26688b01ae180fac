// The viewer on a long set (thousands of tokens, query-key blocks) in headless Chromium: the
// overview paints from thumbnails and never asks for a whole head; the detail opens pooled,
// zooms with the wheel down to exact cells, pans by dragging; every hover read-out equals the
// weight recomputed here from the file's recorded queries, keys and log-sum-exp; top keys, head
// search and the Lines window work and open what they list.
// usage: node long.test.mjs URL LONG_FILE SCREENSHOT_DIR
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { assert, openBrowser } from './harness.mjs';

const [url, longFile, shots] = process.argv.slice(2);
// The set comes from stories260K in ../shared (run.sh makes it): without it, nothing to check.
const shared = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/models/stories260K');
if (!fs.existsSync(shared) || !longFile || !fs.existsSync(longFile)) {
  console.log('skipped: ../shared not found');
  process.exit(0);
}
const TOLERANCE = 1e-6;

// The .attn.safetensors file: 8-byte header length, JSON header, data (docs/attention-file.md).
// A query-key block "decoder-self.L" stores q F32 [H, Q, d], k F32 [G, K, d] (query head h reads
// key head floor(h / (H / G))) and lse F64 [H, Q]; the run's metadata its scale and mask.
function openSet(file) {
  const buf = fs.readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString());
  const base = 8 + n;
  const run = JSON.parse(header.__metadata__.runs)[0];
  const tensor = (name, Type) => {
    const t = header[name];
    const [b, e] = t.data_offsets;
    const bytes = buf.buffer.slice(buf.byteOffset + base + b, buf.byteOffset + base + e);  // a copy: aligned
    return { shape: t.shape, values: new Type(bytes) };
  };
  const blocks = new Map();
  const block = (layer) => {
    const name = `decoder-self.${layer}`;
    if (!blocks.has(name)) {
      const q = tensor(`${name}.q`, Float32Array), k = tensor(`${name}.k`, Float32Array), lse = tensor(`${name}.lse`, Float64Array);
      blocks.set(name, { q, k, lse, ...run.query_key[name] });
    }
    return blocks.get(name);
  };
  // weight(h, i, j) = exp(scale * q[h, i] . k[kh, j] - lse[h, i]) where the mask allows, else 0.
  const weight = (layer, h, i, j) => {
    const b = block(layer);
    const [H, Q, d] = b.q.shape, [G, K] = b.k.shape;
    if (b.mask === 'causal' && Q === K && j > i) return 0;
    const kh = Math.floor(h / (H / G));
    let dot = 0;
    for (let c = 0; c < d; c++) dot += b.q.values[(h * Q + i) * d + c] * b.k.values[(kh * K + j) * d + c];
    return Math.exp(b.scale * dot - b.lse.values[h * Q + i]);
  };
  return { run, weight, tokens: run.target_tokens, layers: run.blocks.length };
}

const file = openSet(longFile);
const T = file.tokens.length;
const { page, consoleErrors, check, ready, renders, shot, finish } =
  await openBrowser({ shots, waitMs: 20000, defaultLimitS: 110, viewport: { width: 1400, height: 1000 } });
const requests = [];
page.on('request', (r) => requests.push(r.url()));

const view = () => page.evaluate(() => window.attnscope.detail.view());
const settled = () => page.evaluate(() => window.attnscope.detailReady.then(() => window.attnscope.detail.view()));
const canvas = page.locator('#detail-canvas');
// The page position of cell (q, k)'s centre in the detail as drawn now.
async function cellOnPage(q, k) {
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  const p = await page.evaluate(([a, b]) => window.attnscope.detail.cellPoint(a, b), [q, k]);
  return { x: box.x + p.x, y: box.y + p.y };
}
// Hovers cell (q, k); waits for its exact read-out; checks it against the file.
async function hoverChecks(layer, head, q, k) {
  const p = await cellOnPage(q, k);
  await page.mouse.move(p.x, p.y);
  await page.waitForFunction(([a, b]) => {
    const d = document.getElementById('readout').dataset;
    return d.exact === '1' && +d.q === a && +d.k === b;
  }, [q, k]);
  const shown = await page.locator('#readout').evaluate((e) => ({ ...e.dataset, text: e.textContent }));
  const expected = file.weight(layer, head, q, k);
  assert(Math.abs(+shown.value - expected) <= TOLERANCE, `read-out (${q}, ${k}) = ${shown.value}, recomputed ${expected}`);
  assert(shown.text.includes(`query ${q} ${JSON.stringify(file.tokens[q])}`) && shown.text.includes(`key ${k} ${JSON.stringify(file.tokens[k])}`),
    `read-out text '${shown.text}' lacks the tokens of (${q}, ${k})`);
  return +shown.value;
}

await check(`page loads the ${T}-token set; overview from thumbnails, no whole head asked for`, async () => {
  await page.goto(url);
  await ready();
  assert(await page.locator('#grid canvas').count() === file.layers * 8, `thumbnails: ${await page.locator('#grid canvas').count()}`);
  const v = await view();
  assert(v.q0 === 0 && v.q1 === T && v.k1 === T && !v.exact && v.pool > 1, `opening view ${JSON.stringify(v)}`);
  const precision = await page.textContent('#precision');
  assert(precision.includes(`max over ${v.pool} \u00d7 ${v.pool} cells`) && precision.includes('computed from recorded queries and keys'), `precision: ${precision}`);
  assert(requests.some((u) => u.includes('/pooled?')), 'no /pooled request');
  assert(!requests.some((u) => u.includes('/block?')), `asked for a whole head: ${requests.filter((u) => u.includes('/block?'))}`);
  assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
  await shot('long-01-whole-head');
});

await check('hover on the pooled whole head reads out the exact weight (one-cell tile)', async () => {
  const q = T - 40, k = T - 50;
  await hoverChecks(0, 0, q, k);
  assert(requests.some((u) => u.includes(`/tile?`) && u.includes(`q0=${q}&q1=${q + 1}&k0=${k}&k1=${k + 1}`)), 'no one-cell /tile');
});

let zoomed = null;
await check('the mouse wheel zooms from the whole head down to labelled exact cells', async () => {
  const target = { q: 3000, k: 2990 };
  const p = await cellOnPage(target.q, target.k);
  await page.mouse.move(p.x, p.y);
  let span = T;
  for (let i = 0; i < 40 && span > 40; i++) {
    await page.mouse.wheel(0, -240);
    await page.waitForTimeout(10);
    const v = await view();
    const s = v.q1 - v.q0;
    assert(s <= span + 1e-6, `span grew while zooming in: ${span} -> ${s}`);
    span = s;
  }
  zoomed = await settled();
  assert(zoomed.q1 - zoomed.q0 <= 40 && zoomed.exact, `after the wheel: ${JSON.stringify(zoomed)}`);
  // Zooming about the pointer keeps the cell under it in view.
  assert(zoomed.q0 <= target.q && target.q < zoomed.q1 && zoomed.k0 <= target.k && target.k < zoomed.k1, `cell left the view: ${JSON.stringify(zoomed)}`);
  const precision = await page.textContent('#precision');
  assert(precision.startsWith('exact float32 cells'), `precision: ${precision}`);
  assert(await page.locator('#precision').evaluate((e) => e.dataset.exact) === '1', 'precision not exact');
  await shot('long-02-exact-cells');
});

await check('hovering exact cells: read-out equals the weight recomputed from q, k and lse (1e-6)', async () => {
  const q0 = Math.ceil(zoomed.q0), k0 = Math.ceil(zoomed.k0);
  let nonzero = 0;
  for (const [dq, dk] of [[2, 1], [5, 5], [10, 3], [20, 12], [7, 30]]) {
    const q = q0 + dq, k = k0 + dk;
    if (q >= zoomed.q1 || k >= zoomed.k1) continue;
    if (await hoverChecks(0, 0, q, k) > 0) nonzero++;
  }
  assert(nonzero >= 2, `only ${nonzero} hovered cells had a weight above 0`);
});

await check('dragging pans the view and it stays exact', async () => {
  const before = await view();
  const box = await canvas.boundingBox();
  const x = box.x + before.x0 + before.size / 2, y = box.y + before.y0 + before.size / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x - 100, y - 50, { steps: 5 });
  await page.mouse.up();
  const after = await settled();
  const cell = before.size / (before.q1 - before.q0);
  assert(Math.abs((after.k0 - before.k0) - 100 / cell) < 0.5 && Math.abs((after.q0 - before.q0) - 50 / cell) < 0.5,
    `pan of (-100, -50) px moved the view from ${JSON.stringify(before)} to ${JSON.stringify(after)}`);
  assert(after.exact, 'not exact after the pan');
  await hoverChecks(0, 0, Math.floor(after.q0) + 3, Math.floor(after.k0) + 1);
});

await check('window.attnscope.zoomTo: a 512 x 512 window drawn exact, timings published', async () => {
  const r = await page.evaluate(() => window.attnscope.zoomTo({ q0: 7000, q1: 7512, k0: 6800, k1: 7312 }));
  const t = await page.evaluate(() => window.attnscope.timings);
  assert(r.exact && r.pool === 1 && t.tile_ms === r.ms && t.whole_head_ms > 0, `zoomTo ${JSON.stringify(r)}, timings ${JSON.stringify(t)}`);
  console.log(`note: 512 x 512 exact tile drawn in ${r.ms.toFixed(1)} ms; whole head pooled in ${t.whole_head_ms.toFixed(1)} ms`);
  await hoverChecks(0, 0, 7300, 7010);
});

await check('ctrl+wheel (a trackpad pinch) zooms out faster; the minimap moves the view; "whole head" resets', async () => {
  await page.evaluate(() => window.attnscope.zoomTo({ q0: 4000, q1: 4100, k0: 3900, k1: 4000 }));
  const p = await cellOnPage(4050, 3950);
  await page.mouse.move(p.x, p.y);
  await page.keyboard.down('Control');
  await page.mouse.wheel(0, 100);
  await page.keyboard.up('Control');
  const v = await settled();
  assert(v.q1 - v.q0 > 250 && v.q0 <= 4050 && 4050 < v.q1, `ctrl+wheel 100: ${JSON.stringify(v)}`);
  const mini = await page.locator('#minimap').boundingBox();
  await page.mouse.click(mini.x + mini.width / 4, mini.y + mini.height * 3 / 4);
  const m = await settled();
  const [cq, ck] = [(m.q0 + m.q1) / 2, (m.k0 + m.k1) / 2];
  assert(Math.abs(cq - T * 3 / 4) < 40 && Math.abs(ck - T / 4) < 40 && Math.abs((m.q1 - m.q0) - (v.q1 - v.q0)) < 1e-6,
    `minimap click at (3/4, 1/4) of the head: view ${JSON.stringify(m)}`);
  await page.click('#zoom-whole');
  const w = await settled();
  assert(w.q0 === 0 && w.q1 === T && !w.exact && w.pool === w.wholePool, `whole head: ${JSON.stringify(w)}`);
});

await check('clicking a row lists its top keys over every head; an entry opens its head at the key', async () => {
  const q = 7200;
  await page.evaluate(() => window.attnscope.zoomTo({ q0: 7180, q1: 7220, k0: 7170, k1: 7210 }));
  const p = await cellOnPage(q, 7190);
  await page.mouse.click(p.x, p.y);
  await page.waitForFunction(() => document.querySelectorAll('#topkeys-list .hit').length > 0);
  const hits = await page.$$eval('#topkeys-list .hit', (bs) => bs.map((b) => ({ ...b.dataset })));
  assert(hits.length === 10, `${hits.length} top keys`);
  for (let i = 0; i < hits.length; i++) {
    const h = hits[i], w = file.weight(+h.layer, +h.head, q, +h.key);
    assert(Math.abs(w - +h.weight) <= TOLERANCE, `top key ${i}: layer ${h.layer} head ${h.head} key ${h.key} = ${h.weight}, recomputed ${w}`);
    if (i) assert(+h.weight <= +hits[i - 1].weight, 'top keys not in order');
  }
  const pick = hits[Math.min(2, hits.length - 1)];
  const n = await renders();
  await page.click(`#topkeys-list .hit[data-layer="${pick.layer}"][data-head="${pick.head}"][data-key="${pick.key}"]`);
  await ready(n);
  const state = await page.evaluate(() => ({ layer: window.attnscope.state.layer, head: window.attnscope.state.head }));
  assert(state.layer === +pick.layer && state.head === +pick.head, `opened ${JSON.stringify(state)} for ${JSON.stringify(pick)}`);
  const v = await settled();
  assert(v.k0 <= +pick.key && +pick.key < v.k1 && v.q0 <= q && q < v.q1 && v.exact, `view ${JSON.stringify(v)} lacks (${q}, ${pick.key})`);
  await hoverChecks(+pick.layer, +pick.head, q, +pick.key);
  await shot('long-03-top-keys');
});

await check('head search ranks heads by the weight span A sends to span B; a result opens its head', async () => {
  const [a0, a1, b0, b1] = [T - 400, T, 0, 4];
  await page.fill('#span-a', `${a0}-${a1}`);
  await page.fill('#span-b', `${b0}-${b1}`);
  await page.click('#headsearch-go');
  await page.waitForFunction(() => document.querySelectorAll('#headsearch-list .hit').length > 0);
  const heads = await page.$$eval('#headsearch-list .hit', (bs) => bs.map((b) => ({ ...b.dataset })));
  for (const h of heads.slice(0, 3)) {
    let total = 0;
    for (let i = a0; i < a1; i++) for (let j = b0; j < b1; j++) total += file.weight(+h.layer, +h.head, i, j);
    assert(Math.abs(total / (a1 - a0) - +h.share) <= TOLERANCE, `layer ${h.layer} head ${h.head}: share ${h.share}, recomputed ${total / (a1 - a0)}`);
  }
  const n = await renders();
  await page.click(`#headsearch-list .hit[data-layer="${heads[0].layer}"][data-head="${heads[0].head}"]`);
  await ready(n);
  const v = await settled();
  const st = await page.evaluate(() => window.attnscope.state);
  assert(st.layer === +heads[0].layer && st.head === +heads[0].head && v.k0 === 0 && v.q1 === T, `opened ${st.layer}/${st.head} at ${JSON.stringify(v)}`);
  await shot('long-04-head-search');
});

await check('Lines view draws a window of the text from exact tiles', async () => {
  let n = await renders();
  await page.click('#tabs button[data-view="lines"]'); await ready(n);
  assert(await page.locator('#lines-start').count() === 1, 'no window controls');
  await page.fill('#lines-start', '100');
  await page.fill('#lines-width', '48');
  n = await renders();
  await page.click('#lines-go');
  await ready(n);
  const w = await page.evaluate(() => [+document.getElementById('lines-start').value, +document.getElementById('lines-width').value]);
  assert(w[0] === 100 && w[1] === 48, `window controls show ${w}`);
  assert(await page.locator('#lines-canvas').count() === 1, 'no lines canvas');
  assert(requests.some((u) => u.includes('/tile?') && u.includes('q0=100&q1=148&k0=100&k1=148')), 'no /tile for the window');
  const notes = await page.textContent('#notes');
  assert(notes.includes('tokens 100\u2013147'), `notes: ${notes}`);
  await shot('long-05-lines-window');
  n = await renders();
  await page.click('#tabs button[data-view="overview"]'); await ready(n);
});

await check('Steps view says it cannot draw whole heads of this length (and asks for none)', async () => {
  let n = await renders();
  await page.click('#tabs button[data-view="steps"]'); await ready(n);
  const error = await page.textContent('#error');
  assert(await page.isVisible('#error') && error.includes('whole heads') && error.includes(`${T.toLocaleString('en')} tokens`), `error: ${error}`);
  n = await renders();
  await page.click('#tabs button[data-view="overview"]'); await ready(n);
  assert(await page.isHidden('#error'), 'error still shown on the overview');
});

await check('no whole head requested and no console errors anywhere', async () => {
  assert(!requests.some((u) => u.includes('/block?')), `asked for a whole head: ${requests.filter((u) => u.includes('/block?'))}`);
  assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
});

await finish('web long set');
