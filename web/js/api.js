// The viewer's API calls, with canonical URLs (the exporter embeds responses under these exact
// URLs) and a cache so switching views never refetches a block.
import { createSource, decodeEnvelope } from './data.js';

export function createApi() {
  const source = createSource();
  const cache = new Map();
  const cached = (url, load) => {
    if (!cache.has(url)) cache.set(url, load(url).catch((e) => { cache.delete(url); throw e; }));
    return cache.get(url);
  };
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
    // extra: optional request fields (max_new_tokens, beam, forced_output).
    run: (model, input, mask, extra = {}) => source.post('/api/run', { model, input, ...(mask ? { mask } : {}), ...extra }),
  };
}
