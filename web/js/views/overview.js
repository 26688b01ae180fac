// Overview (seed 002): every layer x head of one kind as pooled thumbnails; click one for its
// detail heatmap with the hover read-out.
import { heatmap } from '../heatmap.js';
import { axisTokens, blockName, el, findBlock } from './common.js';

export async function renderOverview(ctx) {
  const { api, state, run, lut, root, notes } = ctx;
  const th = await api.thumbs(state.setId, state.run, state.kind);
  const size = Math.max(20, Math.min(64, Math.floor(520 / Math.max(th.layers, th.heads))));
  const grid = el('div', { className: 'grid', id: 'grid' });
  grid.style.gridTemplateColumns = `auto repeat(${th.heads}, ${size}px)`;
  grid.append(el('div', { className: 'axis', textContent: 'layer \\ head' }));
  for (let h = 0; h < th.heads; h++) grid.append(el('div', { className: 'axis', textContent: String(h + 1) }));
  const cellBytes = th.rows * th.cols;
  for (let l = 0; l < th.layers; l++) {
    grid.append(el('div', { className: 'axis', textContent: String(l + 1) }));
    for (let h = 0; h < th.heads; h++) {
      const c = el('canvas', { width: th.cols, height: th.rows, title: `layer ${l + 1}, head ${h + 1}` });
      c.style.width = c.style.height = `${size}px`;
      Object.assign(c.dataset, { layer: l, head: h });
      const img = new ImageData(th.cols, th.rows);
      const base = (l * th.heads + h) * cellBytes;
      for (let i = 0; i < cellBytes; i++) {
        const li = th.values[base + i] * 3;
        img.data.set([lut[li], lut[li + 1], lut[li + 2], 255], i * 4);
      }
      c.getContext('2d').putImageData(img, 0, 0);
      if (l === state.layer && h === state.head) c.classList.add('selected');
      c.addEventListener('click', () => ctx.update({ layer: l, head: h }));
      grid.append(c);
    }
  }
  const pooled = th.rows < findBlock(run, state.kind, 0).queries || th.cols < findBlock(run, state.kind, 0).keys;
  root.append(el('div', { className: 'panel' }, el('h2', { textContent: `${state.kind}: layer \u00d7 head` }), grid));
  notes.push(`thumbnails: each scaled to its own maximum${pooled ? `, max-pooled to ${th.rows}\u00d7${th.cols}` : ''}`);

  const block = findBlock(run, state.kind, state.layer);
  const m = await api.block(state.setId, state.run, blockName(state.kind, state.layer), state.head, state.merge);
  const tokens = axisTokens(run, state.kind, state.merge);
  const headText = state.head < 0 ? `mean of ${block.heads} heads` : `head ${state.head + 1}`;
  const view = heatmap({
    values: m.values, rows: m.rows, cols: m.cols, rowLabels: tokens.rows, colLabels: tokens.cols, lut,
    normalise: state.norm, approx: m.dtype === 'f16', readoutId: 'readout',
    title: `${state.kind}, layer ${state.layer + 1}, ${headText}`,
  });
  view.canvas.id = 'detail-canvas';
  root.append(view.panel);
  if (state.head < 0) notes.push('mean of heads');
  if (m.dtype === 'f16') notes.push('this head travelled as float16 (read-out to ~3 digits)');
  return view.canvas;
}
