// Regenerates docs/viewer.png: the viewer at URL in headless Chromium with grid cell
// (LAYER, HEAD) (0-based) clicked and a detail cell hovered, saved as an 8-bit palette PNG so
// it stays small enough to commit. The heatmaps use at most 256 colours; any others (text
// anti-aliasing) map to the nearest palette entry.
// usage: node scripts/viewer-screenshot.mjs URL OUT.png [LAYER HEAD] [WIDTH HEIGHT]
//   e.g. attnscope serve --port 8090 set.attn.safetensors &   # make_set.py 12 12 40 --noise 0.3
//        node scripts/viewer-screenshot.mjs http://127.0.0.1:8090/ docs/viewer.png 7 7
import { chromium } from 'playwright-core';
import fs from 'node:fs';
import zlib from 'node:zlib';

const [url, out, layer, head, width, height] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: +(width || 1400), height: +(height || 820) } });
  await page.goto(url);
  await page.waitForFunction(() => window.attnscope?.ready);
  if (layer !== undefined) {
    const n = await page.evaluate(() => window.attnscope.renders);
    await page.click(`#grid canvas[data-layer="${layer}"][data-head="${head}"]`);
    await page.waitForFunction((k) => window.attnscope.ready && window.attnscope.renders > k, n);
    const c = page.locator('#detail-canvas');
    const d = await c.evaluate((e) => ({ ...e.dataset }));
    await c.hover({ position: { x: +d.x0 + 5.5 * +d.cell, y: +d.y0 + 7.5 * +d.cell } });
  }
  const png = await page.screenshot();
  // Decode in the page (canvas), quantise and encode here.
  const { w, h, rgba } = await page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const g = c.getContext('2d');
    g.drawImage(img, 0, 0);
    const data = g.getImageData(0, 0, c.width, c.height).data;
    let s = '';
    for (let i = 0; i < data.length; i += 0x8000) s += String.fromCharCode(...data.subarray(i, i + 0x8000));
    return { w: c.width, h: c.height, rgba: btoa(s) };
  }, png.toString('base64'));
  fs.writeFileSync(out, palettePng(w, h, Buffer.from(rgba, 'base64')));
  console.log(`${out}: ${w}x${h}, ${fs.statSync(out).size} bytes`);
} finally {
  await browser.close();
}

function palettePng(w, h, rgba) {
  const counts = new Map();
  for (let i = 0; i < rgba.length; i += 4) {
    const key = rgba[i] << 16 | rgba[i + 1] << 8 | rgba[i + 2];
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  const palette = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 256).map(([k]) => k);
  const index = new Map(palette.map((k, i) => [k, i]));
  const nearest = (key) => {
    if (index.has(key)) return index.get(key);
    let best = 0, bestD = Infinity;
    palette.forEach((p, i) => {
      const d = ((p >> 16) - (key >> 16)) ** 2 + (((p >> 8) & 255) - ((key >> 8) & 255)) ** 2 + ((p & 255) - (key & 255)) ** 2;
      if (d < bestD) { bestD = d; best = i; }
    });
    index.set(key, best);
    return best;
  };
  const raw = Buffer.alloc(h * (w + 1));
  for (let y = 0; y < h; y++) {
    raw[y * (w + 1)] = 0;  // filter: none
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      raw[y * (w + 1) + 1 + x] = nearest(rgba[i] << 16 | rgba[i + 1] << 8 | rgba[i + 2]);
    }
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(zlib.crc32 ? zlib.crc32(body) : crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0); ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; ihdr[9] = 3; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0;  // 8-bit, indexed
  const plte = Buffer.alloc(palette.length * 3);
  palette.forEach((k, i) => { plte[i * 3] = k >> 16; plte[i * 3 + 1] = (k >> 8) & 255; plte[i * 3 + 2] = k & 255; });
  return Buffer.concat([Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]), chunk('IHDR', ihdr), chunk('PLTE', plte),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

function crc32(buf) {
  let c, crc = 0xffffffff;
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crc = (crc >>> 8) ^ c;
  }
  return (crc ^ 0xffffffff) >>> 0;
}
