// The visible window of a long head, in cell coordinates (fractional: zooming is continuous):
// rows q0..q1 of `queries`, columns k0..k1 of `keys`. Pure functions, no drawing.

export const MIN_SPAN = 8;  // cells: the closest zoom (cells of ~60 px on a 512 px view)

// The window moved inside the head and its spans kept between MIN_SPAN and the whole axis.
export function clampView(v, queries, keys) {
  const fit = (a, b, n) => {
    let span = Math.min(n, Math.max(Math.min(MIN_SPAN, n), b - a));
    let lo = Math.max(0, Math.min(n - span, a + ((b - a) - span) / 2));
    return [lo, lo + span];
  };
  const [q0, q1] = fit(v.q0, v.q1, queries), [k0, k1] = fit(v.k0, v.k1, keys);
  return { q0, q1, k0, k1 };
}

// Zoom by `factor` (< 1: in) about the cell point (q, k), which stays under the pointer.
export function zoomView(v, factor, q, k, queries, keys) {
  // Keep the aspect: when one axis is already whole, the other still zooms.
  const f = Math.max(factor, MIN_SPAN / Math.max(1e-9, Math.max(v.q1 - v.q0, v.k1 - v.k0)) * 0.999);
  return clampView({ q0: q + (v.q0 - q) * f, q1: q + (v.q1 - q) * f, k0: k + (v.k0 - k) * f, k1: k + (v.k1 - k) * f }, queries, keys);
}

export function panView(v, dq, dk, queries, keys) {
  return clampView({ q0: v.q0 + dq, q1: v.q1 + dq, k0: v.k0 + dk, k1: v.k1 + dk }, queries, keys);
}

// A window of `span` cells a side centred on cell (q, k).
export function centredView(q, k, span, queries, keys) {
  return clampView({ q0: q + 0.5 - span / 2, q1: q + 0.5 + span / 2, k0: k + 0.5 - span / 2, k1: k + 0.5 + span / 2 }, queries, keys);
}

// The whole cells any part of which is visible: integer half-open ranges.
export function cellRange(v) {
  return { q0: Math.floor(v.q0), q1: Math.ceil(v.q1 - 1e-9), k0: Math.floor(v.k0), k1: Math.ceil(v.k1 - 1e-9) };
}

// The range grown outwards to multiples of `step` (inside the head): exact tiles are fetched on
// this grid, so a small pan finds most of the new view in tiles it already has.
export function alignOut(r, step, queries, keys) {
  return { q0: Math.floor(r.q0 / step) * step, q1: Math.min(queries, Math.ceil(r.q1 / step) * step),
    k0: Math.floor(r.k0 / step) * step, k1: Math.min(keys, Math.ceil(r.k1 / step) * step) };
}

export const contains = (t, r) => t.q0 <= r.q0 && t.k0 <= r.k0 && t.q1 >= r.q1 && t.k1 >= r.k1;

// The bounding box of the `step`-cell chunks of `r` (aligned) that no tile in `tiles` holds;
// null when every chunk is held.
export function missingBox(r, tiles, step, queries, keys) {
  let box = null;
  for (let q = r.q0; q < r.q1; q += step)
    for (let k = r.k0; k < r.k1; k += step) {
      const c = { q0: q, q1: Math.min(queries, q + step), k0: k, k1: Math.min(keys, k + step) };
      if (tiles.some((t) => contains(t, c))) continue;
      box = box ? { q0: Math.min(box.q0, c.q0), q1: Math.max(box.q1, c.q1), k0: Math.min(box.k0, c.k0), k1: Math.max(box.k1, c.k1) } : c;
    }
  return box;
}

// A range cut into bands of rows (multiples of `step`) of at most maxCells cells each.
export function splitRange(r, maxCells, step) {
  const cols = r.k1 - r.k0, rows = Math.max(step, Math.floor(maxCells / cols / step) * step), out = [];
  for (let q = r.q0; q < r.q1; q += rows) out.push({ q0: q, q1: Math.min(r.q1, q + rows), k0: r.k0, k1: r.k1 });
  return out;
}

// The pool the server will answer /pooled with (src/serve/viewer_data.cpp pool_for): the range
// over `size` pixels, rounded up to whole thumbnail cells (`thumbPool`) when above one cell.
export function serverPool(rows, cols, size, thumbPool) {
  // Mirrors pool_for (src/serve/viewer_data.cpp): ranges over 4096 x 4096 cells take whole
  // thumbnail cells; smaller ones are pooled exactly at the pool asked for.
  let p = Math.max(1, Math.ceil(Math.max(rows, cols) / size));
  if (thumbPool > 1 && p > 1 && rows * cols > 4096 * 4096) p = Math.ceil(p / thumbPool) * thumbPool;
  return p;
}
