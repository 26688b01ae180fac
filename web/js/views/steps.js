// Steps (seed 004): a slider over decoding steps; at step t the decoder's query attends over the
// source: its weights as bars, the heatmap with later steps dimmed, the output produced so far.
// For a decoder-only model (GPT-2, Llama) the steps are the generated tokens: at each, the query
// of the token before it attends over the prompt and everything generated so far.
import { heatmap } from '../heatmap.js';
import { cssColor } from '../colormap.js';
import { axisTokens, blockName, el, findBlock, servedWhole } from './common.js';

export async function renderSteps(ctx) {
  const { api, state, run, lut, root, notes } = ctx;
  const kinds = run.blocks.map((b) => b.kind);
  const kind = kinds.includes('cross') ? 'cross' : kinds.includes('decoder-self') ? 'decoder-self' : state.kind;
  const layer = kind === state.kind ? state.layer : Math.max(...run.blocks.filter((b) => b.kind === kind).map((b) => b.layer));
  const long = findBlock(run, kind, layer);
  if (!servedWhole(long)) throw new Error(`the Steps view draws whole heads; these are ${long.queries.toLocaleString('en')} tokens long: use Overview (zoom) or Lines (a window)`);
  const m = await api.block(state.setId, state.run, blockName(kind, layer), state.head, state.merge);
  const tokens = axisTokens(run, kind, state.merge);
  // Generation: rows from the last prompt token on produced the generated tokens.
  const prompt = kind === 'decoder-self' && !state.merge ? Number(run.info.prompt_tokens) || 0 : 0;
  const first = prompt > 0 ? Math.min(prompt - 1, m.rows - 1) : 0;
  // The last position of a generation produced nothing that was kept (the text ended there).
  const last = prompt > 0 ? Math.max(first, m.rows - 2) : m.rows - 1;
  state.step = Math.min(Math.max(state.step ?? 0, first), last);
  const slider = el('input', { type: 'range', min: first, max: last, value: state.step, id: 'step-slider' });
  const label = el('span', { id: 'step-label' });
  const out = el('div', { className: 'step-tokens' });
  const bars = el('canvas', { width: Math.max(300, tokens.cols.length * 26), height: 150 });
  const holder = el('div');
  const title = prompt > 0 ? `generated tokens (${kind}, layer ${layer + 1})` : `decoding steps (${kind}, layer ${layer + 1})`;
  root.append(el('div', { className: 'panel' }, el('h2', { textContent: title }),
    el('div', {}, slider, ' ', label), out, bars, holder));
  let canvas = null;
  function draw() {
    const t = state.step;
    if (prompt > 0) {
      const produced = t + 1 < tokens.rows.length ? JSON.stringify(tokens.rows[t + 1]) : '(not kept: generation stopped)';
      label.textContent = `generated token ${t - first + 1} of ${last - first + 1}: query ${JSON.stringify(tokens.rows[t])} \u2192 ${produced}`;
    } else {
      label.textContent = `step ${t + 1} of ${m.rows}: query ${JSON.stringify(tokens.rows[t])}`;
    }
    out.replaceChildren(...tokens.rows.map((s, i) => el('span', {
      className: [i === t ? 'current' : '', prompt > 0 && i >= prompt ? 'generated' : ''].join(' ').trim(), textContent: s })));
    const g = bars.getContext('2d'), n = m.cols, bw = bars.width / n;
    g.fillStyle = '#fff'; g.fillRect(0, 0, bars.width, bars.height);
    let mx = 0; for (let k = 0; k < n; k++) mx = Math.max(mx, m.values[t * n + k]);
    g.font = '11px "DejaVu Sans Mono", monospace'; g.textAlign = 'center';
    for (let k = 0; k < n; k++) {
      const v = m.values[t * n + k], h = (v / Math.max(mx, 1e-9)) * 110;
      g.fillStyle = cssColor(lut, v / Math.max(mx, 1e-9)); g.fillRect(k * bw + 1, 120 - h, bw - 2, h);
      g.fillStyle = '#1d1d1f'; if (bw >= 8) g.fillText(tokens.cols[k], k * bw + bw / 2, 134);
    }
    const v = heatmap({ values: m.values, rows: m.rows, cols: m.cols, rowLabels: tokens.rows, colLabels: tokens.cols, lut,
      normalise: state.norm, rowShown: t + 1, title: 'steps so far (later steps dimmed)' });
    holder.replaceChildren(v.panel);
    canvas = v.canvas;
  }
  slider.addEventListener('input', () => { state.step = +slider.value; draw(); });
  draw();
  notes.push('bars: the weights of the current step, scaled to its maximum');
  if (prompt > 0) notes.push(`rows from the prompt's last token on: each produced the next token (${prompt} prompt tokens; generated ones underlined)`);
  return canvas;
}
