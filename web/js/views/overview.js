// Overview (seed 002): every layer x head of one kind as pooled thumbnails; click one for its
// detail heatmap with the hover read-out. The grid is built once per (set, run, kind, colours)
// and kept: clicking a thumbnail only moves the outline and draws the new detail head.
import { lut32 } from '../colormap.js';
import { heatmap } from '../heatmap.js';
import { axisTokens, blockName, el, findBlock, isLong } from './common.js';
import { longDetail } from './longhead.js';
import { longTools } from './longtools.js';

let kept = null;  // {key, grid, cells: [[canvas per head] per layer], th}
const ZOOM = 48;  // cells a side of the zoom window: token labels fit

// A window of ZOOM x ZOOM cells of a head too large to show cell by cell, around the cell
// clicked in the pooled detail; every cell drawn, on the detail's colour scale.
function zoomPanel(m, tokens, state, lut) {
  const wr = Math.min(ZOOM, m.rows), wc = Math.min(ZOOM, m.cols);
  const clamp = (x, hi) => Math.max(0, Math.min(hi, x));
  const q0 = clamp(state.zoom.q - (wr >> 1), m.rows - wr), k0 = clamp(state.zoom.k - (wc >> 1), m.cols - wc);
  const values = new Float32Array(wr * wc), rowMax = new Float32Array(wr);
  let vmax = 0;
  for (let i = 0; i < m.values.length; i++) if (m.values[i] > vmax) vmax = m.values[i];
  for (let r = 0; r < wr; r++) {
    const row = (q0 + r) * m.cols;
    for (let c = 0; c < m.cols; c++) rowMax[r] = Math.max(rowMax[r], m.values[row + c]);
    values.set(m.values.subarray(row + k0, row + k0 + wc), r * wc);
  }
  const z = heatmap({ values, rows: wr, cols: wc, rowLabels: tokens.rows.slice(q0, q0 + wr), colLabels: tokens.cols.slice(k0, k0 + wc),
    lut, vmin: 0, vmax, normalise: state.norm, rowMax, approx: m.dtype === 'f16', rowOffset: q0, colOffset: k0,
    readoutId: 'zoom-readout', title: `zoom: queries ${q0 + 1}\u2013${q0 + wr}, keys ${k0 + 1}\u2013${k0 + wc} (every cell)` });
  z.canvas.id = 'zoom-canvas';
  return z;
}

function buildGrid(th, lut, update) {
  const size = Math.max(20, Math.min(64, Math.floor(520 / Math.max(th.layers, th.heads))));
  const grid = el('div', { className: 'grid', id: 'grid' });
  grid.style.gridTemplateColumns = `auto repeat(${th.heads}, ${size}px)`;
  grid.append(el('div', { className: 'axis', textContent: 'layer \\ head' }));
  for (let h = 0; h < th.heads; h++) grid.append(el('div', { className: 'axis', textContent: String(h + 1) }));
  const colours = lut32(lut), cellBytes = th.rows * th.cols, cells = [];
  for (let l = 0; l < th.layers; l++) {
    grid.append(el('div', { className: 'axis', textContent: String(l + 1) }));
    cells.push([]);
    for (let h = 0; h < th.heads; h++) {
      const c = el('canvas', { width: th.cols, height: th.rows, title: `layer ${l + 1}, head ${h + 1}` });
      c.style.width = c.style.height = `${size}px`;
      Object.assign(c.dataset, { layer: l, head: h });
      const img = new ImageData(th.cols, th.rows);
      const px = new Uint32Array(img.data.buffer), base = (l * th.heads + h) * cellBytes;
      for (let i = 0; i < cellBytes; i++) px[i] = colours[th.values[base + i]];
      c.getContext('2d').putImageData(img, 0, 0);
      c.addEventListener('click', () => update({ layer: l, head: h }));
      cells[l].push(c);
      grid.append(c);
    }
  }
  return { grid, cells, size };
}

export async function renderOverview(ctx) {
  const { api, state, run, lut, root, notes } = ctx;
  const name = blockName(state.kind, state.layer);
  const block = findBlock(run, state.kind, state.layer);
  if (isLong(block)) return renderLongOverview(ctx, block);
  // Thumbnails and the detail head travel in parallel.
  // A page that embeds only some heads still draws the grid when a head cannot be had.
  const [th, m] = await Promise.all([api.thumbs(state.setId, state.run, state.kind),
    api.block(state.setId, state.run, name, state.head, state.merge).catch((e) => ({ missing: e }))]);
  const key = `${state.setId}/${state.run}/${state.kind}/${state.colormap}`;
  if (!kept || kept.key !== key) kept = { key, ...buildGrid(th, lut, ctx.update) };
  kept.cells.forEach((row, l) => row.forEach((c, h) =>
    c.classList.toggle('selected', l === state.layer && (h === state.head || state.head < 0))));  // mean: the whole row
  const first = findBlock(run, state.kind, 0);
  const pooled = th.rows < first.queries || th.cols < first.keys;
  root.append(el('div', { className: 'panel' }, el('h2', { textContent: `${state.kind}: layer \u00d7 head` }), kept.grid));
  notes.push(`thumbnails: each scaled to its own maximum${pooled ? `, max-pooled from ${first.queries}\u00d7${first.keys} to ${th.rows}\u00d7${th.cols}` : ''}`);

  if (m.missing) {
    ctx.fail(m.missing);
    return kept.grid;
  }
  const tokens = axisTokens(run, state.kind, state.merge);
  const headText = state.head < 0 ? `mean of ${block.heads} heads` : `head ${state.head + 1}`;
  // The detail sits beside the grid when the window allows: its width is what the grid leaves.
  const gridWidth = th.heads * (kept.size + 3) + 90;  // thumbnails, gaps, the layer axis
  const maxSize = Math.max(320, Math.min(640, window.innerWidth - gridWidth - 260));
  const view = heatmap({
    maxSize, values: m.values, rows: m.rows, cols: m.cols, rowLabels: tokens.rows, colLabels: tokens.cols, lut,
    normalise: state.norm, approx: m.dtype === 'f16', readoutId: 'readout',
    title: `${state.kind}, layer ${state.layer + 1}, ${headText}`,
    onPick: (q, k) => { if (!view.labels) ctx.update({ zoom: { q, k } }); },
  });
  view.canvas.id = 'detail-canvas';
  root.append(view.panel);
  if (!view.labels) {  // cells too small to label: click zooms in
    view.canvas.style.cursor = 'zoom-in';
    if (state.zoom) root.append(zoomPanel(m, tokens, state, lut).panel);
  }
  if (state.head < 0) notes.push('mean of heads');
  if (m.dtype === 'f16') notes.push('this head travelled as float16 (read-out to about 3 significant digits)');
  return view.canvas;
}

// A long head: thumbnails from the server's recorded pooling, the detail zoomable and read in
// pieces (views/longhead.js), and the tools for finding places in the text beside it. The whole
// head is never requested (/block would refuse it).
async function renderLongOverview(ctx, block) {
  const { api, state, run, lut, root, notes } = ctx;
  const tokens = axisTokens(run, state.kind, false);
  // The tools sit beside the grid; the detail takes a row of its own, up to 640 px.
  const size = Math.max(320, Math.min(640, window.innerWidth - 520));
  let tools = null;
  ctx.onQuery = (q) => tools?.showQuery(q);
  // Thumbnails and the pooled detail head travel in parallel.
  const [th, detail] = await Promise.all([api.thumbs(state.setId, state.run, state.kind),
    longDetail(ctx, block, tokens, size).catch((e) => ({ missing: e }))]);
  const key = `${state.setId}/${state.run}/${state.kind}/${state.colormap}`;
  if (detail.missing) {
    if (!kept || kept.key !== key) kept = { key, ...buildGrid(th, lut, ctx.update) };
    root.append(el('div', { className: 'panel' }, el('h2', { textContent: `${state.kind}: layer \u00d7 head` }), kept.grid));
    ctx.fail(detail.missing);
    return kept.grid;
  }
  ctx.repaint = detail.repaint;
  tools = longTools(ctx, block);
  if (!kept || kept.key !== key) kept = { key, ...buildGrid(th, lut, ctx.update) };
  kept.cells.forEach((row, l) => row.forEach((c, h) => c.classList.toggle('selected', l === state.layer && h === state.head)));
  root.append(el('div', { className: 'panel' }, el('h2', { textContent: `${state.kind}: layer \u00d7 head` }), kept.grid),
    tools.panel, detail.panel);
  const pool = th.pool ? `max over ${th.pool}\u00d7${th.pool} cells` : 'max-pooled';
  notes.push(`thumbnails: each scaled to its own maximum, ${pool} (${block.queries}\u00d7${block.keys} cells a head)`);
  notes.push('long head: read in pieces, never whole \u2014 the pooling and precision in effect are written under the view');
  ctx.detail = detail;
  return detail.canvas;
}
