// The viewer in real headless Chromium (Debian's /usr/bin/chromium via playwright-core; no browser
// download). usage: node viewer.test.mjs URL GRID_FILE SCREENSHOT_DIR [EXPORTED_HTML [LONG_FILE]]
// GRID_FILE is the 3-layer x 4-head set the server was started with (make_set.py 3 4 10);
// LONG_FILE a 1 x 2 x 700-token one (make_set.py 1 2 700), too long to draw cell by cell.
import fs from 'node:fs';
import { assert, openBrowser } from './harness.mjs';

const [url, gridFile, shots, html, longFile] = process.argv.slice(2);

// Reads one float32 weight straight from the .attn.safetensors file (docs/attention-file.md).
function weightFromFile(file, tensor, h, q, k) {
  const buf = fs.readFileSync(file);
  const n = Number(buf.readBigUInt64LE(0));
  const header = JSON.parse(buf.subarray(8, 8 + n).toString());
  const t = header[tensor];
  const [, Q, K] = t.shape;
  return buf.readFloatLE(8 + n + t.data_offsets[0] + ((h * Q + q) * K + k) * 4);
}

const { page, consoleErrors, check, ready, renders, shot, finish } = await openBrowser({ shots });

// Hovers cell (q, k) of a heatmap canvas using the geometry it publishes.
async function hover(selector, q, k) {
  const c = page.locator(selector);
  const d = await c.evaluate((e) => ({ ...e.dataset }));
  const cell = +d.cell;
  await c.hover({ position: { x: +d.x0 + k * cell + cell / 2, y: +d.y0 + q * cell + cell / 2 } });
}

await check('page loads with no console errors', async () => {
  await page.goto(url);
  await ready();
  await shot('01-overview');
  assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
});

await check('grid cell (layer 2, head 3) shows that head, read-out equals the file', async () => {
  const n = await renders();
  await page.selectOption('#set', { label: 'grid.attn.safetensors' });
  await ready(n);
  const m = await renders();
  await page.click('#grid canvas[data-layer="1"][data-head="2"]');
  await ready(m);
  const title = await page.textContent('#view .panel:nth-child(2) h2');
  assert(title.includes('layer 2, head 3'), `detail title is '${title}'`);
  // Counted from 1 as the static figures count; the stored block (from 0) in the notes.
  const notes = await page.textContent('#notes');
  assert(notes.includes('layer 2 is the stored block encoder-self.1'), `notes are '${notes}'`);
  assert(await page.locator('#grid canvas.selected[data-layer="1"][data-head="2"]').count() === 1, 'cell not highlighted');
  await hover('#detail-canvas', 3, 5);
  const shown = await page.locator('#readout').evaluate((e) => ({ ...e.dataset, text: e.textContent }));
  const expected = weightFromFile(gridFile, 'encoder-self.1', 2, 3, 5);
  assert(+shown.q === 3 && +shown.k === 5, `hovered (${shown.q}, ${shown.k})`);
  assert(Math.fround(parseFloat(shown.value)) === expected, `read-out ${shown.value} != file ${expected}`);
  const printed = parseFloat(shown.text.split(': ').pop());
  assert(Math.abs(printed - expected) <= Math.abs(expected) * 1e-5, `text '${shown.text}' does not show ${expected}`);
  await shot('02-grid-detail');
});

await check('switchers: mean of heads, magma, per-row max, lines view', async () => {
  let n = await renders();
  await page.selectOption('#head', '-1'); await ready(n); n = await renders();
  await page.selectOption('#colormap', 'magma'); await ready(n); n = await renders();
  await page.selectOption('#norm', 'row'); await ready(n);
  const notes = await page.textContent('#notes');
  assert(notes.includes('mean of heads') && notes.includes('per row'), `notes: ${notes}`);
  await shot('03-mean-magma-rownorm');
  n = await renders();
  await page.click('#tabs button[data-view="lines"]'); await ready(n);
  assert(await page.locator('#lines-canvas').count() === 1, 'no lines canvas');
  await page.uncheck('.heads-toggle input[data-head="0"]');
  await shot('04-heads');
  n = await renders();
  await page.selectOption('#norm', 'none'); await ready(n); n = await renders();
  await page.selectOption('#colormap', 'viridis'); await ready(n); n = await renders();
  await page.click('#tabs button[data-view="overview"]'); await ready(n);
});

await check('typing a new input runs the model and redraws', async () => {
  const n = await renders();
  await page.fill('#input', 'abcdefgh');
  await page.press('#input', 'Enter');
  await ready(n);
  const summary = await page.textContent('#summary');
  assert(summary.includes('"abcdefgh"'), `summary: ${summary}`);
  const rows = await page.locator('#detail-canvas').evaluate((e) => +e.dataset.rows);
  const out = await page.evaluate(async () => (await window.attnscope.api.set(window.attnscope.state.setId)).runs[0]);
  assert(rows === out.target_tokens.length, `detail rows ${rows} vs ${out.target_tokens.length} target tokens`);
  await shot('05-new-input');
});

await check('input outside the vocabulary: one-line error on screen, no crash', async () => {
  await page.fill('#input', 'abc!');
  await page.press('#input', 'Enter');
  await page.waitForSelector('#error:not([hidden])');
  const text = await page.textContent('#error');
  assert(/position|vocabulary|'!'/.test(text) && !text.includes('\n'), `error: ${text}`);
  await shot('06-bad-input');
});

await check('masking tokens produces the compare view', async () => {
  let n = await renders();
  await page.click('#tabs button[data-view="compare"]'); await ready(n);
  await page.click('#mask-chips .chip[data-pos="0"]');
  await page.click('#mask-chips .chip[data-pos="1"]');
  n = await renders();
  await page.click('#run-masked');
  await ready(n);
  await page.waitForSelector('#compare-diff');
  for (const id of ['#compare-original', '#compare-masked', '#compare-diff']) assert(await page.locator(id).count() === 1, `${id} missing`);
  const note = await page.textContent('#mask-note');
  assert(note.includes("replaced by '"), `note: ${note}`);
  await shot('07-compare');
});

await check('steps view: slider moves the current step', async () => {
  const n = await renders();
  await page.click('#tabs button[data-view="steps"]'); await ready(n);
  await page.locator('#step-slider').fill('3');
  const label = await page.textContent('#step-label');
  assert(label.startsWith('step 4 of'), `label: ${label}`);
  await shot('08-steps');
});

if (longFile) {
  await check('700 tokens: pooled detail reads out its strongest cell; click zooms to exact cells', async () => {
    let n = await renders();
    await page.click('#tabs button[data-view="overview"]'); await ready(n); n = await renders();
    await page.selectOption('#set', { label: 'long.attn.safetensors' }); await ready(n); n = await renders();
    await page.click('#grid canvas[data-layer="0"][data-head="1"]'); await ready(n);
    const title = await page.textContent('#view .panel:nth-child(2) h2');
    assert(title.includes('head 2') && title.includes('strongest of 2\u00d72 cells'), `detail title is '${title}'`);
    const c = page.locator('#detail-canvas');
    const d = await c.evaluate((e) => ({ ...e.dataset }));
    assert(+d.pool === 2, `pool ${d.pool}`);
    const [pi, pj] = [100, 98];  // next to the diagonal: the zoom shows it
    await c.hover({ position: { x: +d.x0 + pj * +d.cell + 0.5, y: +d.y0 + pi * +d.cell + 0.5 } });
    let best = [-1, -1, -1];
    for (let q = 2 * pi; q < 2 * pi + 2; q++) for (let k = 2 * pj; k < 2 * pj + 2; k++) {
      const v = weightFromFile(longFile, 'encoder-self.0', 1, q, k);
      if (v > best[2]) best = [q, k, v];
    }
    const shown = await page.locator('#readout').evaluate((e) => ({ ...e.dataset, text: e.textContent }));
    assert(+shown.q === best[0] && +shown.k === best[1], `read-out cell (${shown.q}, ${shown.k}), strongest is (${best[0]}, ${best[1]})`);
    assert(Math.abs(+shown.value - best[2]) <= best[2] * 1e-3, `read-out ${shown.value} vs file ${best[2]} (float16)`);
    assert(shown.text.includes('(float16)'), `text: ${shown.text}`);
    n = await renders();
    await c.click({ position: { x: +d.x0 + pj * +d.cell + 0.5, y: +d.y0 + pi * +d.cell + 0.5 } });
    await ready(n);
    const z = page.locator('#zoom-canvas');
    const zd = await z.evaluate((e) => ({ ...e.dataset }));
    assert(+zd.pool === 1 && +zd.rows === 48, `zoom geometry ${JSON.stringify(zd)}`);
    await z.hover({ position: { x: +zd.x0 + 4.5 * +zd.cell, y: +zd.y0 + 3.5 * +zd.cell } });
    const zs = await page.locator('#zoom-readout').evaluate((e) => ({ ...e.dataset }));
    const expected = weightFromFile(longFile, 'encoder-self.0', 1, +zs.q, +zs.k);
    // The window is centred on the clicked cell: 24 cells before it on each axis.
    assert(+zs.q === best[0] - 24 + 3 && +zs.k === best[1] - 24 + 4 && Math.abs(+zs.value - expected) <= expected * 1e-3,
      `zoom read-out (${zs.q}, ${zs.k}) = ${zs.value}, file ${expected}`);
    await shot('09-long-zoom');
  });
}

await check('bad API requests get 4xx and one line of JSON', async () => {
  const cases = [['/api/sets/999', 404], ['/api/sets/0/block?run=0&block=cross.7&head=0', 404],
    ['/api/sets/0/block?run=9&block=encoder-self.0&head=0', 404], ['/api/sets/0/block?head=x', 400]];
  for (const [u, status] of cases) {
    const r = await page.request.get(url.replace(/\/$/, '') + u);
    assert(r.status() === status, `${u}: ${r.status()}`);
    const body = await r.text();
    assert(!body.includes('\n') && JSON.parse(body).error, `${u}: ${body}`);
  }
  for (const [body, status] of [['{"input": ', 400], ['{"model": "nope", "input": "abc"}', 404], ['{"input": "ABC"}', 400],
    ['{"input": "abc", "mask": [7]}', 400]]) {
    const r = await page.request.post(url.replace(/\/$/, '') + '/api/run', { data: body, headers: { 'Content-Type': 'application/json' } });
    assert(r.status() === status, `POST ${body}: ${r.status()} ${await r.text()}`);
  }
});

if (html) {
  await check('exported HTML works from file:// with no fetches', async () => {
    consoleErrors.length = 0;
    const requests = [];
    page.on('request', (r) => { if (!r.url().startsWith('file:') && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) requests.push(r.url()); });
    await page.goto('file://' + html);
    await ready();
    const m = await renders();
    await page.click('#grid canvas[data-layer="2"][data-head="1"]');
    await ready(m);
    await hover('#detail-canvas', 4, 2);
    const v = await page.locator('#readout').evaluate((e) => e.dataset.value);
    const expected = weightFromFile(gridFile, 'encoder-self.2', 1, 4, 2);
    assert(Math.fround(parseFloat(v)) === expected, `read-out ${v} != file ${expected}`);
    assert(consoleErrors.length === 0, `console errors: ${consoleErrors.join(' | ')}`);
    assert(requests.length === 0, `network requests: ${requests.join(' ')}`);
    await shot('10-exported-file');
  });
} else {
  console.log('note: attnscope export has no --html yet; exported-page check not run');
}

await finish('web viewer');
