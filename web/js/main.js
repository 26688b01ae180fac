// The viewer: loads the server's (or the embedded page's) sets, keeps one state object, and asks
// the current view to draw it. Every display transform in effect is listed under the view.
import { createApi } from './api.js';
import { buildLut } from './colormap.js';
import { blockName, findBlock, isLong } from './views/common.js';
import { renderCompare } from './views/compare.js';
import { renderLines } from './views/lines.js';
import { renderOverview } from './views/overview.js';
import { renderSteps } from './views/steps.js';

// Tab names are the renderer's view names (attnscope render --view), except overview (grid + detail).
const VIEWS = { overview: renderOverview, lines: renderLines, compare: renderCompare, steps: renderSteps };
const $ = (id) => document.getElementById(id);

const api = createApi();
const state = { setId: 0, run: 0, view: 'overview', kind: 'cross', layer: 0, head: 0, colormap: 'viridis',
  norm: 'none', merge: false, model: '', step: 0, zoom: null };
let info = null, set = null, maps = null, drawing = Promise.resolve();
// For tests and bench/viewer: `renders` counts finished renders; the times are performance.now()
// (ms since navigation) when the first and the latest render had drawn into their canvases.
// A long head's detail (views/longhead.js) adds: `detail` (its controller, null for short heads),
// `detailReady` (a promise: the detail's current window drawn from all the data it asked for),
// `zoomTo({q0, q1, k0, k1})` (resolves {ms, exact, pool} once drawn) and `timings` in ms:
// whole_head_ms (start of the detail to the pooled whole head drawn), tile_ms (the latest
// zoomTo that ended on exact cells), pooled_ms (one that ended pooled), last_zoom_ms.
window.attnscope = {
  state, api, ready: false, renders: 0, firstRenderAt: null, lastRenderAt: null, detail: null, timings: {},
  get detailReady() { return window.attnscope.detail ? window.attnscope.detail.settled() : Promise.resolve(); },
  zoomTo(range) {
    if (!window.attnscope.detail) return Promise.reject(new Error('no long head in view'));
    return window.attnscope.detail.zoomTo(range);
  },
};

function options(select, items, value) {
  select.replaceChildren(...items.map(([v, text]) => Object.assign(document.createElement('option'), { value: v, textContent: text })));
  select.value = String(value);
}

function fail(e) {
  $('error').hidden = false;
  $('error').textContent = e.message || String(e);
  console.warn('attnscope:', e.message || e);  // a warning: bad input is expected, not a page error
}

function syncControls() {
  const run = set.runs[state.run];
  options($('run'), set.runs.map((r, i) => [i, r.name || `run ${i + 1}`]), state.run);
  const kinds = [...new Set(run.blocks.map((b) => b.kind))];
  if (!kinds.includes(state.kind)) state.kind = kinds.includes('cross') ? 'cross' : kinds[0];
  options($('kind'), kinds.map((k) => [k, k]), state.kind);
  const layers = run.blocks.filter((b) => b.kind === state.kind).map((b) => b.layer).sort((a, b) => a - b);
  if (!layers.includes(state.layer)) state.layer = layers[layers.length - 1];
  options($('layer'), layers.map((l) => [l, `${l + 1}`]), state.layer);
  const block = findBlock(run, state.kind, state.layer), heads = block.heads;
  // Long heads are read in tiles of one head: no mean of heads, no merged words.
  const long = isLong(block);
  if (state.head >= heads || (heads === 1 && state.head < 0) || (long && state.head < 0)) state.head = 0;
  if (long) state.merge = false;
  options($('head'), [...(long ? [] : [[-1, 'mean of heads']]), ...Array.from({ length: heads }, (_, h) => [h, `${h + 1}`])], state.head);
  $('merge').checked = state.merge;
  $('merge').disabled = set.subword === 'none' || long;
  $('merge').parentElement.title = long ? 'long heads are read in tiles of tokens; words would need the whole head' :
    set.subword === 'none' ? 'these tokens have no subword markers' : `style: ${set.subword}`;
  // A long input (thousands of tokens) is cut: the summary is one line, the view must stay in sight.
  const cut = (t) => (t.length > 160 ? `${t.slice(0, 150)}\u2026 (${t.length.toLocaleString('en')} characters)` : t);
  const q = (t) => (t.length > 160 ? `"${cut(t)}` : JSON.stringify(t));
  const io = run.output ? `${q(run.input)} \u2192 ${q(run.output)}` : q(run.input);
  $('summary').textContent = `${set.meta.model || 'attention'} \u2014 ${io}`;
  document.querySelectorAll('#tabs button').forEach((b) => b.classList.toggle('active', b.dataset.view === state.view));
}

async function render() {
  window.attnscope.ready = false;
  document.body.dataset.ready = '0';
  const mine = drawing.then(async () => {
    syncControls();
    const root = $('view'), notes = [];
    const fresh = document.createElement('main');
    fresh.id = 'view';
    const luts = Object.fromEntries(Object.entries(maps).map(([k, v]) => [k, buildLut(v)]));
    const ctx = { api, state, set, run: set.runs[state.run], lut: luts[state.colormap], luts, root: fresh, notes,
      models: info.models, fail, update, openSet };
    try {
      $('error').hidden = true;  // a view may show a problem of its own (ctx.fail) and still draw
      await VIEWS[state.view](ctx);
    } catch (e) { fail(e); }
    window.attnscope.detail = ctx.detail ?? null;
    root.replaceWith(fresh);
    if (state.norm === 'row' && state.view !== 'lines') notes.push('colours normalised per row (each row scaled to its maximum; read-out stays raw)');
    if (state.merge) notes.push('subwords merged into words (sum over keys, mean over queries)');
    // A RoPE model run past its training length: its attention is real, its output degrades.
    if (ctx.run.info && ctx.run.info.beyond_training) notes.push(ctx.run.info.beyond_training);
    // One numbering with the static figures and the command line: from 1 for people, the stored
    // block named in small print (files name it from 0).
    if (findBlock(ctx.run, state.kind, state.layer)) {
      notes.push(`layers and heads are counted from 1 (layer ${state.layer + 1} is the stored block ${blockName(state.kind, state.layer)})`);
    }
    $('notes').textContent = notes.join(' \u00b7 ');
    window.attnscope.lastRenderAt = performance.now();
    window.attnscope.firstRenderAt ??= window.attnscope.lastRenderAt;
    window.attnscope.renders++;
    window.attnscope.ready = true;
    document.body.dataset.ready = '1';
  });
  drawing = mine.catch(() => {});
  return mine;
}

function update(changes) { Object.assign(state, changes); return render(); }

async function openSet(id, changes = {}, fresh = true) {
  if (fresh) info = await api.info();  // the set list grows with every run
  set = await api.set(id);
  Object.assign(state, { setId: id, run: 0, zoom: null, window: null, topQuery: undefined, topKeys: null, headSearch: null }, changes);
  options($('set'), info.sets.map((s) => [s.id, s.name]), id);
  return render();
}

async function main() {
  [info, maps] = await Promise.all([api.info(), api.colormaps()]);
  options($('colormap'), Object.keys(maps).filter((k) => !maps[k].diverging).map((k) => [k, k]), state.colormap);
  if (info.models.length) {
    $('run-form').hidden = false;
    state.model = info.models[0].name;
    options($('model'), info.models.map((m) => [m.name, `${m.name} (${m.summary})`]), state.model);
  }
  $('svg').hidden = api.source.embedded;
  $('set').addEventListener('change', () => openSet(+$('set').value).catch(fail));
  const modelChanged = () => {
    const m = info.models.find((x) => x.name === state.model);
    // Decoders and translation models produce tokens: say how many.
    $('new-tokens-label').hidden = !m || m.role === 'encoder' || m.format === 'attnscope';
    $('input').placeholder = m?.takes_ids ? 'token ids, e.g. 5 17 42 (no tokenizer files)' : 'type an input and press Enter';
  };
  $('model').addEventListener('change', () => { state.model = $('model').value; modelChanged(); });
  if (info.models.length) modelChanged();
  for (const [id, key, parse] of [['run', 'run', Number], ['kind', 'kind', String], ['layer', 'layer', Number],
    ['head', 'head', Number], ['colormap', 'colormap', String], ['norm', 'norm', String]])
    $(id).addEventListener('change', () => update({ [key]: parse($(id).value) }));
  $('merge').addEventListener('change', () => update({ merge: $('merge').checked }));
  document.querySelectorAll('#tabs button').forEach((b) => b.addEventListener('click', () => update({ view: b.dataset.view })));
  $('run-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    try {
      const extra = $('new-tokens-label').hidden ? {} : { max_new_tokens: Number($('new-tokens').value) || 16 };
      const d = await api.run(state.model, $('input').value, null, extra);
      const m = info.models.find((x) => x.name === state.model);
      // A generation opens on its generated tokens.
      await openSet(d.id, m?.role === 'decoder' ? { view: 'steps', step: 0 } : {});
    } catch (e) { fail(e); }
  });
  $('png').addEventListener('click', () => {
    const c = document.querySelector('#view canvas.heatmap') || document.querySelector('#view canvas');
    if (!c) return;
    c.toBlob((blob) => download(blob, `attnscope-${state.view}.png`));
  });
  $('svg').addEventListener('click', () => {
    const view = state.view === 'overview' ? 'heatmap' : state.view;
    const q = `view=${view}&run=${state.run}&kind=${state.kind}&layer=${state.layer}&head=${state.head}&colormap=${state.colormap}&merge=${state.merge ? 'words' : 'none'}`;
    window.open(`/api/sets/${state.setId}/figure.svg?${q}`, '_blank');
  });
  if (!info.sets.length) { fail(new Error('no attention yet: type an input and press Run')); return; }
  await openSet(info.sets[0].id, {}, false);
}

function download(blob, name) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

main().catch(fail);
