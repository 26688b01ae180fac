// Detail of a long head (thousands of tokens): the head is never fetched whole. It opens pooled
// to the view (/pooled, each pixel the strongest of p x p cells), zooms continuously about the
// pointer (wheel; ctrl+wheel and two-finger pinch zoom faster), pans by dragging, and once the
// view holds at most EXACT_SPAN cells a side draws exact float32 cells from /tile: one request
// for the view (on a grid of CHUNK cells), cached, so a pan fetches only the part it uncovers. Requests wait for a pause in
// the gesture; until they answer the view is drawn from the coarser data it already has.
// Hovering always reads out the exact weight (a one-cell /tile when only pooled data is shown).
import { lut32 } from '../colormap.js';
import { alignOut, cellRange, clampView, missingBox, panView, serverPool, splitRange, zoomView } from '../viewport.js';
import { blockName, el } from './common.js';

const EXACT_SPAN = 1024;   // cells a side: views this small are drawn cell by cell (4 MB of tiles at most)
const CHUNK = 64;          // exact tiles start and end on multiples of CHUNK cells
const MAX_TILE = 1 << 20;  // cells one /tile may ask for (the server's limit)
const LABEL_MIN_CELL = 10; // px: smaller cells get index ticks instead of token labels
const FETCH_DELAY = 70;    // ms of quiet after a zoom or pan before asking the server
const HOVER_DELAY = 40;    // ms on one cell before asking for its exact weight
const LEFT = 150, TOP = 112, BAR = 112, BOTTOM = 6;  // margins around the S x S plot
const MINI = 128;          // minimap side, px
const MISSING = -1;        // weights are >= 0: marks cells no data has arrived for

// Exact tiles that arrived, per head ("set/run/block/head"), shared by every head's detail
// (switching heads and back redraws at once). Bounded: the oldest go beyond 16M cells (64 MB).
const arrived = new Map();  // where -> [tile], oldest first
const KEEP_CELLS = 16 << 20;
let keptCells = 0;
function remember(where, tile) {
  if (!arrived.has(where)) arrived.set(where, []);
  if (arrived.get(where).includes(tile)) return;  // asked twice while in flight: one answer
  arrived.get(where).push(tile);
  keptCells += tile.values.length;
  while (keptCells > KEEP_CELLS) {  // drop the oldest tile of the head least recently added to
    const [w, list] = arrived.entries().next().value;
    keptCells -= list.shift().values.length;
    if (!list.length) arrived.delete(w);
    else { arrived.delete(w); arrived.set(w, list); }
  }
  const list = arrived.get(where);  // most recently used head last
  if (list) { arrived.delete(where); arrived.set(where, list); }
}
const tilesOf = (where) => arrived.get(where) || [];

const short = (t) => { const s = String(t ?? ''); return s.length > 14 ? `${s.slice(0, 13)}\u2026` : s; };
const fmtWeight = (v) => (v === 0 ? '0' : v.toPrecision(7));
function niceStep(x) {  // 1, 2 or 5 times a power of ten, at least x
  const p = 10 ** Math.floor(Math.log10(Math.max(1, x)));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= x);
}

// Per pixel of one axis: the range of a layer's rows (or columns) it covers; -1 where the
// pixel is not wholly inside the layer. Pixels smaller than a cell read the cell at their centre.
function axisRanges(start, per, size, origin, pool, count, outA, outB) {
  for (let i = 0; i < size; i++) {
    let a, b;
    if (per <= 1) { a = Math.floor(start + (i + 0.5) * per); b = a + 1; }
    else { a = Math.floor(start + i * per); b = Math.ceil(start + (i + 1) * per - 1e-9); }
    const la = Math.floor((a - origin) / pool), lb = Math.floor((b - 1 - origin) / pool) + 1;
    if (la < 0 || lb > count) { outA[i] = -1; outB[i] = -1; } else { outA[i] = la; outB[i] = Math.max(lb, la + 1); }
  }
}

// One pixel row from the finest layer that has data for each pixel: the strongest cell under it.
function sampleRow(layers, y, size, out, o) {
  let rowMax = 0;
  for (let x = 0; x < size; x++) {
    let v = MISSING;
    for (let l = 0; l < layers.length; l++) {
      const L = layers[l], ra = L.ra[y], ca = L.ca[x];
      if (ra < 0 || ca < 0) continue;
      const rb = L.rb[y], cb = L.cb[x], vals = L.values, cols = L.cols;
      let m = MISSING, hole = false;
      for (let r = ra; r < rb && !hole; r++)
        for (let c = ca, i = r * cols + ca; c < cb; c++, i++) { const w = vals[i]; if (w < 0) { hole = true; break; } if (w > m) m = w; }
      if (!hole && m >= 0) { v = m; break; }
    }
    out[o + x] = v;
    if (v > rowMax) rowMax = v;
  }
  return rowMax;
}

function colourRow(vals, o, size, scale, colours, px) {
  for (let x = 0; x < size; x++) {
    const v = vals[o + x];
    if (v < 0) { px[o + x] = 0xffe6e6e6; continue; }  // not yet arrived: light grey
    const i = Math.round(v * scale);
    px[o + x] = colours[i > 255 ? 255 : i];
  }
}

// ctx: the view's context (api, state, run, lut, fail, update); block: the set's description of
// it; tokens: {rows, cols}; size: the plot's side in px. Resolves once the whole head is drawn.
export async function longDetail(ctx, block, tokens, size) {
  const { api, state, lut } = ctx;
  const t0 = performance.now();
  const S = size, Q = block.queries, K = block.keys, head = state.head;
  const name = blockName(state.kind, state.layer);
  const where = `${state.setId}/${state.run}/${name}/${head}`;
  const wholeData = await api.pooled(state.setId, state.run, name, head, S);
  const whole = { q0: 0, k0: 0, pool: wholeData.pool, rows: wholeData.rows, cols: wholeData.cols, values: wholeData.values };
  const thumbPool = block.pool || 0;
  const colours = lut32(lut);

  // The window survives re-renders (colours, layer, head) of the same set, run and kind.
  const viewKey = `${state.setId}/${state.run}/${state.kind}`;
  let vp = state.window && state.window.key === viewKey ? clampView(state.window, Q, K) : { q0: 0, q1: Q, k0: 0, k1: K };
  let windowLayer = null;  // a finer /pooled range, when the server has one finer than `whole`
  let exact = null, exactKey = '';  // exact cells of the visible range, assembled from blocks
  let vmax = 1, shownPool = whole.pool, shownExact = false;
  let hovered = '';  // "q,k" of the cell under the pointer

  const canvas = el('canvas', { className: 'heatmap long', id: 'detail-canvas', width: LEFT + S + BAR, height: TOP + S + BOTTOM });
  canvas.style.touchAction = 'none';
  const g = canvas.getContext('2d');
  // The hovered cell's outline on a canvas of its own above: moving the pointer redraws no weights.
  const overlay = el('canvas', { className: 'overlay', width: canvas.width, height: canvas.height });
  const og = overlay.getContext('2d');
  const mini = el('canvas', { id: 'minimap', width: MINI, height: Math.max(16, Math.round(MINI * Math.min(4, Q / K))) });
  const readout = el('div', { className: 'readout', id: 'readout', textContent: 'hover a cell for its exact weight' });
  const precision = el('div', { className: 'precision', id: 'precision' });
  const title = el('h2', { textContent: `${state.kind}, layer ${state.layer + 1}, head ${head + 1} \u2014 ${Q.toLocaleString('en')} \u00d7 ${K.toLocaleString('en')} cells` });
  const button = (text, id, fn) => { const b = el('button', { textContent: text, id, type: 'button' }); b.addEventListener('click', fn); return b; };
  const bar = el('div', { className: 'long-bar' },
    button('whole head', 'zoom-whole', () => zoomTo({ q0: 0, q1: Q, k0: 0, k1: K })),
    button('zoom in', 'zoom-in', () => zoomAbout(0.5)),
    button('zoom out', 'zoom-out', () => zoomAbout(2)),
    el('span', { className: 'hint', textContent: 'wheel or pinch: zoom \u00b7 drag: pan \u00b7 click a row: its top keys' }));
  const panel = el('div', { className: 'panel wide long-detail' }, title, bar,
    el('div', { className: 'long-body' }, el('div', { className: 'stack' }, canvas, overlay),  // no scroller: the wheel zooms
      el('div', { className: 'mini-box' }, el('div', { className: 'axis', textContent: 'where you are' }), mini)),
    readout, precision);

  // Minimap: the whole head once, in its own colours, with the visible window outlined.
  const wholeImage = document.createElement('canvas');
  {
    wholeImage.width = whole.cols; wholeImage.height = whole.rows;
    let m = 0;
    for (const v of whole.values) if (v > m) m = v;
    const img = new ImageData(whole.cols, whole.rows), px = new Uint32Array(img.data.buffer);
    for (let i = 0; i < px.length; i++) px[i] = colours[Math.min(255, Math.round((whole.values[i] / (m || 1)) * 255))];
    wholeImage.getContext('2d').putImageData(img, 0, 0);
  }

  // --- drawing -------------------------------------------------------------------------------
  let tileCount = -1;
  function assembleExact() {
    const r = cellRange(vp);
    if (r.q1 - r.q0 > EXACT_SPAN || r.k1 - r.k0 > EXACT_SPAN) return null;
    const tiles = tilesOf(where);
    const key = `${r.q0},${r.q1},${r.k0},${r.k1}`;
    if (key === exactKey && tiles.length === tileCount) return exact;
    const rows = r.q1 - r.q0, cols = r.k1 - r.k0, values = new Float32Array(rows * cols).fill(MISSING);
    for (const t of tiles) {  // newest last: where tiles overlap they hold the same weights
      const qa = Math.max(r.q0, t.q0), qb = Math.min(r.q1, t.q0 + t.rows), ka = Math.max(r.k0, t.k0), kb = Math.min(r.k1, t.k0 + t.cols);
      if (qa >= qb || ka >= kb) continue;
      for (let q = qa; q < qb; q++)
        values.set(t.values.subarray((q - t.q0) * t.cols + (ka - t.k0), (q - t.q0) * t.cols + (kb - t.k0)), (q - r.q0) * cols + (ka - r.k0));
    }
    exactKey = key; tileCount = tiles.length;
    exact = { q0: r.q0, k0: r.k0, rows, cols, pool: 1, values, complete: values.indexOf(MISSING) < 0 };
    return exact;
  }

  const vals = new Float32Array(S * S), rowMaxes = new Float32Array(S);
  const image = new ImageData(S, S), px = new Uint32Array(image.data.buffer);
  function paint() {
    const e = assembleExact();
    const layers = [e, windowLayer, whole].filter(Boolean);
    const sy = (vp.q1 - vp.q0) / S, sx = (vp.k1 - vp.k0) / S;
    for (const L of layers) {
      L.ra ??= new Int32Array(S); L.rb ??= new Int32Array(S); L.ca ??= new Int32Array(S); L.cb ??= new Int32Array(S);
      axisRanges(vp.q0, sy, S, L.q0, L.pool, L.rows, L.ra, L.rb);
      axisRanges(vp.k0, sx, S, L.k0, L.pool, L.cols, L.ca, L.cb);
    }
    vmax = 0;
    for (let y = 0; y < S; y++) { rowMaxes[y] = sampleRow(layers, y, S, vals, y * S); if (rowMaxes[y] > vmax) vmax = rowMaxes[y]; }
    if (!(vmax > 0)) vmax = 1;
    for (let y = 0; y < S; y++) {
      const span = state.norm === 'row' ? (rowMaxes[y] > 0 ? rowMaxes[y] : 1) : vmax;
      colourRow(vals, y * S, S, 255 / span, colours, px);
    }
    shownExact = !!(e && e.complete);
    shownPool = shownExact ? 1 : windowLayer && covers(windowLayer) ? windowLayer.pool : whole.pool;
    g.fillStyle = '#fff'; g.fillRect(0, 0, canvas.width, canvas.height);
    g.putImageData(image, LEFT, TOP);
    g.strokeStyle = '#999'; g.lineWidth = 1; g.strokeRect(LEFT - 0.5, TOP - 0.5, S + 1, S + 1);
    axes(sy, sx);
    colourBar();
    if (state.topQuery !== undefined && state.topQuery >= vp.q0 && state.topQuery < vp.q1) {  // the query whose top keys are listed
      const y = TOP + (state.topQuery + 0.5 - vp.q0) / sy;
      g.strokeStyle = '#e8b400'; g.lineWidth = 2;
      g.beginPath(); g.moveTo(LEFT - 6, y); g.lineTo(LEFT, y); g.moveTo(LEFT + S, y); g.lineTo(LEFT + S + 6, y); g.stroke();
    }
    drawMini();
    outline();
    Object.assign(canvas.dataset, { x0: LEFT, y0: TOP, size: S, q0: vp.q0, q1: vp.q1, k0: vp.k0, k1: vp.k1, exact: shownExact ? 1 : 0, pool: shownPool });
    describe();
  }

  function covers(L) {
    return vp.q0 >= L.q0 && vp.k0 >= L.k0 && vp.q1 <= L.q0 + L.rows * L.pool + L.pool && vp.k1 <= L.k0 + L.cols * L.pool + L.pool;
  }

  // Token labels when cells are tall (wide) enough, else index ticks at round numbers.
  function axes(sy, sx) {
    g.fillStyle = '#1d1d1f'; g.font = '11px "DejaVu Sans Mono", monospace'; g.textBaseline = 'middle';
    const rowsLabelled = 1 / sy >= LABEL_MIN_CELL, colsLabelled = 1 / sx >= LABEL_MIN_CELL;
    g.textAlign = 'right';
    if (rowsLabelled) {
      for (let q = Math.floor(vp.q0); q < vp.q1; q++) {
        const y = TOP + (q + 0.5 - vp.q0) / sy;
        if (y >= TOP && y <= TOP + S) g.fillText(`${short(tokens.rows[q])} ${q}`, LEFT - 4, y);
      }
    } else {
      const step = niceStep((vp.q1 - vp.q0) / 8);
      for (let q = Math.ceil(vp.q0 / step) * step; q < vp.q1; q += step) {
        const y = TOP + (q - vp.q0) / sy;
        g.fillRect(LEFT - 5, y, 5, 1); g.fillText(String(q), LEFT - 8, y);
      }
    }
    g.save(); g.rotate(-Math.PI / 2); g.textAlign = 'left';
    if (colsLabelled) {
      for (let k = Math.floor(vp.k0); k < vp.k1; k++) {
        const x = LEFT + (k + 0.5 - vp.k0) / sx;
        if (x >= LEFT && x <= LEFT + S) g.fillText(`${k} ${short(tokens.cols[k])}`, -(TOP - 4), x);
      }
    } else {
      const step = niceStep((vp.k1 - vp.k0) / 8);
      for (let k = Math.ceil(vp.k0 / step) * step; k < vp.k1; k += step) {
        const x = LEFT + (k - vp.k0) / sx;
        g.fillRect(-TOP, x, 5, 1); g.fillText(String(k), -(TOP - 8), x);
      }
    }
    g.restore();
    g.fillStyle = '#666'; g.font = '11px "DejaVu Sans", sans-serif'; g.textAlign = 'left';
    g.fillText('keys \u2192', LEFT, 10); g.fillText('queries \u2193', 4, TOP - 10);
  }

  function colourBar() {
    const bx = LEFT + S + 14, by = TOP, bh = Math.max(100, Math.min(S, 300));
    const barImg = new ImageData(12, bh), barPx = new Uint32Array(barImg.data.buffer);
    for (let i = 0; i < bh; i++) barPx.fill(colours[Math.round((1 - i / (bh - 1)) * 255)], i * 12, (i + 1) * 12);
    g.putImageData(barImg, bx, by);
    g.fillStyle = '#1d1d1f'; g.font = '10px "DejaVu Sans", sans-serif'; g.textAlign = 'left'; g.textBaseline = 'middle';
    const row = state.norm === 'row';
    g.fillText(row ? 'row max' : String(Number(vmax.toPrecision(3))), bx + 15, by + 4);
    g.fillText('0', bx + 15, by + bh - 4);
    g.save(); g.translate(bx + 70, by + bh / 2); g.rotate(-Math.PI / 2); g.textAlign = 'center';
    g.fillText(row ? 'weight / row maximum in view' : 'attention weight (max in view)', 0, 0); g.restore();
  }

  function drawMini() {
    const m = mini.getContext('2d');
    m.imageSmoothingEnabled = true;
    m.drawImage(wholeImage, 0, 0, mini.width, mini.height);
    const fx = mini.width / K, fy = mini.height / Q;
    m.strokeStyle = '#e8b400'; m.lineWidth = 2;
    m.strokeRect(vp.k0 * fx, vp.q0 * fy, Math.max(3, (vp.k1 - vp.k0) * fx), Math.max(3, (vp.q1 - vp.q0) * fy));
  }

  // The pooling and precision in effect, under the view.
  function describe() {
    const r = cellRange(vp);
    const range = `queries ${r.q0}\u2013${r.q1 - 1}, keys ${r.k0}\u2013${r.k1 - 1}`;
    const how = shownExact ? `exact float32 cells (${range})` :
      `max over ${shownPool} \u00d7 ${shownPool} cells (${range}); exact float32 cells when zoomed in to ${EXACT_SPAN} \u00d7 ${EXACT_SPAN} cells or fewer`;
    const from = block.form === 'query-key' ? 'weights computed from recorded queries and keys (softmax with the recorded row log-sum-exp)' : 'weights as recorded';
    precision.textContent = `${how}; ${from}; colours 0 to ${state.norm === 'row' ? 'each row\u2019s maximum' : 'the largest weight in view'}`;
    precision.dataset.pool = shownPool;
    precision.dataset.exact = shownExact ? 1 : 0;
  }

  // Outlines the hovered cell when it is at least 3 px.
  function outline() {
    og.clearRect(0, 0, overlay.width, overlay.height);
    if (!hovered) return;
    const [q, k] = hovered.split(',').map(Number);
    const ch = S / (vp.q1 - vp.q0), cw = S / (vp.k1 - vp.k0);
    if (ch < 3 || cw < 3) return;
    const x = LEFT + (k - vp.k0) * cw, y = TOP + (q - vp.q0) * ch;
    og.save();
    og.beginPath(); og.rect(LEFT, TOP, S, S); og.clip();
    og.strokeStyle = '#e8b400'; og.lineWidth = 2; og.strokeRect(x, y, cw, ch);
    og.restore();
  }

  let frame = 0;
  const requestPaint = () => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; paint(); }); };

  // --- fetching --------------------------------------------------------------------------------
  let gen = 0, doneGen = -1, timer = 0, waiters = [], drawnAt = 0;
  function changed(delay = FETCH_DELAY) {
    gen++;
    state.window = { ...vp, key: viewKey };
    requestPaint();
    clearTimeout(timer);
    timer = setTimeout(() => { timer = 0; fetchVisible(); }, delay);
  }

  async function fetchVisible() {
    const mine = gen, r = cellRange(vp), loads = [];
    if (r.q1 - r.q0 <= EXACT_SPAN && r.k1 - r.k0 <= EXACT_SPAN) {
      // One request for what the cached tiles lack (two when the grid makes it too large).
      const held = tilesOf(where).map((t) => ({ q0: t.q0, q1: t.q0 + t.rows, k0: t.k0, k1: t.k0 + t.cols }));
      const box = missingBox(alignOut(r, CHUNK, Q, K), held, CHUNK, Q, K);
      for (const part of box ? splitRange(box, MAX_TILE, CHUNK) : [])
        loads.push(api.tile(state.setId, state.run, name, head, part).then((t) => { remember(where, t); requestPaint(); }));
    } else {
      // A finer pooled range only when the server has one finer than the whole head's.
      const p = serverPool(r.q1 - r.q0, r.k1 - r.k0, S, thumbPool);
      if (p < whole.pool && !(windowLayer && windowLayer.pool === p && covers(windowLayer))) {
        const a = { q0: Math.floor(r.q0 / p) * p, q1: Math.min(Q, Math.ceil(r.q1 / p) * p), k0: Math.floor(r.k0 / p) * p, k1: Math.min(K, Math.ceil(r.k1 / p) * p) };
        const want = Math.ceil(Math.max(a.q1 - a.q0, a.k1 - a.k0) / p);
        loads.push(api.pooled(state.setId, state.run, name, head, want, a).then((d) => {
          windowLayer = { q0: d.q0, k0: d.k0, pool: d.pool, rows: d.rows, cols: d.cols, values: d.values };
          requestPaint();
        }));
      }
    }
    try { await Promise.all(loads); } catch (e) { ctx.fail(e); }
    if (mine !== gen || timer) return;  // the view moved on: its own fetch settles
    cancelAnimationFrame(frame); frame = 0;
    paint();
    drawnAt = performance.now();
    doneGen = mine;
    waiters.splice(0).forEach((w) => w());
  }

  // Resolves when the current view is drawn from all the data it asked for.
  const settled = () => (doneGen === gen && !timer ? Promise.resolve() : new Promise((res) => waiters.push(res)));

  // Moves the view to a cell range at once (no debounce); resolves when it is drawn:
  // {ms, exact, pool} (ms from the call to the drawing).
  async function zoomTo(r) {
    const start = performance.now();
    vp = clampView(r, Q, K);
    gen++;
    state.window = { ...vp, key: viewKey };
    clearTimeout(timer); timer = 0;
    fetchVisible();
    await settled();
    const out = { ms: drawnAt - start, exact: shownExact, pool: shownPool };
    const t = window.attnscope?.timings;
    if (t) { t.last_zoom_ms = out.ms; if (out.exact) t.tile_ms = out.ms; else t.pooled_ms = out.ms; }
    return out;
  }

  function zoomAbout(factor) {
    vp = zoomView(vp, factor, (vp.q0 + vp.q1) / 2, (vp.k0 + vp.k1) / 2, Q, K);
    changed();
  }

  // --- pointer --------------------------------------------------------------------------------
  // Canvas pixel -> fractional cell coordinates.
  function cellAt(ev) {
    const rect = canvas.getBoundingClientRect();
    const x = (ev.clientX - rect.left) * (canvas.width / rect.width) - LEFT;
    const y = (ev.clientY - rect.top) * (canvas.height / rect.height) - TOP;
    return { inside: x >= 0 && y >= 0 && x < S && y < S, q: vp.q0 + (y / S) * (vp.q1 - vp.q0), k: vp.k0 + (x / S) * (vp.k1 - vp.k0), x, y };
  }

  canvas.addEventListener('wheel', (ev) => {
    ev.preventDefault();
    const c = cellAt(ev);
    const unit = ev.deltaMode === 1 ? 16 : ev.deltaMode === 2 ? S : 1;
    const factor = Math.exp(ev.deltaY * unit * (ev.ctrlKey ? 0.01 : 0.002));  // ctrl+wheel: a trackpad pinch
    vp = zoomView(vp, factor, Math.min(Q, Math.max(0, c.q)), Math.min(K, Math.max(0, c.k)), Q, K);
    changed();
    hover(ev);  // another cell is under the pointer now
  }, { passive: false });

  const pointers = new Map();
  let drag = null, pinch = null;
  canvas.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0) return;
    canvas.setPointerCapture(ev.pointerId);
    pointers.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
    if (pointers.size === 1) drag = { x: ev.clientX, y: ev.clientY, vp, moved: 0 };
    else if (pointers.size === 2) { drag = null; pinch = { d: spread(), vp }; }
  });
  function spread() { const [a, b] = [...pointers.values()]; return Math.hypot(a.x - b.x, a.y - b.y) || 1; }
  canvas.addEventListener('pointermove', (ev) => {
    if (pointers.has(ev.pointerId)) pointers.set(ev.pointerId, { x: ev.clientX, y: ev.clientY });
    if (pinch && pointers.size === 2) {
      const [a, b] = [...pointers.values()];
      const c = cellAt({ clientX: (a.x + b.x) / 2, clientY: (a.y + b.y) / 2 });
      vp = zoomView(pinch.vp, pinch.d / spread(), c.q, c.k, Q, K);
      changed();
      return;
    }
    if (drag) {
      const rect = canvas.getBoundingClientRect(), f = canvas.width / rect.width;
      const dx = (ev.clientX - drag.x) * f, dy = (ev.clientY - drag.y) * f;
      drag.moved = Math.max(drag.moved, Math.abs(dx) + Math.abs(dy));
      if (drag.moved >= 4) {
        vp = panView(drag.vp, (-dy / S) * (drag.vp.q1 - drag.vp.q0), (-dx / S) * (drag.vp.k1 - drag.vp.k0), Q, K);
        changed();
      }
      return;
    }
    hover(ev);
  });
  const release = (ev) => {
    pointers.delete(ev.pointerId);
    if (pointers.size < 2) pinch = null;
    if (drag && ev.type === 'pointerup' && drag.moved < 4) {
      const c = cellAt(ev);
      if (c.inside && ctx.onQuery) ctx.onQuery(Math.floor(c.q));
    }
    if (pointers.size === 0) drag = null;
  };
  canvas.addEventListener('pointerup', release);
  canvas.addEventListener('pointercancel', release);

  // The read-out: the exact weight of the cell under the pointer, with its tokens and indices.
  let hoverTimer = 0;
  function hover(ev) {
    const c = cellAt(ev);
    if (!c.inside) return;
    const q = Math.min(Q - 1, Math.floor(c.q)), k = Math.min(K - 1, Math.floor(c.k));
    const id = `${q},${k}`;
    if (id === hovered) return;
    hovered = id;
    outline();
    const label = `query ${q} ${JSON.stringify(tokens.rows[q] ?? '')} \u2192 key ${k} ${JSON.stringify(tokens.cols[k] ?? '')}: `;
    const show = (v) => {
      readout.textContent = `${label}${fmtWeight(v)} (exact float32)`;
      Object.assign(readout.dataset, { q, k, value: String(v), exact: '1' });
    };
    const e = exact;
    if (e && q >= e.q0 && q < e.q0 + e.rows && k >= e.k0 && k < e.k0 + e.cols && e.values[(q - e.q0) * e.cols + (k - e.k0)] >= 0) {
      clearTimeout(hoverTimer);
      show(e.values[(q - e.q0) * e.cols + (k - e.k0)]);
      return;
    }
    const L = windowLayer && covers(windowLayer) ? windowLayer : whole;
    const pv = L.values[Math.floor((q - L.q0) / L.pool) * L.cols + Math.floor((k - L.k0) / L.pool)];
    readout.textContent = `${label}exact weight loading\u2026 (strongest of its ${L.pool}\u00d7${L.pool} cells: ${fmtWeight(pv ?? 0)})`;
    Object.assign(readout.dataset, { q, k, value: '', exact: '0' });
    clearTimeout(hoverTimer);
    hoverTimer = setTimeout(() => {
      api.tile(state.setId, state.run, name, head, { q0: q, q1: q + 1, k0: k, k1: k + 1 })
        .then((t) => { if (hovered === id) show(t.values[0]); })
        .catch((err) => { if (hovered === id) readout.textContent = `${label}${err.message}`; });
    }, HOVER_DELAY);
  }
  canvas.addEventListener('mouseleave', () => { hovered = ''; clearTimeout(hoverTimer); outline(); });

  // Minimap: click or drag to centre the view there.
  const miniMove = (ev) => {
    const rect = mini.getBoundingClientRect();
    const q = ((ev.clientY - rect.top) / rect.height) * Q, k = ((ev.clientX - rect.left) / rect.width) * K;
    const hq = (vp.q1 - vp.q0) / 2, hk = (vp.k1 - vp.k0) / 2;
    vp = clampView({ q0: q - hq, q1: q + hq, k0: k - hk, k1: k + hk }, Q, K);
    changed();
  };
  mini.addEventListener('pointerdown', (ev) => { mini.setPointerCapture(ev.pointerId); miniMove(ev); });
  mini.addEventListener('pointermove', (ev) => { if (ev.buttons & 1) miniMove(ev); });

  // First drawing: the whole-head data is here; a zoomed window asks for its finer data.
  paint();
  const t = window.attnscope?.timings;
  if (t) t.whole_head_ms = performance.now() - t0;
  drawnAt = performance.now();
  if (vp.q0 === 0 && vp.q1 === Q && vp.k0 === 0 && vp.k1 === K) doneGen = gen;
  else fetchVisible();

  return {
    panel, canvas, settled, zoomTo,
    // Where cell (q, k)'s centre is, in canvas pixels (for tests and tools).
    cellPoint: (q, k) => ({ x: LEFT + ((k + 0.5 - vp.k0) / (vp.k1 - vp.k0)) * S, y: TOP + ((q + 0.5 - vp.q0) / (vp.q1 - vp.q0)) * S }),
    view: () => ({ ...vp, size: S, x0: LEFT, y0: TOP, exact: shownExact, pool: shownPool, wholePool: whole.pool, drawnAt }),
    repaint: paint,
  };
}
