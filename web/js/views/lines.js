// Lines view (seed 000; "lines" in attnscope render): query tokens on the left, key tokens on the right, one line per
// (query, key) whose opacity is the weight, one colour per head; heads toggled, hover a token to
// see only its lines.
import { displayToken } from '../heatmap.js';
import { axisTokens, blockName, el, findBlock, HEAD_COLORS, isLong } from './common.js';

const MAX_TOKENS = 256;  // beyond this the lines are an unreadable smear; use the overview

// A long head: only a window of the text (start, width), each head's exact /tile of it; the
// window's controls go above the lines.
async function longWindow(ctx, block, tokens, controls) {
  const { api, state, notes } = ctx;
  const n = Math.min(block.queries, block.keys);
  const width = Math.max(2, Math.min(MAX_TOKENS, n, Math.floor(state.linesWindow?.width ?? 64)));
  const start = Math.max(0, Math.min(n - width, Math.floor(state.linesWindow?.start ?? 0)));
  const r = { q0: start, q1: start + width, k0: start, k1: start + width };
  const mats = await Promise.all(Array.from({ length: block.heads }, (_, h) =>
    api.tile(state.setId, state.run, blockName(state.kind, state.layer), h, r)));
  const startIn = el('input', { type: 'number', id: 'lines-start', min: 0, max: n - 2, value: start });
  const widthIn = el('input', { type: 'number', id: 'lines-width', min: 2, max: MAX_TOKENS, value: width });
  startIn.style.width = '6em'; widthIn.style.width = '4.5em';
  const go = () => ctx.update({ linesWindow: { start: +startIn.value, width: +widthIn.value } });
  const show = el('button', { type: 'button', id: 'lines-go', textContent: 'show' });
  show.addEventListener('click', go);
  for (const i of [startIn, widthIn]) i.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') go(); });
  controls.append(el('label', {}, 'window start ', startIn), el('label', {}, ' width ', widthIn), show);
  notes.push(`lines view: tokens ${start}\u2013${start + width - 1} of ${n} attending to each other (exact float32 tiles; weights to keys outside the window not drawn)`);
  return { mats, rows: width, cols: width, tokens: { rows: tokens.rows.slice(start, start + width), cols: tokens.cols.slice(start, start + width) } };
}

export async function renderLines(ctx) {
  const { api, state, run, root, notes } = ctx;
  const block = findBlock(run, state.kind, state.layer);
  let tokens = axisTokens(run, state.kind, state.merge);
  if (!state.headsOn || state.headsOn.size === 0 || Math.max(...state.headsOn) >= block.heads)
    state.headsOn = new Set(Array.from({ length: block.heads }, (_, i) => i));
  const windowControls = el('div', { className: 'row', id: 'lines-window' });
  let mats, rows, cols;
  if (isLong(block)) {
    ({ mats, rows, cols, tokens } = await longWindow(ctx, block, tokens, windowControls));
  } else {
    mats = await Promise.all(Array.from({ length: block.heads }, (_, h) =>
      api.block(state.setId, state.run, blockName(state.kind, state.layer), h, state.merge)));
    rows = Math.min(mats[0].rows, MAX_TOKENS); cols = Math.min(mats[0].cols, MAX_TOKENS);
    if (rows < mats[0].rows || cols < mats[0].cols) notes.push(`lines view: first ${MAX_TOKENS} tokens of each side`);
  }

  const toggles = el('div', { className: 'heads-toggle' });
  for (let h = 0; h < block.heads; h++) {
    const box = el('input', { type: 'checkbox', checked: state.headsOn.has(h) });
    box.dataset.head = h;
    box.addEventListener('change', () => { box.checked ? state.headsOn.add(h) : state.headsOn.delete(h); draw(-1); });
    const sw = el('span', { className: 'swatch' }); sw.style.background = HEAD_COLORS[h % HEAD_COLORS.length];
    toggles.append(el('label', {}, box, sw, `head ${h + 1}`));
  }
  const line = 18, width = 520, pad = 12;
  const canvas = el('canvas', { width, height: Math.max(rows, cols) * line + 2 * pad, id: 'lines-canvas' });
  const g = canvas.getContext('2d');
  const ly = (i) => pad + i * line + line / 2;
  function draw(focus) {
    g.fillStyle = '#fff'; g.fillRect(0, 0, canvas.width, canvas.height);
    g.font = '12px "DejaVu Sans Mono", monospace'; g.textBaseline = 'middle';
    for (const h of state.headsOn) {
      g.strokeStyle = HEAD_COLORS[h % HEAD_COLORS.length];
      const v = mats[h].values, c0 = mats[h].cols;
      for (let q = 0; q < rows; q++) {
        if (focus >= 0 && q !== focus) continue;
        for (let k = 0; k < cols; k++) {
          const w = v[q * c0 + k];
          if (w < 0.01) continue;
          g.globalAlpha = Math.min(1, w * (focus >= 0 ? 1 : 0.9));
          g.lineWidth = 2;
          g.beginPath(); g.moveTo(150, ly(q)); g.lineTo(width - 150, ly(k)); g.stroke();
        }
      }
    }
    g.globalAlpha = 1; g.fillStyle = '#1d1d1f';
    g.textAlign = 'right'; for (let q = 0; q < rows; q++) g.fillText(displayToken(tokens.rows[q]), 140, ly(q));
    g.textAlign = 'left'; for (let k = 0; k < cols; k++) g.fillText(displayToken(tokens.cols[k]), width - 140, ly(k));
  }
  canvas.addEventListener('mousemove', (ev) => {
    const r = canvas.getBoundingClientRect();
    const x = ev.clientX - r.left, q = Math.floor((ev.clientY - r.top - pad) / line);
    draw(x < width / 2 && q >= 0 && q < rows ? q : -1);
  });
  canvas.addEventListener('mouseleave', () => draw(-1));
  draw(-1);
  const left = state.kind === 'encoder-self' ? 'source' : 'target';
  const right = state.kind === 'decoder-self' ? 'target' : 'source';
  root.append(el('div', { className: 'panel' },
    el('h2', { textContent: `${state.kind}, layer ${state.layer + 1}: ${left} (queries) \u2192 ${right} (keys)` }),
    ...(windowControls.childElementCount ? [windowControls] : []), toggles,
    el('div', { className: 'scroll' }, canvas)));
  notes.push('line opacity = weight; lines under 0.01 hidden; hover a query token to isolate its lines');
  return canvas;
}
