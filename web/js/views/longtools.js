// Finding one's way in a long text: a query's strongest keys over every head of every layer
// (/topkeys), and the heads that send most weight from span A of queries to span B of keys
// (/headsearch). Clicking a result opens that layer and head with the place in view. Results
// live in the state, so they are still listed after the view redraws for the head opened.
import { centredView, clampView } from '../viewport.js';
import { el } from './common.js';

const OPEN_SPAN = 64;  // cells a side of the window a result opens on: token labels fit

// "7000-8000" (from-to, to excluded; also "7000:8000") or one position "12": [a, b).
export function parseSpan(text, limit) {
  const m = /^\s*(\d+)\s*(?:[-\u2013:]\s*(\d+))?\s*$/.exec(text);
  if (!m) throw new Error(`span '${text}': write from-to, e.g. 7000-8000 (to excluded)`);
  const a = +m[1], b = m[2] === undefined ? a + 1 : +m[2];
  if (!(a < b) || b > limit) throw new Error(`span '${text}' is not inside 0-${limit}`);
  return [a, b];
}

const fmt = (v) => (v === 0 ? '0' : v.toPrecision(4));

// ctx: the view's context; block: the detail's block (its queries and keys).
// Returns {panel, showQuery(q)}: showQuery lists the top keys of query q (a click on a row).
export function longTools(ctx, block) {
  const { api, state } = ctx;
  const Q = block.queries, K = block.keys;
  const open = (layer, head, window) => ctx.update({ layer, head, window: { ...window, key: `${state.setId}/${state.run}/${state.kind}` } });

  // Top keys of one query.
  const query = el('input', { type: 'number', id: 'topkeys-query', min: 0, max: Q - 1, value: state.topKeys?.query ?? Q - 1 });
  query.style.width = '6em';
  const count = el('input', { type: 'number', id: 'topkeys-k', min: 1, max: 100, value: state.topKeys?.k ?? 10 });
  count.style.width = '4em';
  const go = el('button', { type: 'button', id: 'topkeys-go', textContent: 'top keys' });
  const list = el('ol', { className: 'hits', id: 'topkeys-list' });
  const status = el('div', { className: 'hint', id: 'topkeys-status' });
  function showTop(t) {
    status.textContent = `query ${t.query} ${JSON.stringify(t.token)}: its strongest keys over every head of every layer`;
    list.replaceChildren(...t.keys.map((h) => {
      const b = el('button', { type: 'button', className: 'hit', textContent:
        `layer ${h.layer + 1}, head ${h.head + 1}: key ${h.key} ${JSON.stringify(h.token)} \u2014 ${fmt(h.weight)}` });
      Object.assign(b.dataset, { layer: h.layer, head: h.head, key: h.key, weight: h.weight });
      if (h.layer === state.layer && h.head === state.head) b.classList.add('current');
      b.addEventListener('click', () => open(h.layer, h.head, centredView(t.query, h.key, OPEN_SPAN, Q, K)));
      return el('li', {}, b);
    }));
  }
  async function loadTop(q) {
    try {
      const k = Math.max(1, Math.min(100, Number(count.value) || 10));
      status.textContent = `query ${q}: asking every head\u2026`;
      const t = await api.topKeys(state.setId, state.run, state.kind, q, k);
      state.topKeys = { query: q, k, result: t };
      state.topQuery = q;
      showTop(t);
      ctx.repaint?.();
    } catch (e) { status.textContent = ''; ctx.fail(e); }
  }
  go.addEventListener('click', () => loadTop(Math.max(0, Math.min(Q - 1, Math.floor(Number(query.value) || 0)))));
  if (state.topKeys?.result) showTop(state.topKeys.result);
  else status.textContent = 'click a row of the head, or give a query position';

  // Head search: span A of queries -> span B of keys.
  const saved = state.headSearch;
  const spanA = el('input', { type: 'text', id: 'span-a', size: 11, value: saved?.a ?? `${Math.max(0, Q - 1000)}-${Q}` });
  const spanB = el('input', { type: 'text', id: 'span-b', size: 11, value: saved?.b ?? '0-4' });
  const search = el('button', { type: 'button', id: 'headsearch-go', textContent: 'search heads' });
  const heads = el('ol', { className: 'hits', id: 'headsearch-list' });
  const searchStatus = el('div', { className: 'hint', id: 'headsearch-status' });
  function showHeads(r) {
    const [a0, a1] = r.a, [b0, b1] = r.b;
    searchStatus.textContent = `mean weight queries ${a0}\u2013${a1 - 1} send to keys ${b0}\u2013${b1 - 1}, strongest heads first`;
    const best = r.heads.length ? r.heads[0].share || 1 : 1;
    heads.replaceChildren(...r.heads.map((h) => {
      const b = el('button', { type: 'button', className: 'hit', textContent: `layer ${h.layer + 1}, head ${h.head + 1}: ${fmt(h.share)}` });
      const meter = el('span', { className: 'meter' });
      meter.style.width = `${Math.round((h.share / best) * 60)}px`;
      b.prepend(meter);
      Object.assign(b.dataset, { layer: h.layer, head: h.head, share: h.share });
      if (h.layer === state.layer && h.head === state.head) b.classList.add('current');
      // Opens on span A's queries over span B's keys (each at least OPEN_SPAN cells).
      const grow = (x0, x1) => { const c = (x0 + x1) / 2, w = Math.max(OPEN_SPAN, x1 - x0) / 2; return [c - w, c + w]; };
      const [q0, q1] = grow(a0, a1), [k0, k1] = grow(b0, b1);
      b.addEventListener('click', () => open(h.layer, h.head, clampView({ q0, q1, k0, k1 }, Q, K)));
      return el('li', {}, b);
    }));
  }
  search.addEventListener('click', async () => {
    try {
      const a = parseSpan(spanA.value, Q), b = parseSpan(spanB.value, K);
      searchStatus.textContent = 'searching every head\u2026';
      const r = await api.headSearch(state.setId, state.run, state.kind, a, b, 20);
      state.headSearch = { a: spanA.value, b: spanB.value, result: r };
      showHeads(r);
    } catch (e) { searchStatus.textContent = ''; ctx.fail(e); }
  });
  if (saved?.result) showHeads(saved.result);
  else searchStatus.textContent = 'A: query positions, B: key positions (from-to, to excluded)';

  const panel = el('div', { className: 'panel long-tools', id: 'long-tools' },
    el('h2', { textContent: 'top keys of a query' }),
    el('div', { className: 'row' }, el('label', {}, 'query ', query), el('label', {}, 'k ', count), go), status, list,
    el('h2', { textContent: 'head search' }),
    el('div', { className: 'row' }, el('label', {}, 'A ', spanA), el('label', {}, '\u2192 B ', spanB), search), searchStatus, heads);
  return { panel, showQuery: (q) => { query.value = q; loadTop(q); } };
}
