// The viewer's API calls, with canonical URLs (the exporter embeds responses under these exact
// URLs) and a cache so switching views never refetches a block.
import { createSource, decodeEnvelope } from './data.js';

// A cache that forgets its oldest entries: long heads are read in many small tiles, and
// panning across 8,000 tokens must not keep every tile it ever saw.
function lruCache(limit) {
  const map = new Map();
  return (url, load) => {
    let p = map.get(url);
    if (p) { map.delete(url); map.set(url, p); return p; }  // most recent last
    p = load(url).catch((e) => { map.delete(url); throw e; });
    map.set(url, p);
    while (map.size > limit) map.delete(map.keys().next().value);
    return p;
  };
}

export function createApi() {
  const source = createSource();
  const cache = new Map();
  const cached = (url, load) => {
    if (!cache.has(url)) cache.set(url, load(url).catch((e) => { cache.delete(url); throw e; }));
    return cache.get(url);
  };
  const tiles = lruCache(24), cells = lruCache(512), pooled = lruCache(48);  // a tile is up to 4 MB
  const range = (r) => `q0=${r.q0}&q1=${r.q1}&k0=${r.k0}&k1=${r.k1}`;
  return {
    source,
    info: () => source.json('/api/info'),
    colormaps: () => cached('/api/colormaps', (u) => source.json(u)),
    set: (id) => cached(`/api/sets/${id}`, (u) => source.json(u)),
    // One head (head >= 0) or the mean of heads (-1): {rows, cols, values, dtype}.
    block: (id, run, block, head, merge) =>
      cached(`/api/sets/${id}/block?run=${run}&block=${block}&head=${head}&merge=${merge ? 1 : 0}`, async (u) => {
        const { header, values } = decodeEnvelope(await source.bytes(u));
        return { rows: header.shape[0], cols: header.shape[1], values, dtype: header.dtype };
      }),
    // Pooled u8 thumbnails of every (layer, head) of one kind.
    thumbs: (id, run, kind) =>
      cached(`/api/sets/${id}/thumbs?run=${run}&kind=${kind}`, async (u) => {
        const { header, values } = decodeEnvelope(await source.bytes(u));
        return { ...header, values };
      }),
    // Exact float32 weights of rows q0..q1-1, columns k0..k1-1 of one head (long heads):
    // {q0, k0, rows, cols, values}. One-cell tiles (hover read-outs) have a cache of their own.
    tile: (id, run, block, head, r) =>
      ((r.q1 - r.q0) * (r.k1 - r.k0) === 1 ? cells : tiles)(`/api/sets/${id}/tile?run=${run}&block=${block}&head=${head}&${range(r)}`, async (u) => {
        const { header, values } = decodeEnvelope(await source.bytes(u));
        return { q0: r.q0, k0: r.k0, rows: header.shape[0], cols: header.shape[1], values };
      }),
    // A range (whole head by default) pooled over p x p cells to at most size x size:
    // {q0, q1, k0, k1, pool, mode, rows, cols, values}.
    pooled: (id, run, block, head, size, r = null, mode = 'max') =>
      pooled(`/api/sets/${id}/pooled?run=${run}&block=${block}&head=${head}${r ? `&${range(r)}` : ''}&size=${size}&mode=${mode}`, async (u) => {
        const { header, values } = decodeEnvelope(await source.bytes(u));
        return { ...header, rows: header.shape[0], cols: header.shape[1], values };
      }),
    // A query's strongest keys over every head of every layer of a kind.
    topKeys: (id, run, kind, query, k) => source.json(`/api/sets/${id}/topkeys?run=${run}&kind=${kind}&query=${query}&k=${k}`),
    // Heads ranked by the mean weight queries a0..a1-1 send to keys b0..b1-1.
    headSearch: (id, run, kind, a, b, top) =>
      source.json(`/api/sets/${id}/headsearch?run=${run}&kind=${kind}&a0=${a[0]}&a1=${a[1]}&b0=${b[0]}&b1=${b[1]}&top=${top}`),
    // extra: optional request fields (max_new_tokens, beam, forced_output).
    run: (model, input, mask, extra = {}) => source.post('/api/run', { model, input, ...(mask ? { mask } : {}), ...extra }),
  };
}
