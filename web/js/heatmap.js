// The one heatmap primitive every view composes: a [rows, cols] matrix on a canvas, token labels
// when the cells can hold them, a titled colour bar, and a hover read-out of the exact value.
// Colours are a display transform (optionally per-row max); the read-out is always the raw weight.
// A matrix larger than the space is drawn max-pooled (each pixel the strongest of pool x pool
// cells, and the title says so); hovering a pixel then reads out its strongest cell.
import { lut32 } from './colormap.js';

const LABEL_MIN_CELL = 9;  // px: smaller cells get no token labels (they would overlap)

// A whitespace-only token (character-level models) is shown as one middle dot per character, as
// in the static figures (src/render/labels.h: display_token).
export function displayToken(t) { return typeof t === 'string' && t.length > 0 && t.trim() === '' ? '\u00b7'.repeat(t.length) : t; }

// float32 holds about seven significant digits, float16 about three: print what was sent.
function fmt(v, approx) { return Number.isFinite(v) ? (v === 0 ? '0' : v.toPrecision(approx ? 4 : 6)) : String(v); }

// The per-row loops are small functions of their own: V8 optimises a function called once per row
// at once, where one long loop in heatmap() would wait for on-stack replacement.
function rowMaximum(values, o, n) {
  let m = 0;
  for (let c = 0; c < n; c++) if (values[o + c] > m) m = values[o + c];
  return m;
}

// One row straight into pixels: colour index = round((value - lo) * scale), clamped.
function colourRow(values, o, n, lo, scale, colours, px, dim) {
  for (let c = 0; c < n; c++) {
    const i = Math.round((values[o + c] - lo) * scale);
    const colour = colours[i < 0 ? 0 : i > 255 ? 255 : i];
    px[o + c] = dim ? (colour & 0x00ffffff | 60 << 24) >>> 0 : colour;
  }
}

// One row max-pooled into shades in [0, 1]: shade[base + colBin[c]] = max(..., (value - lo) * inv).
function poolRow(values, o, n, lo, inv, shade, base, colBin) {
  for (let c = 0; c < n; c++) {
    const t = (values[o + c] - lo) * inv, i = base + colBin[c];
    if (t > shade[i]) shade[i] = t;
  }
}

// opts: {values, rows, cols, rowLabels, colLabels, lut, vmin, vmax, normalise ('none'|'row'),
//        rowMax (per-row maxima for 'row' when values is a window of larger rows), title,
//        barTitle, maxSize (px), rowShown (rows >= it are dimmed), approx (float16 values),
//        rowOffset, colOffset (indices shown in the read-out), readoutId, onPick(q, k)}
export function heatmap(opts) {
  const { values, rows, cols, lut } = opts;
  const maxSize = opts.maxSize ?? 640;
  const pool = Math.max(1, Math.ceil(Math.max(rows, cols) / maxSize));
  const pr = Math.ceil(rows / pool), pc = Math.ceil(cols / pool);  // pixels of the image
  const cell = Math.max(1, Math.min(28, Math.floor(maxSize / Math.max(pr, pc))));
  const labels = pool === 1 && cell >= LABEL_MIN_CELL;
  const ctxProbe = document.createElement('canvas').getContext('2d');
  ctxProbe.font = '11px "DejaVu Sans Mono", monospace';
  const widest = (list) => Math.min(120, (list || []).reduce((m, t) => Math.max(m, ctxProbe.measureText(displayToken(t)).width), 0));
  const left = labels ? widest(opts.rowLabels) + 8 : 4;
  const top = labels ? widest(opts.colLabels) + 8 : 4;
  const w = pc * cell, h = pr * cell;
  const canvas = document.createElement('canvas');
  canvas.className = 'heatmap';
  canvas.width = left + w + 96;
  canvas.height = Math.max(top + h + 4, 140);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);

  // One pixel per cell (or per pool x pool cells, their strongest), then scaled up unsmoothed.
  let vmin = opts.vmin ?? 0, vmax = opts.vmax;
  if (vmax === undefined) { vmax = 0; for (let r = 0; r < rows; r++) vmax = Math.max(vmax, rowMaximum(values, r * cols, cols)); }
  if (!(vmax > vmin)) vmax = vmin + 1;
  const img = new ImageData(pc, pr);
  const px = new Uint32Array(img.data.buffer), colours = lut32(lut);
  const shade = pool > 1 ? new Float32Array(pr * pc).fill(-Infinity) : null;
  const colBin = new Int32Array(cols);
  for (let c = 0; c < cols; c++) colBin[c] = Math.floor(c / pool);
  for (let r = 0; r < rows; r++) {
    let lo = vmin, span = vmax - vmin;
    if (opts.normalise === 'row') {
      lo = 0;
      span = opts.rowMax ? opts.rowMax[r] : rowMaximum(values, r * cols, cols);
      if (!(span > 0)) span = 1;
    }
    const dim = opts.rowShown !== undefined && r >= opts.rowShown;
    if (shade) poolRow(values, r * cols, cols, lo, 1 / span, shade, Math.floor(r / pool) * pc, colBin);
    else colourRow(values, r * cols, cols, lo, 255 / span, colours, px, dim);
  }
  if (shade) {
    for (let r = 0; r < pr; r++) colourRow(shade, r * pc, pc, 0, 255, colours, px, opts.rowShown !== undefined && r * pool >= opts.rowShown);
  }
  const off = document.createElement('canvas');
  off.width = pc; off.height = pr;
  off.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, left, top, w, h);

  if (labels) {
    ctx.fillStyle = '#1d1d1f';
    ctx.font = '11px "DejaVu Sans Mono", monospace';
    ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    (opts.rowLabels || []).forEach((t, i) => ctx.fillText(displayToken(t), left - 4, top + i * cell + cell / 2));
    ctx.save();
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'left';
    (opts.colLabels || []).forEach((t, i) => ctx.fillText(displayToken(t), -(top - 4), left + i * cell + cell / 2));
    ctx.restore();
  }
  // Colour bar with its title and range.
  const bx = left + w + 14, by = top, bh = Math.max(100, Math.min(h, 300));
  const bar = new ImageData(12, bh), barPx = new Uint32Array(bar.data.buffer);
  for (let i = 0; i < bh; i++) barPx.fill(colours[Math.round((1 - i / (bh - 1)) * 255)], i * 12, (i + 1) * 12);
  ctx.putImageData(bar, bx, by);
  ctx.fillStyle = '#1d1d1f'; ctx.font = '10px "DejaVu Sans", sans-serif'; ctx.textAlign = 'left'; ctx.textBaseline = 'middle';
  const short = (v) => (v === 0 ? '0' : String(Number(v.toPrecision(3))));
  const barTop = opts.normalise === 'row' ? 'row max' : short(vmax), barBottom = opts.normalise === 'row' ? '0' : short(vmin);
  ctx.fillText(barTop, bx + 15, by + 4); ctx.fillText(barBottom, bx + 15, by + bh - 4);
  ctx.save(); ctx.translate(bx + 64, by + bh / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = 'center';
  ctx.fillText(opts.barTitle || (opts.normalise === 'row' ? 'weight / row maximum' : 'attention weight'), 0, 0); ctx.restore();

  // Geometry for tests and tools: pixel block (q, k) spans [x0 + k*cell, y0 + q*cell] + cell
  // and covers cells [q*pool, (q+1)*pool) x [k*pool, (k+1)*pool).
  Object.assign(canvas.dataset, { x0: left, y0: top, cell, rows, cols, pool });
  const panel = document.createElement('div');
  panel.className = 'panel';
  if (opts.title || pool > 1) {
    const h2 = document.createElement('h2');
    h2.textContent = (opts.title || '') + (pool > 1 ? ` \u2014 each pixel: the strongest of ${pool}\u00d7${pool} cells` : '');
    panel.append(h2);
  }
  const scroll = document.createElement('div');
  scroll.className = 'scroll';
  scroll.append(canvas);
  const readout = document.createElement('div');
  readout.className = 'readout';
  readout.id = opts.readoutId || '';
  readout.textContent = pool > 1 ? 'hover for the strongest cell under the pointer' : 'hover a cell for its exact weight';
  if (opts.onPick && !labels) readout.textContent += '; click to zoom in';
  panel.append(scroll, readout);
  const rowOffset = opts.rowOffset ?? 0, colOffset = opts.colOffset ?? 0;
  canvas.addEventListener('mousemove', (ev) => {
    const rect = canvas.getBoundingClientRect();
    const x = (ev.clientX - rect.left) * (canvas.width / rect.width) - left;
    const y = (ev.clientY - rect.top) * (canvas.height / rect.height) - top;
    const pj = Math.floor(x / cell), pi = Math.floor(y / cell);
    if (pj < 0 || pi < 0 || pj >= pc || pi >= pr) return;
    let q = pi * pool, k = pj * pool;  // the strongest cell of the block
    for (let r = pi * pool; r < Math.min(rows, (pi + 1) * pool); r++)
      for (let c = pj * pool; c < Math.min(cols, (pj + 1) * pool); c++) if (values[r * cols + c] > values[q * cols + k]) { q = r; k = c; }
    const v = values[q * cols + k];
    const qt = opts.rowLabels?.[q] ?? q, kt = opts.colLabels?.[k] ?? k;
    const where = pool > 1 ? ` (strongest of the ${pool}\u00d7${pool} cells here)` : '';
    readout.textContent = `query ${q + rowOffset} ${JSON.stringify(qt)} \u2192 key ${k + colOffset} ${JSON.stringify(kt)}: ` +
      `${fmt(v, opts.approx)}${opts.approx ? ' (float16)' : ''}${where}`;
    Object.assign(readout.dataset, { q: q + rowOffset, k: k + colOffset, value: String(v) });
  });
  if (opts.onPick) canvas.addEventListener('click', () => { if (readout.dataset.q !== undefined) opts.onPick(+readout.dataset.q, +readout.dataset.k); });
  return { panel, canvas, readout, pool, labels };
}
