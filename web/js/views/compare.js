// Compare (seed 001): click source tokens to mask them, re-run, and see the original, the masked
// run (one shared colour scale) and their difference (masked - original, diverging map).
import { displayToken, heatmap } from '../heatmap.js';
import { axisTokens, blockName, el, findBlock, servedWhole } from './common.js';

// The tokens a run's model read: the source, or a decoder's prompt (its first prompt_tokens).
function inputTokens(run) {
  if (run.source_tokens.length) return run.source_tokens;
  const n = Number(run.info.prompt_tokens);
  return Number.isFinite(n) && n > 0 ? run.target_tokens.slice(0, n) : run.target_tokens;
}

export async function renderCompare(ctx) {
  const { api, state, set, lut, luts, root, notes, models } = ctx;
  const run0 = set.runs[0];
  const isPair = set.runs.length >= 2 && set.runs[1].name === 'masked';
  const model = models.find((m) => m.name === state.model);
  // Choosing tokens to mask: the tokens the model read (a decoder's prompt; </s> cannot be masked).
  const chips = el('div', { className: 'chips', id: 'mask-chips' });
  const masked = new Set(isPair ? JSON.parse(set.runs[1].info.mask_positions || '[]') : []);
  inputTokens(run0).forEach((t, i) => {
    if (t === '</s>') return;
    const chip = el('button', { className: 'chip' + (masked.has(i) ? ' masked' : ''), textContent: displayToken(t) });
    chip.dataset.pos = i;
    chip.addEventListener('click', () => { masked.has(i) ? masked.delete(i) : masked.add(i); chip.classList.toggle('masked'); });
    chips.append(chip);
  });
  const go = el('button', { textContent: 'Run masked', id: 'run-masked', disabled: !model });
  go.addEventListener('click', async () => {
    if (masked.size === 0) return ctx.fail(new Error('click source tokens to mask first'));
    try {
      // A decoder reruns the original with as many new tokens as it generated.
      const generated = run0.target_tokens.length - Number(run0.info.prompt_tokens || 0);
      const extra = run0.info.prompt_tokens && generated > 0 ? { max_new_tokens: generated } : {};
      const d = await api.run(model.name, run0.input, [...masked].sort((a, b) => a - b), extra);
      await ctx.openSet(d.id, { view: 'compare', run: 0 });
    } catch (e) { ctx.fail(e); }
  });
  const placeholder = model?.placeholder ?? (isPair ? set.runs[1].info.mask_placeholder : undefined);
  const how = !model ? 'Masking needs a model (start the server with --model).'
    : model.placeholder !== undefined
      ? `No [MASK] token in this character vocabulary: masked characters are replaced by '${placeholder}'.`
      : model.mask_is_substitute
        ? `${model.name} has no mask token: masked tokens are replaced by ${model.mask_token}.`
        : `Masked tokens are replaced by ${model.mask_token}.`;
  const forced = model && model.role !== 'encoder' ? ' The masked run is forced onto the original output, so both share one target.' : '';
  root.append(el('div', { className: 'panel wide' }, el('h2', { textContent: 'click source tokens to mask, then run' }),
    chips, el('div', {}, go), el('div', { id: 'mask-note', textContent: how + forced })));
  if (!isPair) { notes.push('compare: no masked run yet'); return null; }

  const name = blockName(state.kind, state.layer);
  const long = findBlock(run0, state.kind, state.layer);
  if (!servedWhole(long)) throw new Error(`the Compare view draws whole heads; these are ${long.queries.toLocaleString('en')} tokens long`);
  const [a, b] = await Promise.all([0, 1].map((r) => api.block(state.setId, r, name, state.head, state.merge)));
  let vmax = 0;
  for (const m of [a, b]) for (const v of m.values) vmax = Math.max(vmax, v);
  const t0 = axisTokens(set.runs[0], state.kind, state.merge), t1 = axisTokens(set.runs[1], state.kind, state.merge);
  const shared = { lut, vmin: 0, vmax, normalise: state.norm };
  // The masked run's title shows what the model read, masks included (its input text is the original's).
  const arrow = (r) => (r.output ? ` \u2192 ${r.output}` : '');
  const maskedInput = inputTokens(set.runs[1]).join(' ');
  const orig = heatmap({ ...shared, values: a.values, rows: a.rows, cols: a.cols, rowLabels: t0.rows, colLabels: t0.cols,
    title: `original: ${set.runs[0].input}${arrow(set.runs[0])}` });
  const mask = heatmap({ ...shared, values: b.values, rows: b.rows, cols: b.cols, rowLabels: t1.rows, colLabels: t1.cols,
    title: `masked: ${maskedInput}${arrow(set.runs[1])}` });
  // Difference over the rows and columns both runs have (outputs may differ in length).
  const rows = Math.min(a.rows, b.rows), cols = Math.min(a.cols, b.cols);
  const diff = new Float32Array(rows * cols);
  let dmax = 1e-6;
  for (let q = 0; q < rows; q++) for (let k = 0; k < cols; k++) {
    diff[q * cols + k] = b.values[q * b.cols + k] - a.values[q * a.cols + k];
    dmax = Math.max(dmax, Math.abs(diff[q * cols + k]));
  }
  const d = heatmap({ values: diff, rows, cols, rowLabels: t1.rows.slice(0, rows), colLabels: t1.cols.slice(0, cols),
    lut: luts.RdBu_r, vmin: -dmax, vmax: dmax, title: 'difference (masked \u2212 original)', barTitle: 'weight difference' });
  orig.panel.id = 'compare-original'; mask.panel.id = 'compare-masked'; d.panel.id = 'compare-diff';
  root.append(orig.panel, mask.panel, d.panel);
  notes.push(`original and masked share one colour scale (0 to ${vmax.toPrecision(3)}); difference colours span \u00b1${dmax.toPrecision(3)}, its largest change`);
  if (rows < Math.max(a.rows, b.rows)) notes.push(`difference over the first ${rows} output steps both runs have`);
  return orig.canvas;
}
