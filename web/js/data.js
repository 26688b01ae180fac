// Where the viewer's data comes from: the server's API, or the responses embedded in an exported
// page (same URLs, same bytes), so every view runs the same code online and from file://.
// Data shape version 1 (src/serve/viewer_data.h): JSON descriptions + binary envelopes.
export const DATA_VERSION = 1;

function decodeBase64(text) {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out.buffer;
}

// A response's bytes, counted in src.bytesSent; an error status throws the server's one-line
// {"error": ...} message (or the status line when the body is not that).
async function responseBytes(res, src) {
  const buf = await res.arrayBuffer();
  src.bytesSent += buf.byteLength;
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`;
    try { msg = JSON.parse(new TextDecoder().decode(buf)).error; } catch (e) { /* not JSON */ }
    throw new Error(msg);
  }
  return buf;
}

export function createSource() {
  const blob = document.getElementById('attnscope-data');
  if (blob) {
    const embedded = JSON.parse(blob.textContent);
    if (embedded.version !== DATA_VERSION) throw new Error(`embedded data version ${embedded.version}, viewer reads ${DATA_VERSION}`);
    // A large set (attnscope.show in Python) embeds its thumbnails and first head only; the rest
    // comes from the data server of the Python kernel that drew it (`remote`), while it runs and
    // this browser can reach it (the kernel's 127.0.0.1).
    const remote = embedded.remote || '';
    const src = {
      embedded: true,
      bytesSent: 0,
      async get(url) {
        const b64 = embedded.responses[url];
        if (b64 !== undefined) return decodeBase64(b64);
        if (!remote) throw new Error(`not in this exported page: ${url}`);
        let res;
        try { res = await fetch(remote + url); } catch (e) {
          throw new Error('this page embeds the thumbnails and the first head only; the rest comes from the Python kernel ' +
            `that drew it (${remote.replace(/\/[^/]*$/, '')}), which this browser cannot reach: run the cell again, ` +
            "or show(..., embed='all') to embed every head");
        }
        return responseBytes(res, src);
      },
      async json(url) { return JSON.parse(new TextDecoder().decode(await src.get(url))); },
      async bytes(url) { return src.get(url); },
      async post() { throw new Error('an exported page cannot run models'); },
    };
    return src;
  }
  const src = {
    embedded: false,
    bytesSent: 0,  // response bytes received, for the bench
    async fetch(url, init) {
      return responseBytes(await fetch(url, init), src);
    },
    async json(url) { return JSON.parse(new TextDecoder().decode(await src.fetch(url))); },
    async bytes(url) { return src.fetch(url); },
    async post(url, body) {
      const buf = await src.fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      return JSON.parse(new TextDecoder().decode(buf));
    },
  };
  return src;
}

function halfToFloat(h) {
  const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}
let halfTable = null;  // every float16 bit pattern as float32: one look-up per value

// u32 header length | JSON header | payload  ->  {header, values}
export function decodeEnvelope(buffer) {
  const n = new DataView(buffer).getUint32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(buffer, 4, n)));
  const offset = 4 + n;
  let values;
  // The header is padded to a multiple of 4 bytes, so the payload can be viewed in place.
  if (header.dtype === 'f32') values = new Float32Array(buffer, offset);
  else if (header.dtype === 'u8') values = new Uint8Array(buffer, offset);
  else if (header.dtype === 'f16') {
    if (!halfTable) { halfTable = new Float32Array(65536); for (let i = 0; i < 65536; i++) halfTable[i] = halfToFloat(i); }
    const half = new Uint16Array(buffer, offset);
    values = new Float32Array(half.length);
    for (let i = 0; i < half.length; i++) values[i] = halfTable[half[i]];
  } else throw new Error(`unknown dtype ${header.dtype}`);
  return { header, values };
}
