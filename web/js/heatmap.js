// The one heatmap primitive every view composes: a [rows, cols] matrix on a canvas, token labels
// when the cells can hold them, a titled colour bar, and a hover read-out of the exact value.
// Colours are a display transform (optionally per-row max); the read-out is always the raw weight.
import { cssColor } from './colormap.js';

const LABEL_MIN_CELL = 9;  // px: smaller cells get no token labels (they would overlap)

function fmt(v) { return Number.isFinite(v) ? (Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(6) : v.toExponential(4)) : String(v); }

// opts: {values, rows, cols, rowLabels, colLabels, lut, vmin, vmax, normalise ('none'|'row'),
//        title, barTitle, maxSize, rowShown (rows >= it are dimmed), onPick(q, k)}
export function heatmap(opts) {
  const { values, rows, cols, lut } = opts;
  const maxSize = opts.maxSize ?? 640;
  const cell = Math.max(1, Math.min(28, Math.floor(maxSize / Math.max(rows, cols))));
  const labels = cell >= LABEL_MIN_CELL;
  const ctxProbe = document.createElement('canvas').getContext('2d');
  ctxProbe.font = '11px "DejaVu Sans Mono", monospace';
  const widest = (list) => Math.min(120, Math.max(0, ...(list || []).map((t) => ctxProbe.measureText(t).width)));
  const left = labels ? widest(opts.rowLabels) + 8 : 4;
  const top = labels ? widest(opts.colLabels) + 8 : 4;
  const w = cols * cell, h = rows * cell;
  const canvas = document.createElement('canvas');
  canvas.className = 'heatmap';
  canvas.width = left + w + 70;
  canvas.height = Math.max(top + h + 4, 140);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);

  // Cells at one pixel each, then scaled up without smoothing: fast at 2,048 x 2,048.
  let vmin = opts.vmin ?? 0, vmax = opts.vmax;
  if (vmax === undefined) { vmax = -Infinity; for (let i = 0; i < values.length; i++) if (values[i] > vmax) vmax = values[i]; }
  if (!(vmax > vmin)) vmax = vmin + 1;
  const img = new ImageData(cols, rows);
  const px = img.data;
  for (let r = 0; r < rows; r++) {
    let lo = vmin, span = vmax - vmin;
    if (opts.normalise === 'row') {
      let m = 0;
      for (let c = 0; c < cols; c++) m = Math.max(m, values[r * cols + c]);
      lo = 0; span = m > 0 ? m : 1;
    }
    const dim = opts.rowShown !== undefined && r >= opts.rowShown;
    for (let c = 0; c < cols; c++) {
      const t = (values[r * cols + c] - lo) / span;
      const li = Math.max(0, Math.min(255, Math.round(t * 255))) * 3, o = (r * cols + c) * 4;
      px[o] = lut[li]; px[o + 1] = lut[li + 1]; px[o + 2] = lut[li + 2]; px[o + 3] = dim ? 60 : 255;
    }
  }
  const off = document.createElement('canvas');
  off.width = cols; off.height = rows;
  off.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(off, left, top, w, h);

  if (labels) {
    ctx.fillStyle = '#1d1d1f';
    ctx.font = '11px "DejaVu Sans Mono", monospace';
    ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
    (opts.rowLabels || []).forEach((t, i) => ctx.fillText(t, left - 4, top + i * cell + cell / 2));
    ctx.save();
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'left';
    (opts.colLabels || []).forEach((t, i) => ctx.fillText(t, -(top - 4), left + i * cell + cell / 2));
    ctx.restore();
  }
  // Colour bar with its title and range.
  const bx = left + w + 14, by = top, bh = Math.max(100, Math.min(h, 300));
  for (let i = 0; i < bh; i++) { ctx.fillStyle = cssColor(lut, 1 - i / (bh - 1)); ctx.fillRect(bx, by + i, 12, 1); }
  ctx.fillStyle = '#1d1d1f'; ctx.font = '10px "DejaVu Sans", sans-serif'; ctx.textAlign = 'left'; ctx.textBaseline = 'middle';
  const barTop = opts.normalise === 'row' ? 'row max' : vmax.toFixed(3), barBottom = opts.normalise === 'row' ? '0' : vmin.toFixed(3);
  ctx.fillText(barTop, bx + 15, by + 4); ctx.fillText(barBottom, bx + 15, by + bh - 4);
  ctx.save(); ctx.translate(bx + 50, by + bh / 2); ctx.rotate(-Math.PI / 2); ctx.textAlign = 'center';
  ctx.fillText(opts.barTitle || 'attention weight', 0, 0); ctx.restore();

  // Geometry for tests and tools: cell (q, k) spans [x0 + k*cell, y0 + q*cell] + cell.
  Object.assign(canvas.dataset, { x0: left, y0: top, cell, rows, cols });
  const panel = document.createElement('div');
  panel.className = 'panel';
  if (opts.title) { const h2 = document.createElement('h2'); h2.textContent = opts.title; panel.append(h2); }
  const scroll = document.createElement('div');
  scroll.className = 'scroll';
  scroll.append(canvas);
  const readout = document.createElement('div');
  readout.className = 'readout';
  readout.id = opts.readoutId || '';
  readout.textContent = 'hover a cell for its exact weight';
  panel.append(scroll, readout);
  canvas.addEventListener('mousemove', (ev) => {
    const rect = canvas.getBoundingClientRect();
    const x = (ev.clientX - rect.left) * (canvas.width / rect.width) - left;
    const y = (ev.clientY - rect.top) * (canvas.height / rect.height) - top;
    const k = Math.floor(x / cell), q = Math.floor(y / cell);
    if (k < 0 || q < 0 || k >= cols || q >= rows) return;
    const v = values[q * cols + k];
    const qt = opts.rowLabels?.[q] ?? q, kt = opts.colLabels?.[k] ?? k;
    readout.textContent = `query ${q} ${JSON.stringify(qt)} \u2192 key ${k} ${JSON.stringify(kt)}: ${fmt(v)}${opts.approx ? ' (float16)' : ''}`;
    Object.assign(readout.dataset, { q, k, value: String(v) });
  });
  if (opts.onPick) canvas.addEventListener('click', () => { if (readout.dataset.q !== undefined) opts.onPick(+readout.dataset.q, +readout.dataset.k); });
  return { panel, canvas, readout };
}
